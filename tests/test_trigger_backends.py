"""The trigger kernel (``fql._ext._trigger``) against its pure-Python twin
(``actions.trigger.matcher``).

Both take the same compiled plan; every test builds both, whatever ``FQL_PUREPYTHON``
says, and requires the same answer, or the same exception (class and message), for
every event: Segment's conformance trees and events, unusual values, and random trees
over random events dense enough that conditions often hit.
"""

from __future__ import annotations

import collections
import enum
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import Trigger, TriggerError
from actions.trigger import matcher
from actions.trigger.conditions import DIRECT_TYPES, NAMED_TYPES, UI_OPERATORS
from actions.trigger.nodes import NODE_TYPES
from actions.trigger.plan import compile_tree
from fql.backend import FORCE_PYTHON, load_kernel

from .conformance_data import load_cases

KERNEL = load_kernel("_trigger")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="the trigger kernel was not built")


def outcome(match: Any, event: Any) -> Any:
    try:
        answer = match(event)
    except Exception as exc:  # whatever it is, both must raise it alike
        return ("raised", type(exc).__name__, str(exc))
    return ("value", type(answer).__name__, answer)


def agree(tree: Any, events: list[Any]) -> None:
    plan = compile_tree(tree)
    python = matcher.build(plan)
    kernel = KERNEL.build(plan)  # type: ignore[union-attr]
    for event in events:
        expected = outcome(python, event)
        assert outcome(kernel.matches, event) == expected, (tree, event)
    assert outcome(kernel.matches_many, events) == outcome(
        lambda evs: [python(e) for e in evs], events)


def test_triggers_run_the_kernel_unless_python_is_forced() -> None:
    program = Trigger.parse('type = "track"')._match
    assert (getattr(program, "__self__", None) is None) == FORCE_PYTHON


def test_every_conformance_tree_agrees_on_its_event() -> None:
    checked = 0
    for case in load_cases("trigger"):
        try:
            trigger = Trigger.parse(case["fql"], mode="segment")
        except TriggerError:
            continue
        agree(trigger.conditions, [case["event"]])
        checked += 1
    for case in load_cases("validate"):
        agree(case["ast"], [case["event"]])
        checked += 1
    assert checked > 1000


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


ODD_EVENTS: list[Any] = [
    {"type": Text("track"), "event": Level.HIGH, "userId": 2**1100, "properties": {"a": -2**1100}},
    {"type": "track", "properties": collections.OrderedDict(a="x"), "context": {"a": [1, "😀"]}},
    {"type": "track", "properties": {"a": "😀x", "b": float("nan"), "c": True, "d": 0}},
    {"type": "track", "properties": {"a": ["x", "y"], "b": "xyz", "c": {"toString": 1}}},
    {"properties": {"a": (1, 2), "b": {1: 2}, "c": b"x"}},
    collections.OrderedDict(type="track"),
    ["not", "an", "object"],
    None,
]


def leaf(ctype: str, op: str, value: Any = None, name: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": ctype, "operator": op}
    if name is not None:
        node["name"] = name
    if value is not None:
        node["value"] = value
    return node


@pytest.mark.parametrize("condition", [
    leaf("event-type", "=", "track"),
    leaf("event-type", "!=", "track"),
    leaf("event", "=", "3"),
    leaf("event-property", "contains", "x", "a"),
    leaf("event-property", "not_starts_with", "😀", "a"),
    leaf("event-property", "ends_with", "z", "b"),
    leaf("event-property", ">", 1, "a"),
    leaf("event-property", "number_not_equals", 1, "b"),
    leaf("event-property", "<=", 0, "d"),
    leaf("event-property", "exists", None, "a.length"),
    leaf("event-property", "exists", None, "c.toString"),
    leaf("event-property", "exists", None, "c.valueOf"),  # a JS member of every object
    leaf("event-property", "not_exists", None, "constructor"),
    leaf("event-property", "is_true", None, "c"),
    leaf("event-property", "=", "y", "a.1"),
    leaf("event-context", "=", "😀", "a.1"),
    leaf("userId", ">=", 0),
    leaf("userId", "exists"),
])
def test_unusual_events_agree(condition: dict[str, Any]) -> None:
    for operator in ("and", "or"):
        tree = {"type": "group", "operator": operator,
                "children": [condition, leaf("event-type", "=", "track")]}
        agree(tree, ODD_EVENTS[:-3])
        for event in ODD_EVENTS[-3:]:
            agree(tree, [event])


def test_trees_segment_throws_for_agree() -> None:
    agree({"type": "group", "operator": "and", "children": [{"type": "event-property"}]},
          [{"properties": {}}, {}])


# Dense data: few names and values, so conditions often meet the event.
NAMES = st.sampled_from(["a", "b", "a.b", "a.0", "a.length", "b.toString", "constructor",
                         "a.b.c", "0"])
STRINGS = st.sampled_from(["", "a", "ab", "b", "track", "😀", "a😀"])
NUMBERS = st.one_of(st.integers(-2, 2), st.sampled_from([0.5, -0.0, 2**60, 1e300]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, STRINGS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "c", "0", "length"]),
                                            inner, max_size=3)),
    max_leaves=8)
