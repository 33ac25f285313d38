"""The trigger API, its two readings, the linter codes and the compiled plan.

Checklist ids: TG-02..TG-07 (conditions and groups), EC-15/16, AM-15, SE-02; quirk
numbers refer to the conformance README.
"""

from __future__ import annotations

from typing import Any

import pytest

import actions
import fql
from actions import Trigger, TriggerError, check_trigger
from actions.trigger import TriggerMatchError
from actions.trigger.matcher import build
from actions.trigger.nodes import FusedEqualities, Group, Leaf, top_equalities
from actions.trigger.plan import compile_tree
from fql.js import UNDEFINED

EVENT = {"type": "track", "event": "Order Completed", "userId": "u1",
         "properties": {"total": 27.5, "zero": 0, "tags": ["a", "b"], "first name": "Ada",
                        "flag": True, "currency": "USD"},
         "context": {"library": {"name": "analytics.js"}}, "traits": {"plan": "pro"}}


def codes(text: str) -> list[str]:
    return [d.code for d in check_trigger(text)]


def test_public_names() -> None:
    assert actions.Trigger is Trigger and actions.check_trigger is check_trigger
    assert issubclass(TriggerError, fql.FqlError)
    assert issubclass(TriggerMatchError, TriggerError)


def test_conditions_are_segments_tree_shape() -> None:  # SE-02, TG-02..TG-04
    tree = Trigger.parse('type = "track" and properties.total > 20 and '
                         'match(event, "Order *") and userId != null').conditions
    assert tree == {"type": "group", "operator": "and", "children": [
        {"type": "event-type", "operator": "=", "value": "track"},
        {"type": "event-property", "name": "total", "operator": ">", "value": 20},
        {"type": "event", "operator": "starts_with", "value": "Order "},
        {"type": "userId", "operator": "exists"}]}


def test_any_group_and_does_not_exist() -> None:  # TG-05, TG-06, EC-15
    t = Trigger.parse('context.device.type = "ios" or context.os.name = "iPhone OS"')
    assert t.conditions["operator"] == "or"
    missing = Trigger.parse("properties.nothing = null")
    assert missing.matches({"properties": {"nothing": None}})
    assert missing.matches({"properties": {}})


@pytest.mark.parametrize(("text", "default_ops", "segment_ops"), [
    # quirk 1: no precedence in Segment's reading
    ('type = "a" and event = "b" or event = "c"', "or[and[=,=],=]", "or[=,=,=]"),
    # quirk 3: nested parentheses
    ('type = "a" and (event = "b" or (event = "c" and userId = "d"))',
     "and[=,or[=,and[=,=]]]", None),
    # quirk 4: '!' before a group is dropped by Segment, pushed down by FQL
    ('!(type = "page" or event = "x")', "and[!=,!=]", "or[=,=]"),
])
def test_two_readings(text: str, default_ops: str, segment_ops: str | None) -> None:
    assert _shape(Trigger.parse(text).conditions) == default_ops
    if segment_ops is None:
        with pytest.raises(TriggerError):
            Trigger.parse(text, mode="segment")
    else:
        assert _shape(Trigger.parse(text, mode="segment").conditions) == segment_ops


def _shape(node: dict) -> str:
    if node["type"] == "group":
        inner = ",".join(_shape(child) for child in node["children"])
        return f"{node['operator']}[{inner}]"
    return node["operator"]


def test_quotes_and_escapes() -> None:  # quirk 6
    assert Trigger.parse("event = 'Order Completed'").matches(EVENT)
    assert not Trigger.parse("event = 'Order Completed'", mode="segment").matches(EVENT)
    assert Trigger.parse(r'event = "say \"hi\""').conditions["children"][0]["value"] == \
        'say "hi"'


def test_operator_mapping_is_segments_in_both_modes() -> None:  # quirk 8
    for mode in ("default", "segment"):
        leaf = Trigger.parse("event = null", mode=mode).conditions["children"][0]
        assert leaf == {"type": "event", "operator": "=", "value": "null"}
        leaf = Trigger.parse("properties.n = 5", mode=mode).conditions["children"][0]
        assert leaf["operator"] == "number_equals"
        leaf = Trigger.parse('match(properties.c, "USD")', mode=mode).conditions["children"][0]
        assert leaf == {"type": "event-property", "name": "c", "operator": "ends_with",
                        "value": "SD"}


def test_matching_follows_segments_lookup() -> None:  # quirks 12, 13
    assert not Trigger.parse("properties.zero.x = null").matches(EVENT)
    assert Trigger.parse("properties.tags.length >= 2").matches(EVENT)
    assert not Trigger.parse('properties.total = "27.5"').matches(EVENT)
    assert Trigger.parse('properties.total >= "27.5"').matches(EVENT)
    assert not Trigger.parse('!contains(properties.missing, "x")').matches(EVENT)
    assert Trigger.parse('properties.first\\ name = "Ada"').matches(EVENT)


