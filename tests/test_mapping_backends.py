"""The mapping kernel (``fql._ext._mapping``) against its pure-Python twin.

Both run the same compiled plan; every test here builds the mapping once per backend
(:class:`~actions.mapping.mapping.PythonRunner` and the kernel's ``build``) whatever
``FQL_PUREPYTHON`` says, and requires the same value, or the same error class, message
and path, for every event. The suite as a whole also runs once per backend (CI sets
``FQL_PUREPYTHON=1`` for the second run).
"""

from __future__ import annotations

import collections
import datetime
import enum
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import compile_mapping
from actions.mapping import MappingError, MappingInputError, MappingLimits
from actions.mapping.mapping import Mapping, PythonRunner, with_runner
from benchmarks.events import generate
from benchmarks.workloads import W4
from fql.backend import load_kernel
from tests.conformance_data import load_cases
from tests.test_mapping_properties import EVENTS, KEYS, MAPPINGS

KERNEL = load_kernel("_mapping")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="the mapping kernel was not built")


def both(source: Any, **options: Any) -> tuple[Mapping, Mapping]:
    """``source`` compiled once, run by the twin and by the kernel."""
    compiled = compile_mapping(source, **options)
    return (with_runner(compiled, PythonRunner),
            with_runner(compiled, KERNEL.build))  # type: ignore[union-attr]


def typed(value: Any) -> Any:
    """``value`` with every scalar tagged by its type, so ``1``, ``1.0`` and ``True``
    differ, and NaN equals NaN."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])  # order matters too
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def outcome(mapping: Mapping, event: Any) -> Any:
    try:
        return ("value", typed(mapping.apply(event, missing="<missing>")))
    except MappingError as exc:
        return ("error", type(exc).__name__, str(exc), exc.path)
    except Exception as exc:  # whatever it is, both must raise it alike
        return ("raised", type(exc).__name__, str(exc))


def containers(value: Any) -> set[int]:
    """The ids of every dict and list inside ``value``."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)) and id(item) not in found:
            found.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return found


def agree(source: Any, events: list[Any], **options: Any) -> None:
    python, kernel = both(source, **options)
    for event in events:
        got = outcome(kernel, event)
        assert got == outcome(python, event), event
        if got[0] == "value" and isinstance(event, dict):  # the output never aliases
            assert not containers(kernel.apply(event)) & containers(event)


def test_the_kernel_is_what_mappings_run_unless_python_is_forced() -> None:
    from fql.backend import FORCE_PYTHON

    runner = compile_mapping({"a": {"@path": "$.a"}}).apply.__self__
    assert (type(runner) is PythonRunner) == FORCE_PYTHON


def test_every_conformance_case_agrees() -> None:
    cases = load_cases("mapping")
    checked = 0
    for case in cases:
        try:
            python, kernel = both(case["mapping"])
        except MappingError:
            continue
        assert outcome(kernel, case["event"]) == outcome(python, case["event"]), case
        checked += 1
    assert checked > 500


def test_w4_agrees_on_generated_events() -> None:
    agree(W4, generate(500))


def test_batch_agrees_with_single() -> None:
    python, kernel = both(W4)
    events = generate(50)
    assert [typed(v) for v in kernel.apply_batch(events)] == \
        [typed(v) for v in python.apply_batch(events)]
    assert kernel.apply_batch([{}], missing=1) == python.apply_batch([{}], missing=1)
    assert both({"@path": "$.x"})[1].apply_batch([{}], missing="m") == ["m"]


class Level(enum.IntEnum):
    HIGH = 3


ODD_EVENTS: list[Any] = [
    {"a": Level.HIGH, "b": collections.OrderedDict(x=1), "c": (1, 2)},
    {"a": {1: "int key"}, "b": {"x": datetime.date(2024, 1, 1)}},
    {"a": 2**70, "b": [2**60, -(2**60)], "c": {"__proto__": 1, "0": 2, "z": 3}},
    {"a": "\ud83d", "b": "é", "c": {"10": 1, "2": 2, "x": {"y": [None, {"z": 1}]}}},
    {"a": True, "b": 0, "c": "", "x y": float("nan")},
    [1, 2],
    "not an object",
    None,
]


@pytest.mark.parametrize("source", [
    {"v": {"@path": "$.a"}, "w": {"@path": "$.b"}, "x": {"@path": "$.c"}},
    {"@path": "$.c"},
    {"f": {"@flatten": {"value": {"@path": "$.a"}, "separator": "."}}},
    {"f": {"@flatten": {"value": {"@path": "$.c"}, "separator": "_", "omitArrays": True}}},
    {"f": {"@flatten": {"value": {"@path": "$"}, "separator": "."}}},
    {"t": {"@template": "{{a}}/{{b}}/{{{c}}}"}},
    {"r": {"@replace": {"value": {"@path": "$.a"}, "pattern": "3", "replacement": "$&$&"}}},
    {"i": {"@arrayPath": ["$.b", {"x": {"@path": "$.x"}, "k": {"@path": "$"}}]}},
    {"e": {"@excludeWhenNull": {"@path": "$.c"}}},
    {"c": {"@case": {"operator": "upper", "value": {"@path": "$.b"}}}},
    {"j": {"@json": {"value": {"@path": "$.c"}, "mode": "encode"}}},
    {"m": {"@merge": {"objects": [{"@path": "$.c"}, {"@path": "$.a"}], "direction": "right"}}},
    {"i": {"@arrayPath": [{"@merge": {"objects": [{"x": {"@path": "$.no"}, "y": {"@path": "$.c"}}],
                                      "direction": "right"}}]}},
])
def test_unusual_values_agree(source: Any) -> None:
    agree(source, ODD_EVENTS)


