"""Every limit of the engine, as named settings with documented defaults (STYLE.md §12).

Each limit is enforced by the stage that owns it and has a boundary test: a value at the
limit passes, one more fails with that stage's dedicated error. They are defined here,
in the core, so that one place lists them all and every layer takes its defaults from
the same constants:

* :class:`Limits`: FQL rule text (:func:`fql.compile`, :func:`fql.check`);
* :class:`FilterLimits`: destination filters, device-mode rules and transformations
  (:mod:`fql.filters`);
* :class:`TriggerLimits`: Actions trigger text and condition trees (:mod:`actions.trigger`);
* :class:`MappingLimits`: Actions mappings and the event values they read
  (:mod:`actions.mapping`, also importable from there);
* :class:`YamlLimits`: YAML rule, test and configuration files (:mod:`fql.datafile`);
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
    #: How many array slots one device-mode ``map_properties`` write may add past an
    #: array's end. JS makes ``items[4294967294] = 1`` a sparse array whose JSON is four
    #: billion ``null``s; a dense Python list would allocate them all.
    max_array_growth: int = 10_000


DEFAULT_FILTER_LIMITS = FilterLimits()


@record
class TriggerLimits:
    """Limits on Actions triggers (text in either mode, condition trees)."""

    #: Trigger text, in UTF-8 bytes. Default mode reads the text as FQL, so Segment's
    #: 5 KB FQL cap (FQL-21, ``Limits.max_source_bytes``) applies; segment mode applies
    #: the same cap before its (quadratic on hostile text) reading.
    max_text_bytes: int = DEFAULT_LIMITS.max_source_bytes
    #: How deeply ``group`` nodes of a condition tree may nest.
    max_tree_depth: int = 100


DEFAULT_TRIGGER_LIMITS = TriggerLimits()


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
    #: Characters one ``@template`` may produce, counted as each placeholder is filled
    #: (Segment has no cap: 625 copies of a 1 MB value made a 625 MB string).
    max_template_output: int = 1_000_000
    #: Characters in one ``@liquid`` template: Segment's cap (parseLimit 1000).
    max_liquid_length: int = 1000
    #: Wall-clock budget of one ``@liquid`` render, in milliseconds (liquidjs renderLimit).
    liquid_render_ms: float = 500.0
    #: Characters one ``@liquid`` render may produce, checked at each output and filter
    #: result while rendering (liquidjs bounds memory instead).
    max_liquid_output: int = 1_000_000
    #: Items one ``@liquid`` range, loop or filter input may have: a filter handed a
    #: longer range or list (``(1..100000000) | join``, ``| sum``) fails before it
    #: starts (liquidjs meets its render limit only after building the range).
    max_liquid_iterations: int = 100_000
    #: How deeply event values the mapping copies or converts may nest; deeper (or
    #: cyclic) values raise MappingInputError instead of exhausting the Python stack.
    max_value_depth: int = DEFAULT_EVENT_DEPTH


DEFAULT_MAPPING_LIMITS = MappingLimits()


@record
class YamlLimits:
    """Limits on YAML files (workspace configurations, rule and test files), checked
    while the document is composed and before any Python value is built from it."""

    #: UTF-8 bytes of one YAML document.
    max_bytes: int = 16 * 1024 * 1024
    #: How deeply the document may nest, aliases followed (a mapping's own limit is 64;
    #: a configuration or test file adds a few levels around mappings and events).
    max_depth: int = 2 * DEFAULT_EVENT_DEPTH
    #: Values in the document with every alias expanded: an "alias bomb" of a few
    #: hundred bytes expands to billions, which every later stage would then walk.
    max_values: int = 1_000_000


DEFAULT_YAML_LIMITS = YamlLimits()
