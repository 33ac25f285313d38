"""The workspace pipeline: one event to every destination, in Segment's order of stages.

:mod:`fql.routing.router` holds the configuration models and the :class:`Router`;
:mod:`fql.routing.triggers` evaluates a workspace's triggers together. The names users
import (``from fql.routing import Router, load_config``) are re-exported here.
"""

from __future__ import annotations

from .router import *  # noqa: F403  (the public names, listed in router.__all__)
from .router import __all__ as __all__
