"""Limits on mappings and the events they read: :class:`fql.limits.MappingLimits`.

Every limit of the engine is defined in :mod:`fql.limits`; this module keeps the names
``actions.mapping.MappingLimits`` and ``DEFAULT_LIMITS`` where mapping users import them.
"""

from __future__ import annotations

from fql.limits import DEFAULT_MAPPING_LIMITS as DEFAULT_LIMITS
from fql.limits import MappingLimits

__all__ = ["DEFAULT_LIMITS", "MappingLimits"]