EVENTS = st.fixed_dictionaries({}, optional={
    key: VALUES for key in ("type", "event", "name", "userId", "properties", "traits",
                            "context")})


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    ctype = draw(st.sampled_from(sorted(DIRECT_TYPES | NAMED_TYPES)))
    op = draw(st.sampled_from(sorted(UI_OPERATORS[ctype])))
    node: dict[str, Any] = {"type": ctype, "operator": op}
    if ctype in NAMED_TYPES:
        node["name"] = draw(NAMES)
    node["value"] = draw(st.one_of(STRINGS, NUMBERS, st.none(), st.booleans()))
    return node


TREES = st.recursive(
    conditions(),
    lambda inner: st.builds(lambda op, kids: {"type": "group", "operator": op,
                                              "children": kids},
                            st.sampled_from(["and", "or", "xor"]),
                            st.lists(inner, max_size=4)),
    max_leaves=6,
).map(lambda tree: tree if tree["type"] == "group" else
      {"type": "group", "operator": "and", "children": [tree]})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES, events=st.lists(EVENTS, min_size=1, max_size=4))
def test_random_trees_agree_on_random_events(tree: dict[str, Any], events: list[Any]) -> None:
    agree(tree, events)


@settings(max_examples=200, deadline=None)
@given(tree=st.recursive(st.one_of(st.none(), st.booleans(), st.text(max_size=3)),
                         lambda inner: st.one_of(
                             st.lists(inner, max_size=3),
                             st.dictionaries(st.sampled_from(
                                 ["type", "operator", "children", "name", "value"]),
                                 inner, max_size=5)),
                         max_leaves=10),
       event=EVENTS)
def test_malformed_trees_agree(tree: Any, event: dict[str, Any]) -> None:
    """Any JSON as a tree (``from_conditions`` accepts it): the same answer or throw."""
    agree(tree, [event])


def test_nan_expected_and_huge_numbers() -> None:
    for value in ("abc", "1e999", "-1e999", "0x10"):
        tree = {"type": "group", "operator": "or",
                "children": [leaf("event-property", op, value, "a")
                             for op in ("number_equals", "number_not_equals", "<", ">=")]}
        agree(tree, [{"properties": {"a": x}} for x in
                     (math.inf, -math.inf, 2**1100, 1, float("nan"), "1")])


def test_every_plan_node_has_a_handler_in_both_backends() -> None:
    """STYLE.md §3: each trigger plan node class is built by the twin and converted by
    the kernel (a new node cannot be forgotten by either)."""
    trees = [Trigger.parse(text).conditions for text in (
        'type = "track"', 'type = "track" and event = "A"',
        'type = "track" and (event = "A" or userId = "u" or properties.x > 1)')]
    trees += [{"type": "group", "operator": "xor", "children": []},
              {"type": "group", "operator": "and", "children": None}]

    def kinds(node: Any) -> set[type]:
        inner = getattr(node, "children", ())
        return {type(node)}.union(*(kinds(child) for child in inner))

    assert set().union(*(kinds(compile_tree(tree)) for tree in trees)) == set(NODE_TYPES)
    for node_type in NODE_TYPES:
        assert node_type in matcher.BUILDERS, node_type
    for tree in trees:
        agree(tree, [{"type": "track", "event": "A", "userId": "u"}, {}])
