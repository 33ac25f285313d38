"""Compatibility name: this module lives at :mod:`fql.filters.tsub`.

``import fql.tsub`` keeps working and gives the very same module object, so
attributes set on one (tests monkeypatching, say) are seen through the other.
"""

import sys

from .filters import tsub as _module

sys.modules[__name__] = _module
