"""Segment's FQL-based rule formats: destination filters, Protocols transformations and
device-mode (tsub) rules, with the field paths, errors and sampling they share.

Layout: :mod:`.destination` (Destination Filters, re-exported here as users import them:
``from fql.filters import FilterList``), :mod:`.paths`, :mod:`.errors`,
:mod:`.sampling`, :mod:`.transformations` and :mod:`.tsub` (also importable as
``fql.tsub``). This package sits above the language core (:mod:`fql`) and imports
nothing from routing or the tools.
"""

from __future__ import annotations

from .destination import *  # noqa: F403  (the public names, listed in destination.__all__)
from .destination import __all__ as __all__
