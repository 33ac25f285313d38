"""Limits on mappings and the events they read, as named settings (STYLE.md §12).

Segment's own limits (``@replace`` patterns of at most 10 characters, Liquid templates
of at most 1,000 characters, a 500 ms Liquid render limit) are kept as Segment applies
them; the others protect this engine (no ``RecursionError``, bounded compile cost) and
are generous enough for any mapping the Segment UI can produce. Each has a boundary
test: a value at the limit passes, one more fails with a dedicated error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MappingLimits:
    #: How deeply a mapping's JSON may nest (objects, arrays, directive options).
    max_mapping_depth: int = 64
    #: JSON values (objects, arrays, scalars) in one mapping.
    max_mapping_values: int = 20_000
    #: Characters in one ``@template`` string (Segment has no cap; ours bounds render cost).
    max_template_length: int = 10_000
    #: Characters in one ``@liquid`` template: Segment's cap (parseLimit 1000).
    max_liquid_length: int = 1000
    #: Wall-clock budget of one ``@liquid`` render, in milliseconds (liquidjs renderLimit).
    liquid_render_ms: float = 500.0
    #: Characters one ``@liquid`` render may produce (liquidjs bounds memory instead).
    max_liquid_output: int = 1_000_000
    #: How deeply event values the mapping copies or converts may nest; deeper (or
    #: cyclic) values raise MappingInputError instead of exhausting the Python stack.
    max_value_depth: int = 128


DEFAULT_LIMITS = MappingLimits()
