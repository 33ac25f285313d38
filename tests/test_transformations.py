"""fql.filters.transformations: Protocols transformations (TR-xx ids cite
../shared/reference/segment-docs-checklist.md §1.4)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fql.filters import FilterList, FilterReason
from fql.filters.errors import RuleError
from fql.filters.transformations import (
    MAX_PATH_DEPTH,
    Transformation,
    Transformations,
    deliver,
    split_escaped,
)

EXAMPLES = Path(__file__).parent.parent / "examples"

ORDER = {
    "type": "track",
    "event": "order_updated",
    "userId": "u1",
    "properties": {
        "address": {"city": "Paris", "zip": "75001"},
        "ingredients.salad": "yes",
        "ingredients": {"salad": "nested"},
        "currency": "eur",
        "plan": "PRO",
        "city": "old",
    },
    "context": {"app": {"name": "Shop"}},
}


def transform(*transformations, event=ORDER):
    before = copy.deepcopy(event)
    out = Transformations.load(list(transformations)).apply_source(event)
    assert event == before  # never modified
    return out


def base(**fields):
    return {"name": "t", "if": "all", **fields}


def test_rename_track_event():  # TR-01
    out = transform(base(**{"if": "event = 'order_updated'"}, newEventName="Order Updated"))
    assert out["event"] == "Order Updated"
    assert transform(base(newEventName="X"), event={"type": "identify", "traits": {}}) == {
        "type": "identify", "traits": {}}


def test_condition_must_match():
    out = transform(base(**{"if": "event = 'something else'"}, newEventName="X"))
    assert out is ORDER


def test_rename_moves_out_of_and_into_objects():  # TR-11
    out = transform(base(propertyRenames=[
        {"oldName": "address.city", "newName": "town"},
        {"oldName": "plan", "newName": "account.plan"},
    ]))
    assert out["properties"]["address"] == {"zip": "75001"}
    assert out["properties"]["town"] == "Paris"
    assert out["properties"]["account"] == {"plan": "PRO"}
    assert "plan" not in out["properties"]


def test_escaped_dot_is_one_key():  # TR-12
    out = transform(base(propertyRenames=[{"oldName": "ingredients\\.salad", "newName": "salad"}]))
    assert out["properties"]["salad"] == "yes"
    assert out["properties"]["ingredients"] == {"salad": "nested"}
    out = transform(base(propertyRenames=[{"oldName": "ingredients.salad", "newName": "salad"}]))
    assert out["properties"]["salad"] == "nested"
    assert out["properties"]["ingredients.salad"] == "yes"


def test_split_escaped():
    assert split_escaped("a\\.b.c") == ("a.b", "c")
    assert split_escaped("a\\\\.b") == ("a\\", "b")
    assert split_escaped("a..b") is None and split_escaped("") is None
    assert split_escaped("a\\") is None


def test_swapping_renames():
    out = transform(base(propertyRenames=[
        {"oldName": "city", "newName": "currency"}, {"oldName": "currency", "newName": "city"},
    ]))
    assert (out["properties"]["city"], out["properties"]["currency"]) == ("eur", "old")


def test_identify_and_group_renames_apply_to_traits():
    event = {"type": "identify", "traits": {"first_name": "Ada"}, "properties": {"x": 1}}
    out = transform(base(propertyRenames=[{"oldName": "first_name", "newName": "firstName"}]),
                    event=event)
    assert out["traits"] == {"firstName": "Ada"} and out["properties"] == {"x": 1}


def test_value_transformations():  # TR-02, TR-06
    out = transform(base(propertyValueTransformations=[
        {"propertyPaths": ["properties.currency", "context.app.flavor", "channel"],
         "propertyValue": "USD"},
    ]))
    assert out["properties"]["currency"] == "USD"
    assert out["context"]["app"] == {"name": "Shop", "flavor": "USD"}
    assert out["channel"] == "USD"


def test_fql_defined_property():  # TR-03, TR-04, FQL-02
    dynamic = transform(base(fqlDefinedProperties=[
        {"fql": "lowercase(properties.plan)", "propertyName": "properties.plan"}]))
    assert dynamic["properties"]["plan"] == "pro"
    static = transform(base(fqlDefinedProperties=[
        {"fql": 'uppercase("United States")', "propertyName": "properties.country"}]))
    assert static["properties"]["country"] == "UNITED STATES"


def test_moved_objects_are_copies():
    out = transform(base(propertyRenames=[{"oldName": "address", "newName": "where"}]))
    out["properties"]["where"]["city"] = "Lyon"
    assert ORDER["properties"]["address"]["city"] == "Paris"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        # TR-05: one fqlDefinedProperties entry, not combined with other changes
        ({"fqlDefinedProperties": [{"fql": "1", "propertyName": "properties.a"}] * 2},
         "FLT200", "/0/fqlDefinedProperties/1"),
        ({"newEventName": "X",
          "fqlDefinedProperties": [{"fql": "1", "propertyName": "properties.a"}]},
         "FLT200", "/0/fqlDefinedProperties"),
        ({"propertyRenames": [{"oldName": "a", "newName": "b"}],
          "fqlDefinedProperties": [{"fql": "1", "propertyName": "properties.c"}]},
         "FLT200", "/0/fqlDefinedProperties"),
        # TR-07: the same path twice, or a value path that is also renamed
        ({"propertyValueTransformations": [
            {"propertyPaths": ["properties.a"], "propertyValue": "1"},
            {"propertyPaths": ["properties.a"], "propertyValue": "2"}]},
         "FLT200", "/0/propertyValueTransformations/1/propertyPaths/0"),
        ({"propertyValueTransformations": [
            {"propertyPaths": ["properties.a", "properties.a"], "propertyValue": "1"}]},
         "FLT200", "/0/propertyValueTransformations/0/propertyPaths/1"),
        ({"propertyRenames": [{"oldName": "a", "newName": "b"}],
          "propertyValueTransformations": [{"propertyPaths": ["properties.b"],
                                            "propertyValue": "1"}]},
         "FLT200", "/0/propertyValueTransformations/0/propertyPaths/0"),
        ({"propertyRenames": [{"oldName": "a", "newName": "b"}, {"oldName": "a", "newName": "c"}]},
         "FLT200", "/0/propertyRenames/1/oldName"),
        # TR-06, TR-10: where values may be set, depth, array paths
        ({"propertyValueTransformations": [{"propertyPaths": ["traits.a"], "propertyValue": "1"}]},
         "FLT201", "/0/propertyValueTransformations/0/propertyPaths/0"),
        ({"propertyRenames": [{"oldName": "products.$.id", "newName": "ids"}]},
         "FLT201", "/0/propertyRenames/0/oldName"),
        ({"propertyRenames": [{"oldName": "a..b", "newName": "c"}]},
         "FLT201", "/0/propertyRenames/0/oldName"),
        # shapes and FQL
        ({"propertyRenames": [{"oldName": "a"}]}, "FLT100", "/0/propertyRenames/0/newName"),
        ({"propertyValueTransformations": [{"propertyPaths": ["properties.a"],
                                            "propertyValue": 5}]},
         "FLT100", "/0/propertyValueTransformations/0/propertyValue"),
        ({"if": "event = oops\""}, "FLT102", "/0/if"),
        ({"fqlDefinedProperties": [{"fql": "lowercase(", "propertyName": "properties.a"}]},
         "FLT102", "/0/fqlDefinedProperties/0/fql"),
        ({"drop": True}, "FLT100", "/0/drop"),
    ],
)
def test_conflicts_and_invalid_rules_are_rejected_at_load(fields, code, field):
    with pytest.raises(RuleError) as info:
        Transformations.load([base(**fields)])
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.rule == 'transformation 0 "t"'


def test_path_depth_limit():  # TR-10: four levels pass, five fail
    four = ".".join(["a"] * MAX_PATH_DEPTH)
    Transformations.load([base(propertyRenames=[{"oldName": four, "newName": "x"}])])
    Transformations.load([base(propertyValueTransformations=[
        {"propertyPaths": ["properties." + four], "propertyValue": "1"}])])
    with pytest.raises(RuleError) as info:
        Transformations.load([base(propertyRenames=[{"oldName": four + ".a", "newName": "x"}])])
    assert info.value.code == "FLT201"
    Transformations.load([base(propertyRenames=[{"oldName": four + ".a", "newName": "x"}])],
                         max_path_depth=5)


def test_public_api_json_round_trip():
    raw = json.loads((EXAMPLES / "transformations.json").read_text())
    loaded = Transformations.load(raw)
    assert len(loaded.all) == 2
    for original, compiled in zip(raw["transformations"], loaded.all, strict=True):
        dumped = compiled.model.model_dump(by_alias=True, exclude_unset=True)
        assert dumped == original
    assert Transformation.model_validate(raw["transformations"][0]).name == "Rename order_updated"


def test_scopes_run_around_destination_filters():  # TR-08, TR-13
    transformations = Transformations.load([
        base(name="src", newEventName="Order Updated"),
        base(name="dst", destinationMetadataId="amp",
             propertyValueTransformations=[{"propertyPaths": ["properties.email"],
                                            "propertyValue": "added after filters"}]),
    ])
    filters = FilterList.load([
        {"if": "event = 'Order Updated'", "actions": [
            {"type": "DROP_PROPERTIES", "fields": {"properties": ["plan", "email"]}}]},
    ])
    result = deliver(ORDER, filters=filters, transformations=transformations,
                     destination_metadata_id="amp")
    assert result.event["event"] == "Order Updated"  # source-scoped ran before the filter
    assert "plan" not in result.event["properties"]  # so the filter matched the new name
    assert result.event["properties"]["email"] == "added after filters"  # after filters
    assert result.reason is FilterReason.FIELDS_REMOVED
    other = deliver(ORDER, filters=filters, transformations=transformations,
                    destination_metadata_id="braze")
    assert "email" not in other.event["properties"]


def test_dropped_events_are_not_transformed_further():
    transformations = Transformations.load([base(destinationMetadataId="amp", newEventName="X")])
    filters = FilterList.load([{"if": "all", "actions": [{"type": "DROP"}]}])
    result = deliver(ORDER, filters=filters, transformations=transformations,
                     destination_metadata_id="amp")
    assert result.dropped and result.event is None


def test_disabled_transformations_do_nothing():
    assert transform(base(enabled=False, newEventName="X")) is ORDER
