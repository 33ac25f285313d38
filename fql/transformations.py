"""Compatibility name: this module lives at :mod:`fql.filters.transformations`.

``import fql.transformations`` keeps working and gives the very same module object, so
attributes set on one (tests monkeypatching, say) are seen through the other.
"""

import sys

from .filters import transformations as _module

sys.modules[__name__] = _module
