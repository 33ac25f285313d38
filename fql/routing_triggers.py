"""Compatibility name: this module lives at :mod:`fql.routing.triggers`.

``import fql.routing_triggers`` keeps working and gives the very same module object, so
attributes set on one (tests monkeypatching, say) are seen through the other.
"""

import sys

from .routing import triggers as _module

sys.modules[__name__] = _module
