"""Compatibility name: this module lives at :mod:`fql.filters.paths`.

``import fql.filter_paths`` keeps working and gives the very same module object, so
attributes set on one (tests monkeypatching, say) are seen through the other.
"""

import sys

from .filters import paths as _module

sys.modules[__name__] = _module
