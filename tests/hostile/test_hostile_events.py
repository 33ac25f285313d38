"""Generated hostile events against every public entry point, on both backends.

Events are deep (around and far past the depth limits), wide, cyclic, hold huge strings
and numbers and values that are not JSON at all (bytes, tuples, sets, datetimes,
Decimals, enum and ``str`` subclasses, non-string keys). Every entry point must return
an answer or raise the project's own error (``fql.FqlError``, ``actions.MappingError``);
``Router.route`` must never raise. The budget: each example runs under a generous
hypothesis deadline and the whole test under an address-space limit, so a run that
allocates without bound fails with ``MemoryError`` instead of taking the machine.
"""

from __future__ import annotations

import copy
import datetime
import enum
import json
import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions
import fql
import fql.tsub as tsub
from actions import Trigger
from fql.filters import FilterList
from fql.filters.transformations import compile_transformation
from fql.routing import Router, load_config

ROOT = Path(__file__).resolve().parents[2]
PROJECT_ERRORS = (fql.FqlError, actions.MappingError)
HUGE_TEXT = "x" * 1_000_000  # one shared object: generating it per example is slow


class Color(enum.IntEnum):
    RED = 1


class Name(str):
    pass


def _cyclic_list() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


def _cyclic_dict() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


ODD = st.sampled_from([
    b"bytes", (1, 2), frozenset({1}), {1, 2}, datetime.datetime(2024, 5, 1),
    datetime.date(2024, 5, 1), Decimal("1.5"), Color.RED, Name("track"), object(), range(3),
    1j,
]).map(copy.copy)

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.sampled_from([2**64, -(2**64), 10**30, 10**400, -(10**400), 2**53 + 1]),
    st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0),
    st.text(max_size=10), st.sampled_from(["\ud800", "a\udc00b", "", "track", "0"]),
    st.just(HUGE_TEXT),
)

KEYS = st.one_of(
    st.sampled_from(["type", "event", "userId", "properties", "context", "traits",
                     "integrations", "items", "email", "revenue", "plan", "a", "0", "",
                     "__proto__", "constructor"]),
    st.text(max_size=4),
)
ODD_KEYS = st.sampled_from([1, None, 2.5, True, ("t",), Color.RED, b"k"])

VALUES = st.recursive(
    st.one_of(SCALARS, ODD),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(KEYS, kids, max_size=4),
        st.dictionaries(st.one_of(KEYS, ODD_KEYS), kids, max_size=3),
    ),
    max_leaves=15,
)


def _nest(value: Any, levels: int, in_list: bool) -> Any:
    for _ in range(levels):
        value = [value] if in_list else {"a": value}
    return value


@st.composite
def hostile(draw: st.DrawFn) -> tuple[Any, bool]:
    """``(value, comparable)``: ``comparable`` when the value can be compared with ``==``
    (no cycles, not deep enough to exhaust the stack in the comparison)."""
    value = draw(VALUES)
    shape = draw(st.sampled_from(["plain", "deep", "cyclic", "wide"]))
    if shape == "deep":
        levels = draw(st.sampled_from([60, 126, 127, 128, 129, 255, 256, 257, 600, 3000]))
        return _nest(value, levels, draw(st.booleans())), False
    if shape == "cyclic":
        return draw(st.sampled_from([_cyclic_list, _cyclic_dict]))(), False
    if shape == "wide":  # one drawn value among many small ones, so a failing example
        # prints in bounded space (50,000 references to a 1 MB string would print 50 GB)
        wide: dict[str, Any] = {f"k{i}": i for i in range(draw(st.sampled_from([1000, 50_000])))}
        wide["value"] = value
        return wide, True
    return value, True