def test_default_mode_syntax_error_has_a_caret() -> None:
    with pytest.raises(TriggerError) as info:
        Trigger.parse('type = "track" AND event = "x"')
    assert info.value.code == "FQL107"
    assert "^" in str(info.value)


@pytest.mark.parametrize(("text", "code"), [
    ('length(event) > 3', "TRG201"),
    ('type in ["track", "page"]', "TRG202"),
    ('typeof(properties.x) = "string"', "TRG203"),
    ('properties.enabled', "TRG204"),
    ('type = track', "TRG205"),
    ('"track" = type', "TRG205"),
    ('anonymousId = "x"', "TRG206"),
    ('contains(type, "tr")', "TRG206"),
    ('properties.a\\.b = "x"', "TRG207"),
    ('all', "TRG208"),
    ('!(properties.total > 5)', "TRG209"),
])
def test_constructs_a_trigger_cannot_express(text: str, code: str) -> None:
    with pytest.raises(TriggerError) as info:
        Trigger.parse(text)
    assert info.value.code == code and info.value.span is not None
    assert code in codes(text)


@pytest.mark.parametrize(("text", "code"), [
    ('type = "track" and event = "a" or event = "b"', "TRG101"),
    ('type = "track" OR type = "page"', "TRG102"),
    ('type = "a" and (event = "b" or (event = "c" and userId = "d"))', "TRG103"),
    ('(contains(event, "a") or type = "page") and userId = "u"', "TRG103"),
    ('!(type = "page")', "TRG104"),
    ("event = 'Order Completed'", "TRG105"),
    ('event = "a\\nb"', "TRG106"),
    ('type = "track"\r\nand event = "x"', "TRG107"),
    ("properties.total > 1e+3", "TRG108"),
    ("properties.total > 1e3", "TRG110"),
    ("properties.1st = true", "TRG109"),
    ("type = \"track\" and properties.x = 'a' or event = \"b\"", "TRG101"),
])
def test_linter_reports_every_reading_difference(text: str, code: str) -> None:
    found = check_trigger(text)
    assert code in [d.code for d in found]
    assert all(d.severity == "warning" for d in found if d.code.startswith("TRG1"))


def test_linter_message_names_segments_reading() -> None:
    (d,) = [d for d in check_trigger('type = "a" and event = "b" or event = "c"')
            if d.code == "TRG101"]
    assert "OR of all 3 conditions" in d.message and (d.line, d.column) == (1, 12)


def test_linter_is_quiet_on_ui_text() -> None:
    assert codes('type = "track" and (event = "a" or event = "b")') == []


def test_generated_text_is_segments_with_repairs() -> None:  # quirk 14, EC-16
    tree = {"type": "group", "operator": "and", "children": [
        {"type": "event", "operator": "=", "value": 'say "hi"'},
        {"type": "event-property", "name": "🎉", "operator": "exists"},
        {"type": "event-property", "name": "n", "operator": ">", "value": 1e21}]}
    text = Trigger.from_conditions(tree).fql
    assert text == ('event = "say \\"hi\\"" and properties.\\\ud83c\\\udf89 != null and '
                    'properties.n > 1e+21')
    assert Trigger.parse(text).conditions == tree


@pytest.mark.parametrize(("value", "text"), [
    (1e21, "1e+21"), (1e-7, "1e-7"), (-0.0, "0"), (123456789012345678901, "123456789012345680000"),
    (1.5e300, "1.5e+300"), (2**53 + 2, "9007199254740994"), (5e-324, "5e-324"), (0.1, "0.1"),
])
def test_generated_numbers_are_javascripts_text(value: float, text: str) -> None:
    """Numbers are printed as Segment's generator prints them (``String(n)``), exponent
    forms included, though Segment's own parser cannot read ``1e+21`` back (the default
    reader can). The expected texts are Node's output for the same trees."""
    for operator in ("=", ">", "number_equals"):
        tree = {"type": "group", "operator": "and", "children": [
            {"type": "event-property", "name": "x", "operator": operator, "value": value}]}
        symbol = "=" if operator == "number_equals" else operator
        assert Trigger.from_conditions(tree).fql == f"properties.x {symbol} {text}"


def test_unknown_condition_type_cannot_be_printed_but_is_false() -> None:
    t = Trigger.from_conditions({"type": "group", "operator": "and", "children": [
        {"type": "mystery", "operator": "=", "value": "x"}]})
    assert t.matches(EVENT) is False
    with pytest.raises(TriggerError) as info:
        _ = t.fql
    assert info.value.code == "TRG301"


def test_throwing_lookup_raises_only_when_reached() -> None:  # edge-trigger-104
    t = Trigger.parse("properties.\\[ = 1")
    with pytest.raises(TriggerMatchError):
        t.matches(EVENT)
    guarded = Trigger.parse('type = "page" and properties.\\[ = 1')
    assert guarded.matches(EVENT) is False


