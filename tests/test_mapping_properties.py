"""Property tests: random mappings built from every directive, over random JSON events.

* compiling never raises anything but MappingError;
* applying never raises anything but MappingRuntimeError (where Segment's mapping kit
  throws: the compiler records each such place) and never mutates the event;
* the output is JSON (no internal ``undefined`` leaks) and shares no container with
  the event.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import MappingError, compile_mapping
from actions.mapping import MappingRuntimeError

KEYS = st.sampled_from(["a", "b", "c", "0", "1", "length", "__proto__", "", "x y"])
PATHS = st.sampled_from(
    ["a", "$.a", "a.b", "a[0]", "b.0.c", "$.", "", "c.length", "a['b']", "$..a", "a.$.b", "x y"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
EVENTS = st.dictionaries(KEYS, JSON, max_size=5)
SHORT = st.text(max_size=4)


def _directives(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One strategy per directive, options drawn both valid and invalid."""
    maybe = st.one_of(inner, SCALARS)
    return st.one_of(
        st.builds(lambda p: {"@path": p}, st.one_of(PATHS, inner)),
        st.builds(
            lambda t: {"@template": t},
            st.one_of(
                st.sampled_from(["{{a}}", "{{ a.b }}-{{c}}", "{{{a}}}", "{{}}", "{{ }}", "x"]),
                inner,
            ),
        ),
        st.builds(
            lambda e, t, o, k: {"@if": {k: e, "then": t, "else": o}},
            maybe,
            maybe,
            maybe,
            st.sampled_from(["exists", "blank"]),
        ),
        st.builds(lambda v: {"@literal": v}, maybe),
        st.builds(
            lambda r, s: {"@arrayPath": [r, s] if s is not None else [r]},
            st.one_of(PATHS, inner),
            st.one_of(st.none(), st.dictionaries(KEYS, inner, max_size=3)),
        ),
        st.builds(
            lambda o, v: {"@case": {"operator": o, "value": v}},
            st.sampled_from(["lower", "upper", "title"]),
            maybe,
        ),
        st.builds(
            lambda v, p, r, p2, g, i: {
                "@replace": {
                    "value": v,
                    "pattern": p,
                    "replacement": r,
                    "pattern2": p2,
                    "global": g,
                    "ignorecase": i,
                }
            },
            maybe,
            SHORT,
            st.sampled_from(["", "$&", "$$", "$`", "x"]),
            SHORT,
            st.booleans(),
            st.booleans(),
        ),
        st.builds(
            lambda o, d: {"@merge": {"objects": o, "direction": d}},
            st.lists(st.one_of(inner, st.dictionaries(KEYS, maybe, max_size=3)), max_size=3),
            st.sampled_from(["left", "right", "LEFT"]),
        ),
        st.builds(
            lambda a, m: {"@transform": {"apply": a, "mapping": m}},
            st.dictionaries(KEYS, inner, min_size=1, max_size=3),
            st.dictionaries(KEYS, inner, min_size=1, max_size=3),
        ),
        st.builds(
            lambda v, s, o: {"@flatten": {"value": v, "separator": s, "omitArrays": o}},
            maybe,
            st.sampled_from([".", "_", ""]),
            st.booleans(),
        ),
        st.builds(
            lambda v, m: {"@json": {"value": v, "mode": m}},
            maybe,
            st.sampled_from(["encode", "decode", "ENCODE"]),
        ),
        st.builds(lambda v: {"@excludeWhenNull": v}, maybe),
        st.builds(
            lambda t: {"@liquid": t},
            st.sampled_from(
                [
                    "{{ a }}",
                    "{{ a | upcase }}",
                    "{% if b %}y{% endif %}",
                    "{{ a | sort }}",
                    "",
                    "{{",
                ]
            ),
        ),
    )


MAPPINGS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        _directives(inner),
        st.dictionaries(KEYS, inner, max_size=4),
        st.lists(inner, max_size=3),
    ),
    max_leaves=10,
)


def _containers(value: Any) -> set[int]:
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.add(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            found.add(id(item))
            stack.extend(item)
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapping=st.one_of(MAPPINGS, st.dictionaries(KEYS, MAPPINGS, max_size=4)), event=EVENTS)
def test_random_mappings_fail_only_the_documented_ways(mapping: Any, event: dict[str, Any]) -> None:
    try:
        compiled = compile_mapping(mapping)
    except MappingError as exc:
        assert type(exc) is MappingError and exc.problems
        return
    before = copy.deepcopy(event)
    try:
        result = compiled.apply(event)
    except MappingRuntimeError as exc:
        assert exc.problems and exc.path
        assert event == before
        return
    assert event == before
    json.dumps(result, allow_nan=False)  # plain JSON: no internal sentinel inside
    assert not _containers(result) & _containers(event)


@settings(max_examples=200, deadline=None)
@given(mapping=st.dictionaries(KEYS, MAPPINGS, max_size=4), event=EVENTS)
def test_apply_is_deterministic_and_batch_agrees(mapping: Any, event: dict[str, Any]) -> None:
    try:
        compiled = compile_mapping(mapping)
        first = compiled.apply(event)
    except MappingError:
        return
    assert compiled.apply(event) == first
    assert compiled.apply_batch([event, event]) == [first, first]