@st.composite
def events(draw: st.DrawFn) -> tuple[Any, bool]:
    """An event (usually an object) with hostile values where rules read."""
    if draw(st.integers(0, 19)) == 0:  # sometimes not an object at all
        return draw(st.one_of(VALUES, st.just(_cyclic_list()))), False
    event: dict[Any, Any] = {"type": draw(st.sampled_from(["track", "identify", "page"]))}
    comparable = True
    for key in draw(st.lists(st.sampled_from(
            ["event", "userId", "properties", "context", "traits", "integrations", "name"]),
            max_size=4, unique=True)):
        value, ok = draw(hostile())
        event[key] = value
        comparable &= ok
    if draw(st.integers(0, 9)) == 0:
        event[draw(ODD_KEYS)] = 1
    return event, comparable


EXPRESSIONS = [
    'type = "track"', "string(properties) = 'x'", "length(properties.items) > 1",
    "properties = traits", "contains(event, 'x')", "match(userId, 'a*')",
    "typeof(context) = 'object'", "number(properties.revenue) > 5",
    "lowercase(traits.email) = 'a'", "properties.items in ['a', 1, null]",
    "'x' in properties.items", "bool(properties.a) = true", "snakecase(event) = 'a'",
    "titlecase(name) != 'x'", "properties.revenue <= 10", "!(userId = null)",
    "length(context) = 3 or string(integrations) = ''",
]

TRIGGERS = [
    ('type = "track" and event = "Order Completed"', "default"),
    ('properties.revenue > 10 or contains(properties.email, "@")', "default"),
    ('traits.plan = "pro" and context.app.version >= "1"', "segment"),
    ('match(event, "Order*") and properties.items != null', "default"),
]

MAPPING = {
    "event": {"@path": "$.event"},
    "copy": {"@path": "$.properties"},
    "text": {"@template": "{{event}} {{properties.a}} {{{userId}}}"},
    "maybe": {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.traits"},
                      "else": "none"}},
    "case": {"@case": {"mode": "lower", "value": {"@path": "$.event"}}},
    "replaced": {"@replace": {"pattern": "a", "replacement": "b",
                              "value": {"@path": "$.userId"}}},
    "merged": {"@merge": {"objects": [{"@path": "$.traits"}, {"@path": "$.properties"}],
                          "direction": "right"}},
    "flat": {"@flatten": {"value": {"@path": "$.context"}, "separator": "."}},
    "encoded": {"@json": {"mode": "encode", "value": {"@path": "$.properties"}}},
    "decoded": {"@json": {"mode": "decode", "value": {"@path": "$.properties.a"}}},
    "items": {"@arrayPath": ["$.properties.items", {"name": {"@path": "$.name"}}]},
    "kept": {"@excludeWhenNull": {"@path": "$.traits.email"}},
    "liquid": {"@liquid": "{{ event | upcase }}{{ properties.items | size }}"},
    "literal": {"@literal": {"a": {"@path": "$.name"}}},
}