def test_event_must_be_json() -> None:
    with pytest.raises(TriggerError) as info:
        Trigger.parse('type = "track"').matches({1, 2})  # type: ignore[arg-type]
    assert info.value.code == "TRG311"
    with pytest.raises(TriggerError) as info:
        Trigger.parse('type = "track"').matches_many([{}, {1, 2}])  # type: ignore[list-item]
    assert info.value.code == "TRG311"


_EMPTY_AND = {"type": "group", "operator": "and", "children": []}
_UNKNOWN_ONLY = {"type": "group", "operator": "and", "children": [{"type": "mystery"}]}


#: Segment's ``validate(tree, payload)`` for payloads that are not objects, as Node
#: answers it with @segment/destination-subscriptions 3.37.0 (``throws``: it throws).
@pytest.mark.parametrize(("tree", "answers"), [
    (Trigger.parse('type = "track"').conditions,
     [False, "throws", False, False, False, False, False]),
    (Trigger.parse("properties.x = null").conditions,
     [False, "throws", True, True, True, True, True]),
    (_EMPTY_AND, [False, True, True, True, True, True, True]),
    (_UNKNOWN_ONLY, [False, False, False, False, False, False, False]),
    ({"error": "bad"}, [False] * 7),
])
def test_payloads_that_are_not_objects_get_segments_answers(
    tree: dict[str, Any], answers: list[Any]
) -> None:
    """``undefined`` is false (validate's explicit guard); ``""``, numbers, strings,
    arrays and booleans have none of the fields a condition reads; ``null`` throws at
    the first condition that reads it."""
    trigger = Trigger.from_conditions(tree)
    payloads = [UNDEFINED, None, "", 0, "abc", [], True]
    got: list[Any] = []
    for payload in payloads:
        try:
            got.append(trigger.matches(payload))  # type: ignore[arg-type]
        except TriggerMatchError:
            got.append("throws")
    assert got == answers
    usable = [p for p, a in zip(payloads, answers, strict=True) if a != "throws"]
    assert trigger.matches_many(usable) == [trigger.matches(p) for p in usable]  # type: ignore[arg-type]


def test_segment_mode_errors_are_located() -> None:
    with pytest.raises(TriggerError) as info:
        Trigger.parse('type = "track" and properties.$price > 1', mode="segment")
    assert info.value.code == "TRG001" and info.value.column == 31
    assert "Cannot read properties of undefined" in (info.value.hint or "")


def test_plan_is_frozen_nodes_decided_before_any_event() -> None:
    plan = compile_tree(Trigger.parse(
        'type = "track" and properties.a.b >= "2" and properties.x = null').conditions)
    assert plan == Group(True, (
        Leaf("type", None, "=", "track", False),
        Leaf("properties", ("a", "b"), ">=", 2.0, False),
        Leaf("properties", ("x",), "not_exists", None, False)))
    assert build(plan)({"type": "track", "properties": {"a": {"b": 3}}})


def test_fused_equalities_are_decided_in_the_plan() -> None:
    """Two top-level equalities in one group are one node of the plan, which both
    backends run and the routing index reads."""
    plan = compile_tree(Trigger.parse('type = "track" and event = "A"').conditions)
    assert plan == FusedEqualities(True, (("type", "track"), ("event", "A")))
    assert top_equalities(plan) == {"type": "track", "event": "A"}
    either = compile_tree(Trigger.parse('type = "track" or event = "A"').conditions)
    assert either == FusedEqualities(False, (("type", "track"), ("event", "A")))
    assert top_equalities(either) == {}


def test_conversions_to_fql_are_exact_or_refused() -> None:
    t = Trigger.parse('type = "track" and properties.total > 20')
    assert t.to_fql_expression() == 'type = "track" and properties.total > 20'
    assert t.to_expression().matches(EVENT)
    guarded = Trigger.parse("properties.x != null").to_fql_expression()
    assert guarded == 'properties in [0, "", false] or properties.x != null'
    with pytest.raises(TriggerError) as info:
        Trigger.parse("properties.tags.length > 1").to_fql_expression()
    assert info.value.code == "TRG404"


def test_conversions_from_fql_only_when_meanings_agree() -> None:
    assert Trigger.from_expression('type = "track" and !(event = "x")').conditions[
        "children"][1] == {"type": "event", "operator": "!=", "value": "x"}
    with pytest.raises(TriggerError) as info:
        Trigger.from_expression("event = null")
    assert info.value.code == "TRG405" and 'event = "null"' in (info.value.hint or "")


def test_trigger_is_immutable_and_comparable() -> None:
    tree = {"type": "group", "operator": "and",
            "children": [{"type": "event", "operator": "=", "value": "a"}]}
    t = Trigger.from_conditions(tree)
    tree["children"].clear()
    t.conditions["children"].clear()
    assert len(t.conditions["children"]) == 1
    assert t == Trigger.parse('event = "a"') and hash(t) == hash(Trigger.parse('event = "a"'))
