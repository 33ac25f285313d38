"""``mode="tsub"``: IR read exactly as Segment's device-mode library reads it.

One named test per difference between the two readings (the reasons of
``conformance/tsub_match_differences.json``; docs/semantics.md, "Device-mode reading"),
each asserting both answers, so a test fails if either reading moves. The answers in the
``tsub`` column are the reference's (conformance README quirks 30-40); the conformance
runner checks all 413 vendored cases in both modes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import fql
import fql.tsub
from fql.js import UNDEFINED

EVENT: dict[str, Any] = {
    "type": "track",
    "event": "Button Clicked",
    "userId": None,
    "properties": {"features": ["discounts", "dark-mode"], "s": "\u30a2", "emoji": "🎉",
                   "o": {"b": 2, "a": 1}, "zero": 0, "x": ["length", "event"],
                   "version": "1.2.3-beta", "received": "2024-01-02"},
}


def both(ir: Any, event: dict[str, Any] = EVENT) -> tuple[Any, Any]:
    """(default reading, device-mode reading) of ``matches``; an error is its code."""
    answers = []
    for mode in ("fql", "tsub"):
        try:
            answers.append(fql.from_ir(json.dumps(ir), mode=mode).matches(event))  # type: ignore[call-overload]
        except fql.FqlError as err:
            answers.append(err.code)
    return answers[0], answers[1]


def test_typeof_names() -> None:
    assert both(["=", ["typeof", "properties.features"], {"value": "object"}]) == (False, True)
    assert both(["=", ["typeof", "properties.features"], {"value": "list"}]) == (True, False)
    assert both(["=", ["typeof", "userId"], {"value": "object"}]) == (False, True)
    assert both(["=", ["typeof", "nope"], {"value": "undefined"}]) == (False, True)
    assert both(["=", ["typeof", {"value": True}], {"value": "boolean"}]) == (False, True)


def test_length_counts_utf16_units_and_missing_is_nan() -> None:
    assert both(["=", ["length", "properties.s"], {"value": 1}]) == (False, True)
    assert both(["=", ["length", "properties.emoji"], {"value": 2}]) == (False, True)
    assert both(["=", ["length", "properties.nope"], {"value": 0}]) == (True, False)
    assert both(["=", ["length", {"value": None}], {"value": 0}]) == (True, True)


def test_missing_is_not_null() -> None:
    assert both(["!=", "properties.nope", {"value": None}]) == (False, True)
    assert both(["=", "properties.nope", {"value": None}]) == (True, False)
    assert both(["=", "userId", {"value": None}]) == (True, True)


def test_object_literal_compares_json_text() -> None:
    assert both(["=", "properties.o", {"value": {"b": 2, "a": 1}}]) == ("FQL502", True)
    assert both(["=", "properties.o", {"value": {"a": 1, "b": 2}}]) == ("FQL502", False)


def test_list_equality_compares_the_wrapped_ir() -> None:
    wrapped = {"value": [{"value": "discounts"}, {"value": "dark-mode"}]}
    assert both(["=", "properties.features", wrapped]) == (True, False)
    # bare strings in a list literal are paths in both readings
    assert both(["=", "properties.features", {"value": ["discounts", "dark-mode"]}]) == (
        False, True)


def test_event_data_shaped_like_ir_is_evaluated() -> None:
    event = {"event": "abcd", "properties": {"x": ["length", "event"]}}
    assert both(["=", "properties.x", {"value": 4}], event) == (False, True)


def test_boolean_logic_uses_js_truthiness() -> None:
    assert both(["and", ["lowercase", "event"], {"value": True}]) == (False, True)
    assert both(["!", ["lowercase", "event"]]) == (True, False)
    assert both(["lowercase", "event"]) == (False, False)  # a string at the top: false


def test_invalid_ir_answers_instead_of_failing() -> None:
    assert both(["=", {"foo": 1}, {"value": None}]) == ("FQL502", False)
    assert both(True) == ("FQL502", False)  # a bare boolean is the whole event, not true
    assert both(["=", None, {"value": 1}]) == ("FQL502", "FQL505")  # null operand throws
    assert fql.tsub.matches(EVENT, {"type": "fql", "ir": ""}, mode="tsub") is False


def test_paths_reach_js_members() -> None:
    assert both(["=", "event.length", {"value": 14}]) == (False, True)
    assert both(["=", "event.0", {"value": "B"}]) == (False, True)
    assert both(["=", ["typeof", "properties.o.constructor"], {"value": "function"}]) == (
        False, True)
    # dlv stops at a falsy step with undefined (0.toFixed is never read)
    assert both(["=", ["typeof", "properties.zero.toFixed"], {"value": "undefined"}]) == (
        False, True)


def test_in_reads_list_items_as_operands() -> None:
    # the documented example: each event array element is read as a *path*
    assert both(["in", {"value": "dark-mode"}, "properties.features"]) == (True, False)
    # a missing list throws in the browser
    assert both(["in", {"value": "a"}, "properties.nope"]) == (False, "FQL505")
    assert both(["in", "type", {"value": [{"value": "track"}, {"value": "page"}]}]) == (
        True, True)


def test_reference_functions_unknown_to_the_device_library() -> None:
    assert both(["=", ["uppercase", "event"], {"value": "BUTTON CLICKED"}]) == (True, False)
    assert both(["uppercase", "event"]) == (False, "FQL505")


def test_string_ordering_is_numbers_only() -> None:
    assert both([">", "properties.received", {"value": "2023-12-31"}]) == (True, False)
    assert both([">", ["length", "event"], {"value": 3}]) == (True, True)


def test_evaluate_gives_js_values() -> None:
    device = fql.from_ir('["typeof", "nope"]', mode="tsub")
    assert device.evaluate(EVENT) == "undefined"
    assert fql.from_ir('["lowercase", "userId"]', mode="tsub").evaluate(EVENT) is None
    assert fql.from_ir('"nope"', mode="tsub").evaluate(EVENT) is False
    assert fql.from_ir('{"value": 1}', mode="tsub").evaluate(EVENT) is False
    assert device.paths == ("nope",)
    assert UNDEFINED is not None


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("Button *", "Button Clicked", True),
    ("*", "", True),
    ("a*b", "a/x/b", True),          # * crosses /
    ("?", "🎉", False),              # ? is one UTF-16 unit
    ("??", "🎉", True),
    ("[a-c]x", "bx", True),
    ("[^a-c]x", "bx", False),
    ("\\*", "*", True),
    ("a[", "a[", False),             # malformed class: false
    ("a\\", "a", False),             # trailing backslash: false
    ("*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", False),
])
def test_match_is_the_go_glob_on_utf16_units(pattern: str, text: str, expected: bool) -> None:
    ir = ["match", "properties.t", {"value": pattern}]
    assert fql.from_ir(json.dumps(ir), mode="tsub").matches({"properties": {"t": text}}) is (
        expected)


@pytest.mark.parametrize(("version", "op", "other", "expected"), [
    ("1.2.3-beta", "=", "1.2.3", True),
    ("1.2", "=", "1.2.0", True),
    ("v1.2", ">", "1.0", False),      # parseInt("v1") is NaN: invalid
    ("1.2.3.4", ">", "1.0", False),   # four parts: invalid
    (" 2 .1", ">", "1.9", True),      # parts are trimmed
    ("1.10", ">", "1.9", True),
    ("1.0", "~", "1.0", False),       # unknown operator
])
def test_semver(version: str, op: str, other: str, expected: bool) -> None:
    ir = ["semver", "properties.v", {"value": op}, {"value": other}]
    assert fql.from_ir(json.dumps(ir), mode="tsub").matches({"properties": {"v": version}}) is (
        expected)


def test_matcher_config_is_accepted() -> None:
    """Segment's rule JSON carries ``config.expr`` on matchers, which tsub never reads:
    it is accepted and the IR alone decides, as in tsub. A field Segment's JSON does
    not carry is still an error."""
    matcher = {"type": "fql", "ir": '["=","event",{"value":"Test"}]',
               "config": {"expr": 'event = "Test"'}}
    for mode in ("fql", "tsub"):
        assert fql.tsub.matches({"event": "Test"}, matcher, mode=mode) is True  # type: ignore[arg-type]
        # a config that disagrees with the IR changes nothing: the IR decides
        other = {**matcher, "config": {"expr": 'event = "Other"'}}
        assert fql.tsub.matches({"event": "Test"}, other, mode=mode) is True  # type: ignore[arg-type]
    rules = fql.tsub.RuleSet.load([{
        "scope": "destinations", "target_type": "workspace::project::destination::config",
        "matchers": [matcher], "transformers": [[{"type": "drop"}]],
        "destinationName": "Amplitude",
    }])
    assert rules.apply({"event": "Test"}, "Amplitude") is None
    assert rules.apply({"event": "Other"}, "Amplitude") == {"event": "Other"}
    with pytest.raises(fql.FqlError) as info:
        fql.tsub.matches({}, {**matcher, "irr": "[]"})
    assert info.value.code == "FLT100"


def test_rule_set_in_device_mode() -> None:
    raw = [{"matchers": [{"type": "fql", "ir": '["!=","properties.nope",{"value":null}]'}],
            "transformers": [[{"type": "drop"}]], "scope": "destinations",
            "target_type": "x"}]
    event = {"properties": {}}
    assert fql.tsub.RuleSet.load(raw).apply(event, "A") == event
    assert fql.tsub.RuleSet.load(raw, mode="tsub").apply(event, "A") is None


def test_device_mode_reports_a_bad_transformer_only_when_reached() -> None:
    raw = [{"matchers": [{"type": "all"}], "scope": "d", "target_type": "x",
            "transformers": [[{"type": "drop"}, {"type": "nope"}]]}]
    with pytest.raises(fql.FqlError):
        fql.tsub.RuleSet.load(raw)
    assert fql.tsub.RuleSet.load(raw, mode="tsub").apply({"a": 1}, "A") is None


def test_device_mode_expression_is_immutable_and_checks_input() -> None:
    device = fql.from_ir('["=","type",{"value":"track"}]', mode="tsub")
    with pytest.raises(AttributeError):
        device.ir = []  # type: ignore[misc]
    assert device.to_ir() == ["=", "type", {"value": "track"}]
    assert device.matches_many([EVENT, {"type": "page"}]) == [True, False]
    assert device.filter([EVENT, {"type": "page"}]) == [EVENT]
    with pytest.raises(fql.FqlEventError):
        device.matches(["not", "an", "object"])
    with pytest.raises(fql.FqlIRError):
        fql.from_ir("[not json", mode="tsub")
    with pytest.raises(fql.FqlIRError):
        fql.from_ir("NaN", mode="tsub")  # JSON.parse rejects it
    with pytest.raises(ValueError, match="mode"):
        fql.from_ir("[]", mode="browser")  # type: ignore[call-overload]
    deep: Any = ["=", "type", {"value": "x"}]
    for _ in range(100):
        deep = ["!", deep]
    with pytest.raises(fql.FqlIRError):
        fql.from_ir(json.dumps(deep), mode="tsub").matches(EVENT)


@pytest.mark.parametrize(("ir", "documented", "browser"), [
    (["!=", "properties.nope", {"value": None}], False, True),
    (["in", {"value": "dark-mode"}, "properties.features"], False, "error FQL505"),
    (["=", ["typeof", "properties.x"], {"value": "list"}], True, False),
    (["=", ["length", "properties.s"], {"value": 3}], True, False),
])
def test_reading_difference_finds_an_event(ir: Any, documented: Any, browser: Any) -> None:
    found = fql.tsub.reading_difference(json.dumps(ir))
    assert found is not None
    event, fql_answer, tsub_answer = found
    assert (fql_answer, tsub_answer) == (documented, browser)
    # the event really shows the difference, in both readings
    assert fql.from_ir(json.dumps(ir)).matches(event) is documented
    if browser is not True and browser is not False:
        with pytest.raises(fql.FqlIRError):
            fql.from_ir(json.dumps(ir), mode="tsub").matches(event)
    else:
        assert fql.from_ir(json.dumps(ir), mode="tsub").matches(event) is browser


def test_reading_difference_is_none_when_the_readings_agree() -> None:
    ir = ["and", ["=", "type", {"value": "track"}], ["contains", "event", {"value": "Order"}]]
    assert fql.tsub.reading_difference(json.dumps(ir)) is None


def test_lint_reports_device_mode_rules_read_differently(tmp_path: Any) -> None:
    """FLT130, the way TRG101 reports triggers Segment reads differently: one warning per
    matcher whose two readings differ, naming an event where they do."""
    from fql.cli import main

    rules = [{"scope": "destinations", "target_type": "x", "destinationName": "Amplitude",
              "matchers": [
                  {"type": "fql", "ir": '["!=","properties.plan",{"value":null}]',
                   "config": {"expr": "properties.plan != null"}},
                  {"type": "fql", "ir": '["=","type",{"value":"track"}]'}],
              "transformers": [[{"type": "drop"}], [{"type": "drop"}]]}]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    out, err = io.StringIO(), io.StringIO()
    code = main(["lint", "--format", "json", str(path)], out, err)
    found = [d for d in json.loads(out.getvalue()) if d["code"] == "FLT130"]
    assert code == 1 and len(found) == 1
    assert found[0]["pointer"] == "/0/matchers/0/ir"
    assert '{"properties": {}}' in found[0]["message"]


_FUZZ = [json.loads(line) for line in
         (Path(__file__).parent / "golden" / "tsub_device_mode.jsonl").read_text(
             encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", _FUZZ, ids=[c["id"] for c in _FUZZ])
def test_device_mode_agrees_on_random_rules(case: dict[str, Any]) -> None:
    """800 random rules and events (``tests/generators/tsub_cases.py``) answered by
    Segment's device-mode library (``tsub_oracle.mjs``): every answer agrees, errors
    included."""
    try:
        got: dict[str, Any] = {"match": fql.from_ir(case["ir"], mode="tsub").matches(
            case["event"])}
    except fql.FqlIRError:
        got = {"error": True}
    if "error" in case["expected"]:
        assert "error" in got, case["ir"]
    else:
        assert got == case["expected"], case["ir"]
