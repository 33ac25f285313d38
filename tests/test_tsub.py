"""fql.tsub: Segment's device-mode rule format (matchers, transformers, rules per
destination). Conformance quirks 42-44 are pinned here by name; the bulk of the
reference behaviour is in test_tsub_transform_conformance.py."""

from __future__ import annotations

import copy
import json

import pytest

import fql
import fql.tsub as tsub
from fql.filters.errors import RuleError, RuleEventError

EVENT = {
    "type": "track",
    "event": "Order Completed",
    "userId": "u1",
    "properties": {
        "total": 27.5,
        "zero": 0,
        "nothing": None,
        "email": "a@b.c",
        "products": [{"sku": "A", "price": 1}, {"sku": "B", "price": 2}, "text"],
        "tags": ["x", ["y", "z"]],
    },
    "context": {"ip": "1.2.3.4"},
}


def run(transformers, event=EVENT):
    before = copy.deepcopy(event)
    out = tsub.transform(event, transformers)
    assert event == before  # the input is never modified
    return out


def test_matches_all_and_fql_ir():
    assert tsub.matches(EVENT, {"type": "all"}) is True
    ir = json.dumps(["=", "event", {"value": "Order Completed"}])
    assert tsub.matches(EVENT, {"type": "fql", "ir": ir}) is True
    assert tsub.matches(EVENT, {"type": "fql", "ir": ["=", "event", {"value": "x"}]}) is False
    assert tsub.matches(EVENT, {"type": "fql", "ir": ""}) is False  # empty IR


def test_matches_uses_the_documented_fql_semantics():
    ir = fql.compile("lowercase(event) = 'order completed'").to_ir()
    assert tsub.matches(EVENT, {"type": "fql", "ir": json.dumps(ir)}) is True


@pytest.mark.parametrize(
    ("matcher", "code", "field"),
    [
        ({"type": "regex", "ir": "x"}, "FLT101", "/type"),
        ({"type": "fql", "ir": "[not json"}, "FLT102", "/ir"),
        ({"ir": "x"}, "FLT100", "/type"),
    ],
)
def test_bad_matchers_are_clear_errors(matcher, code, field):
    with pytest.raises(RuleError) as info:
        tsub.matches(EVENT, matcher)
    assert info.value.code == code
    assert info.value.field == field


def test_drop_returns_none_and_stops():  # quirk 42
    assert run([{"type": "drop"}, {"type": "no_such_type"}]) is None


def test_hash_properties_is_ignored():  # quirk 42
    assert run([{"type": "hash_properties", "config": {"anything": 1}}]) == EVENT


def test_unknown_type_and_missing_config_raise_when_reached():
    with pytest.raises(RuleError) as info:
        run([{"type": "unknown_transformer"}])
    assert info.value.code == "FLT101"
    with pytest.raises(RuleError) as info:
        run([{"type": "drop_properties"}])
    assert info.value.field == "/0/config"


def test_strict_compile_raises_at_once():
    with pytest.raises(RuleError):
        tsub.compile_transformers([{"type": "drop"}, {"type": "nope"}])


def test_drop_properties_nested_and_in_arrays():  # quirk 43
    out = run([{"type": "drop_properties", "config": {"drop": {
        "properties.products": ["price"], "": ["userId"], "properties.tags": ["0"],
    }}}])
    assert "userId" not in out
    assert out["properties"]["products"] == [{"sku": "A"}, {"sku": "B"}, "text"]
    assert out["properties"]["tags"] == ["x", [None, "z"]]  # a hole, written as null
    assert out["context"] is EVENT["context"]  # untouched parts are shared


def test_allow_properties():
    out = run([{"type": "allow_properties", "config": {"allow": {"properties": ["total"]}}}])
    assert out["properties"] == {"total": 27.5}
    out = run([{"type": "allow_properties", "config": {"allow": {"context": []}}}])
    assert out["context"] == {}


def test_map_reads_the_snapshot():  # quirk 44
    out = run([{"type": "map_properties", "config": {"map": {
        "properties.total": {"set": 1},
        "properties.copy": {"copy": "properties.total"},
    }}}])
    assert out["properties"]["total"] == 1
    assert out["properties"]["copy"] == 27.5


def test_map_move_and_falsy_move():
    out = run([{"type": "map_properties", "config": {"map": {
        "properties.moved": {"move": "properties.email"},
        "properties.z": {"move": "properties.zero"},
    }}}])
    assert out["properties"]["moved"] == "a@b.c" and "email" not in out["properties"]
    assert out["properties"]["z"] == 0 and out["properties"]["zero"] == 0


