"""Every limit of the engine, as named settings with documented defaults (STYLE.md §12).

Each limit is enforced by the stage that owns it and has a boundary test: a value at the
limit passes, one more fails with that stage's dedicated error. They are defined here,
in the core, so that one place lists them all and every layer takes its defaults from
the same constants:

* :class:`Limits`: FQL rule text (:func:`fql.compile`, :func:`fql.check`);
* :class:`FilterLimits`: destination filters, device-mode rules and transformations
  (:mod:`fql.filters`);
* :class:`MappingLimits`: Actions mappings and the event values they read
  (:mod:`actions.mapping`, also importable from there);
* :data:`MAX_MAPPINGS_PER_DESTINATION`: the default of the workspace configuration's
  ``limits.maxMappingsPerDestination`` (:class:`fql.routing.RoutingLimits`, a pydantic
  model because it is read from the configuration file);
* :data:`DEFAULT_EVENT_DEPTH`: how deeply an event may nest wherever an event value is
  copied, compared or printed; deeper (or cyclic) values raise the stage's event error
  with :data:`TOO_DEEP` instead of exhausting the interpreter's stack.
"""

from __future__ import annotations

from typing import Final

from .records import record

#: How deeply event values may nest where the engine copies, compares or prints them.
#: Generous for real events (Segment's own payloads nest a handful of levels) and far
#: below what exhausts Python's stack.
DEFAULT_EVENT_DEPTH: Final = 128

#: The one message for an event value nested deeper than a depth limit (or cyclic);
#: ``{limit}`` names the setting that was exceeded, or the number of levels.
TOO_DEEP: Final = "event value nested too deeply (deeper than {limit}) or cyclic"


def too_deep_message(limit: str) -> str:
    """:data:`TOO_DEEP` naming the setting ``limit`` (``max_value_depth``...)."""
    return TOO_DEEP.format(limit=limit)

#: Segment allows at most 10 filters per destination (DF-14).
MAX_FILTERS_PER_DESTINATION: Final = 10

#: Mappings (subscriptions) one destination may hold in a workspace configuration.
MAX_MAPPINGS_PER_DESTINATION: Final = 50


@record
class Limits:
    """Limits on FQL rule text."""

    #: Segment caps an FQL statement at 5 KB (FQL-21); counted in UTF-8 bytes.
    max_source_bytes: int = 5 * 1024
    #: How deeply expressions may nest (parentheses, ``!``, calls, lists).
    max_depth: int = 64
    #: Items in one list literal.
    max_list_items: int = 1000


DEFAULT_LIMITS = Limits()


@record
class FilterLimits:
    """Limits on a destination's filters and the events they read."""

    #: Segment allows at most 10 filters per destination (DF-14).
    max_filters_per_destination: int = MAX_FILTERS_PER_DESTINATION
    #: How deep an event may nest where a filter copies or hashes it (cycles end here).
    max_event_depth: int = DEFAULT_EVENT_DEPTH


DEFAULT_FILTER_LIMITS = FilterLimits()


@record
class MappingLimits:
    """Limits on mappings and the events they read.

    Segment's own limits (``@replace`` patterns of at most 10 characters, Liquid
    templates of at most 1,000 characters, a 500 ms Liquid render limit) are kept as
    Segment applies them; the others protect this engine (no ``RecursionError``, bounded
    compile cost) and are generous enough for any mapping the Segment UI can produce.
    """

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
    max_value_depth: int = DEFAULT_EVENT_DEPTH


DEFAULT_MAPPING_LIMITS = MappingLimits()