def test_deep_and_cyclic_events_agree() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(3000):
        node["a"] = {}
        node = node["a"]
    cyclic: dict[str, Any] = {}
    cyclic["a"] = cyclic
    agree({"x": {"@path": "$.a"}}, [{"a": deep}, cyclic])
    agree({"f": {"@flatten": {"value": {"@path": "$.a"}, "separator": "."}}},
          [{"a": deep}, cyclic])


@pytest.mark.parametrize("source", [
    {"x": {"@path": "$.a"}},
    {"f": {"@flatten": {"value": {"@path": "$.a"}, "separator": "."}}},
    {"x": {"@arrayPath": [{"@merge": {"objects": [{"@path": "$.a"}],
                                      "direction": "right"}}]}},
])
def test_values_deeper_than_python_can_follow_fail_alike(source: Any) -> None:
    """With ``max_value_depth`` raised past Python's recursion limit, a deep event is
    a MappingInputError on both backends (the kernel's copies and walks count against
    Python's recursion limit too, so they never overflow the C stack)."""
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100_000):
        node["a"] = {"b": 1}
        node = node["a"]
    python, kernel = both(source, limits=MappingLimits(max_value_depth=10**6))
    for mapping in (python, kernel):
        with pytest.raises(MappingInputError, match="nested too deeply"):
            mapping.apply({"a": deep})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapping=st.one_of(MAPPINGS, st.dictionaries(KEYS, MAPPINGS, max_size=4)),
       events=st.lists(EVENTS, min_size=1, max_size=3))
def test_random_mappings_agree_on_random_events(mapping: Any, events: list[Any]) -> None:
    try:
        python, kernel = both(mapping)
    except MappingError:
        return
    for event in events:
        assert outcome(kernel, event) == outcome(python, event)


# Dense data: few letters, so patterns, separators and keys meet each other often.
LETTERS = st.text(alphabet="ab.0", max_size=6)
PATTERNS = st.sampled_from(["a", "b", "ab", "A", ".", "0", "$&"])
DENSE_KEYS = st.sampled_from(["a", "b", "0", "10", "__proto__", "a.b", ""])
DENSE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, -0.0, 1e21]),
              LETTERS),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(DENSE_KEYS, inner, max_size=3)),
    max_leaves=8,
)
DENSE_EVENTS = st.dictionaries(DENSE_KEYS, DENSE, max_size=4)
DENSE_PATHS = st.sampled_from(["$.a", "a.b", "$.0", "10", "a.0.b", "$.", "b.length", "a[0]"])


@settings(max_examples=300, deadline=None)
@given(pattern=PATTERNS, replacement=st.sampled_from(["", "x", "$&", "$`", "$'"]),
       pattern2=st.one_of(st.none(), PATTERNS), global_=st.booleans(),
       ignorecase=st.booleans(),
       values=st.lists(st.one_of(LETTERS, LETTERS, DENSE), min_size=1, max_size=3))
def test_replace_agrees(pattern: str, replacement: str, pattern2: str | None, global_: bool,
                        ignorecase: bool, values: list[Any]) -> None:
    options: dict[str, Any] = {"value": {"@path": "$.a"}, "pattern": pattern,
                               "replacement": replacement, "global": global_,
                               "ignorecase": ignorecase}
    if pattern2 is not None:
        options.update(pattern2=pattern2, replacement2="y")
    events = [{"a": value} for value in values]
    agree({"r": {"@replace": options}}, events)


@settings(max_examples=300, deadline=None)
@given(path=DENSE_PATHS, separator=st.sampled_from([".", "", "_"]), omit=st.booleans(),
       template=st.sampled_from(["{{a}}-{{0}}", "{{{a}}}{{b}}", "x{{ a.b }}y", "{{10}}"]),
       events=st.lists(DENSE_EVENTS, min_size=1, max_size=3))
def test_paths_templates_flatten_and_array_paths_agree(
        path: str, separator: str, omit: bool, template: str, events: list[Any]) -> None:
    agree({
        "p": {"@path": path},
        "t": {"@template": template},
        "f": {"@flatten": {"value": {"@path": path}, "separator": separator,
                           "omitArrays": omit}},
        "i": {"@arrayPath": [path, {"k": {"@path": "$.a"}, "z": {"@path": "$.0"}}]},
        "j": {"@arrayPath": [path]},
        "e": {"@excludeWhenNull": {"@path": path}},
        "c": {"@case": {"operator": "upper", "value": {"@path": path}}},
        "if": {"@if": {"blank": {"@path": path}, "then": {"@path": "$.b"}}},
        "or": {"@if": {"exists": {"@path": path}, "then": {"@path": path},
                       "else": {"@path": "$.b"}}},
    }, events)


@pytest.mark.parametrize("text", ['{"__proto__": 1, "a": 2}', '[1, {"__proto__": {}}]', "7"])
def test_values_built_by_a_directive_are_cleaned_alike(text: str) -> None:
    """``__proto__`` members of parsed JSON leave the output on both backends."""
    decoded = {"@json": {"value": {"@path": "$.s"}, "mode": "decode"}}
    agree({"c": {"@coalesce": [{"@path": "$.none"}, decoded]}, "d": decoded,
           "a": {"@arrayPath": [decoded]}}, [{"s": text}, {}], extensions=True)