def test_map_to_string_and_missing_parent():
    out = run([{"type": "map_properties", "config": {"map": {
        "properties.total": {"to_string": True},
        "properties.nothing": {"to_string": True},
        "properties.absent": {"to_string": True},
        "missing.child": {"set": 1},
        "properties.products.0.sku": {"set": "Z"},
    }}}])
    assert out["properties"]["total"] == "27.5"
    assert out["properties"]["nothing"] == "null"
    assert out["properties"]["absent"] == "undefined"
    assert "missing" not in out
    assert out["properties"]["products"][0]["sku"] == "Z"


def test_map_set_through_a_null_parent_is_an_event_error():
    with pytest.raises(RuleEventError) as info:
        run([{"type": "map_properties", "config": {"map": {"properties.nothing.x": {"set": 1}}}}])
    assert info.value.code == "FLT301"


def test_set_values_are_not_shared_with_the_config():
    mapping = {"properties.o": {"set": {"a": 1}}}
    transformers = [{"type": "map_properties", "config": {"map": mapping}}]
    out = run(transformers)
    out["properties"]["o"]["a"] = 2
    assert transformers[0]["config"]["map"]["properties.o"]["set"] == {"a": 1}


def test_sample_event_boundaries():
    assert run([{"type": "sample_event", "config": {"sample": {"percent": 0, "path": ""}}}]) is None
    assert run([{"type": "sample_event", "config": {"sample": {"percent": 1}}}]) == EVENT


def test_bad_events_are_clear_errors():
    with pytest.raises(fql.FqlEventError):
        tsub.transform(["not", "an", "object"], [])
    cyclic: dict = {"type": "track"}
    cyclic["self"] = cyclic
    with pytest.raises(RuleEventError):
        tsub.transform(cyclic, [{"type": "map_properties", "config": {"map": {"a": {"set": 1}}}}])
    with pytest.raises(RuleEventError):
        tsub.transform({"when": object()}, [
            {"type": "sample_event", "config": {"sample": {"percent": 0.5, "path": "when"}}}
        ])


RULES = [
    {
        "scope": "destinations",
        "target_type": "workspace::project::destination::config",
        "destinationName": "Amplitude",
        "matchers": [
            {"type": "fql", "ir": json.dumps(["=", "event", {"value": "Order Completed"}])},
            {"type": "all"},
        ],
        "transformers": [
            [{"type": "drop_properties", "config": {"drop": {"properties": ["email"]}}}],
            [{"type": "map_properties", "config": {"map": {"properties.seen": {"set": True}}}}],
        ],
    },
    {
        "scope": "destinations",
        "target_type": "workspace::project::destination::config",
        "destinationName": "Mixpanel",
        "matchers": [{"type": "all"}],
        "transformers": [[{"type": "drop"}]],
    },
    {"matchers": [{"type": "all"}], "transformers": [[
        {"type": "drop_properties", "config": {"drop": {"context": ["ip"]}}}
    ]]},
]


def test_rule_set_groups_rules_per_destination():
    rules = tsub.RuleSet.load(RULES)
    assert rules.destinations == ("Amplitude", "Mixpanel")
    amplitude = rules.apply(EVENT, "Amplitude")
    assert amplitude is not None
    assert "email" not in amplitude["properties"] and amplitude["properties"]["seen"] is True
    assert "ip" not in amplitude["context"]  # the global rule applies too
    assert rules.apply(EVENT, "Mixpanel") is None
    other = rules.apply(EVENT, "Braze")
    assert other is not None and "ip" not in other["context"] and "email" in other["properties"]


def test_rule_errors_name_the_rule_and_field():
    bad = copy.deepcopy(RULES)
    bad[1]["transformers"][0][0] = {"type": "sample_event", "config": {"sample": {}}}
    with pytest.raises(RuleError) as info:
        tsub.RuleSet.load(bad)
    assert info.value.rule == "rule 1 (Mixpanel)"
    assert info.value.field == "/1/transformers/0/0/config/sample/percent"
    bad = copy.deepcopy(RULES)
    bad[0]["transformers"].pop()
    with pytest.raises(RuleError) as info:
        tsub.RuleSet.load(bad)
    assert info.value.field == "/0/transformers"
    with pytest.raises(RuleError) as info:
        tsub.RuleSet.load([{"matchers": [], "transformers": [], "destination": "x"}])
    assert info.value.field == "/0/destination"