FILTERS = [
    {"if": "type = 'identify'", "actions": [{"type": "DROP"}]},
    {"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5, "path": "properties"}]},
    {"if": "all", "actions": [{"type": "DROP_PROPERTIES",
                               "fields": {"properties": ["email"], "": ["context"]}}]},
    {"if": "length(userId) > 0", "actions": [{"type": "ALLOW_PROPERTIES",
                                              "fields": {"traits": ["plan"]}}]},
]

TSUB = [
    {"type": "map_properties", "config": {"map": {
        "properties.copy": {"copy": "context"}, "properties.moved": {"move": "traits"},
        "properties.items.3": {"set": 1}, "properties.revenue": {"to_string": True}}}},
    {"type": "sample_event", "config": {"sample": {"percent": 0.5, "path": "properties"}}},
    {"type": "drop_properties", "config": {"drop": {"properties": ["email"]}}},
]

TRANSFORMATIONS = [
    {"name": "t", "sourceId": "s", "enabled": True, "if": "type = 'track'",
     "newEventName": "Renamed",
     "propertyRenames": [{"oldName": "a", "newName": "b"}],
     "propertyValueTransformations": [{"propertyPaths": ["properties.plan"],
                                       "propertyValue": "pro"}]},
    {"name": "f", "sourceId": "s", "enabled": True, "if": "all",
     "fqlDefinedProperties": [{"fql": "lowercase(event)", "propertyName": "properties.low"}]},
]


@contextmanager
def memory_budget(extra_bytes: int = 3 * 1024**3) -> Iterator[None]:
    """Cap this process's address space at what it uses now plus ``extra_bytes``, so
    an unbounded allocation is a ``MemoryError`` here rather than a stalled machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    cap = used + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def answer_or_project_error(call: Callable[[], Any]) -> None:
    with suppress(PROJECT_ERRORS):
        call()


@pytest.fixture(scope="module")
def compiled() -> dict[str, Any]:
    pytest.importorskip("liquid")
    pytest.importorskip("yaml")
    return {
        "expressions": [fql.compile(text) for text in EXPRESSIONS],
        "triggers": [Trigger.parse(text, mode=mode) for text, mode in TRIGGERS],
        "mapping": actions.compile_mapping(MAPPING),
        "filters": FilterList.load(FILTERS),
        "tsub": tsub.compile_transformers(TSUB),
        "transformations": [compile_transformation(t, i) for i, t in enumerate(TRANSFORMATIONS)],
        "router": Router(load_config(ROOT / "examples" / "workspace.yaml")),
    }


HOSTILE_SETTINGS = settings(
    max_examples=80, deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.large_base_example])


@HOSTILE_SETTINGS
@given(case=events())
def test_every_entry_point_answers_or_raises_a_project_error(backend, compiled, case):
    event, comparable = case
    before = copy.deepcopy(event) if comparable else None
    with memory_budget():
        for expression in compiled["expressions"]:
            program = backend.program(expression)
            answer_or_project_error(lambda p=program: p.evaluate(event))
            answer_or_project_error(lambda p=program: p.matches(event))
            answer_or_project_error(lambda p=program: p.matches_many([event, {}]))
            answer_or_project_error(lambda p=program: p.filter([event]))
        for trigger in compiled["triggers"]:
            runner = backend.trigger(trigger)
            answer_or_project_error(lambda r=runner: r.matches(event))
            answer_or_project_error(lambda r=runner: r.matches_many([event]))
        mapping = backend.mapping(compiled["mapping"])
        answer_or_project_error(lambda: mapping.apply(event))
        answer_or_project_error(lambda: mapping.apply_batch([event]))
        answer_or_project_error(lambda: compiled["filters"].apply(event))
        answer_or_project_error(lambda: compiled["tsub"].apply(event))
        answer_or_project_error(lambda: tsub.matches(event, {"type": "fql",
                                                              "ir": '["=","type","x"]'}))
        for transformation in compiled["transformations"]:
            answer_or_project_error(lambda t=transformation: t.apply(event))
        result = compiled["router"].route(event)  # never raises
        assert result.deliveries
        for delivery in result.deliveries:
            json.dumps(delivery.payloads)  # what is delivered is JSON
    if before is not None:
        assert event == before  # never mutated


@HOSTILE_SETTINGS
@given(case=hostile())
def test_hostile_rules_are_rule_errors(case):
    """The rule side: condition trees, IR, mappings and trigger text built from hostile
    values are read or refused with the project's error."""
    value, _ = case
    with memory_budget():
        answer_or_project_error(lambda: Trigger.from_conditions(value))
        answer_or_project_error(lambda: fql.from_ir(value))
        answer_or_project_error(lambda: actions.compile_mapping({"x": value}))
        answer_or_project_error(lambda: actions.compile_mapping(value))
        answer_or_project_error(lambda: tsub.matches({}, {"type": "fql", "ir": value}))
        answer_or_project_error(lambda: FilterList.load([{"if": "all", "actions": value}]))
        answer_or_project_error(lambda: tsub.compile_transformers([value]))
        answer_or_project_error(lambda: fql.compile(value))
        answer_or_project_error(lambda: fql.check(value))
        answer_or_project_error(lambda: fql.format(value))
        for mode in ("default", "segment"):
            answer_or_project_error(lambda m=mode: Trigger.parse(value, mode=m))
