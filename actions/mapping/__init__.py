"""Destination Actions mappings: Segment's mapping kit, compiled.

``compile_mapping(mapping)`` validates a mapping once (raising MappingError with every
problem) and returns a :class:`Mapping` whose ``apply(event)`` produces the payload
Segment's ``transform`` would produce, quirks included (docs/semantics/mappings.md).
``check_mapping`` lints a mapping; ``coalesce``, ``replace`` and ``flatten`` write the
directives the Segment UI's mapping functions write.
"""

from __future__ import annotations

from .builders import coalesce, flatten, replace
from .check import check_mapping
from .errors import MappingError, MappingInputError, MappingRuntimeError
from .limits import DEFAULT_LIMITS, MappingLimits
from .mapping import Mapping, compile_mapping

__all__ = [
    "DEFAULT_LIMITS",
    "Mapping",
    "MappingError",
    "MappingInputError",
    "MappingLimits",
    "MappingRuntimeError",
    "check_mapping",
    "coalesce",
    "compile_mapping",
    "flatten",
    "replace",
]
