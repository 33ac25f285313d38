"""fql.filters: Destination Filters as the Public API defines them (DF-xx ids cite
../shared/reference/segment-docs-checklist.md §1.3)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

import fql
from fql.filters import (
    ActionType,
    DestinationFilter,
    FilterAction,
    FilterLimits,
    FilterList,
    FilterOrder,
    FilterReason,
    apply_filters,
)
from fql.filters.errors import RuleError

EXAMPLES = Path(__file__).parent.parent / "examples"

TRACK = {
    "type": "track",
    "event": "Order Completed",
    "userId": "user_123",
    "properties": {
        "email": "ada@example.com",
        "total": 27.5,
        "products": [{"sku": "A", "price": 1}, {"sku": "B", "price": 2}],
    },
    "context": {"ip": "1.2.3.4", "traits": {"email": "ada@example.com", "plan": "pro"}},
}


def event(**changes):
    out = copy.deepcopy(TRACK)
    out.update(changes)
    return out


def load(*filters, **kw):
    return FilterList.load(list(filters), **kw)


# --- the documentation's examples (DF-21) ---


def test_drop_events_without_a_user_id():
    filters = load({"if": "length( userId ) < 1", "actions": [{"type": "DROP"}],
                    "title": "Require userId"})
    anonymous = event()
    del anonymous["userId"]
    result = filters.apply(anonymous)
    assert result.dropped and result.reason is FilterReason.DROPPED
    assert result.filter_title == "Require userId" and result.filter_index == 0
    assert filters.apply(event(userId="")).dropped
    assert not filters.apply(event()).dropped


def test_remove_user_id_from_every_event():  # DF-03, FQL-20
    drop_user_id = {"type": "DROP_PROPERTIES", "fields": {"": ["userId"]}}
    filters = load({"if": "all", "actions": [drop_user_id]})
    result = filters.apply(event())
    assert "userId" not in result.event
    assert result.reason is FilterReason.FIELDS_REMOVED and result.removed_fields == ("userId",)


def test_drop_internal_test_emails():
    filters = load({
        "if": "event = 'Order Completed' and contains(properties.email, '@segment.com')",
        "actions": [{"type": "DROP"}],
    })
    staff = event(properties={"email": "someone@segment.com"})
    assert filters.apply(staff).dropped
    assert not filters.apply(event()).dropped
    other = event(event="Signed Up", properties={"email": "x@segment.com"})
    assert not filters.apply(other).dropped


def test_sample_video_heartbeats():  # DF-05
    heartbeat = {"if": "event = 'Video Content Playing'",
                 "actions": [{"type": "SAMPLE", "percent": 0.1}]}
    filters = load(heartbeat, rng=random.Random(5))
    beats = [event(event="Video Content Playing", messageId=str(i)) for i in range(20_000)]
    results = [filters.apply(beat) for beat in beats]
    assert abs(sum(not r.dropped for r in results) / len(beats) - 0.1) < 0.01
    assert {r.reason for r in results if r.dropped} == {FilterReason.SAMPLED_OUT}
    assert not filters.apply(event()).dropped  # other events are never sampled


def test_sample_per_user_is_consistent():  # AM-02: a path makes sampling deterministic
    filters = load({"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5, "path": "userId"}]})
    for user in ("u1", "u2", "u3", "u4", "u5", "u6"):
        outcomes = {filters.apply(event(userId=user, messageId=str(i))).dropped for i in range(5)}
        assert len(outcomes) == 1
    results = [filters.apply(event(userId=f"user-{i}")) for i in range(4000)]
    kept = sum(not r.dropped for r in results)
    assert abs(kept / 4000 - 0.5) < 0.03
    assert {r.reason for r in results if r.dropped} == {FilterReason.SAMPLED_OUT}


def test_only_send_user_signed_up_and_demo_requested():  # DF-07
    only = DestinationFilter.only_send(
        "event = 'User Signed Up' or event = 'Demo Requested'", title="Only signups"
    )
    filters = FilterList.load([only])
    assert not filters.apply(event(event="User Signed Up")).dropped
    assert not filters.apply(event(event="Demo Requested")).dropped
    result = filters.apply(event())
    assert result.dropped and result.filter_title == "Only signups"


def test_conflicting_only_sends_send_nothing():  # EC-21
    filters = FilterList.load([
        DestinationFilter.only_send("event = 'User Signed Up'"),
        DestinationFilter.only_send("event = 'Demo Requested'"),
    ])
    for name in ("User Signed Up", "Demo Requested", "Order Completed"):
        assert filters.apply(event(event=name)).dropped


def test_only_send_track_calls():
    filters = FilterList.load([DestinationFilter.only_send("type = 'track'")])
    assert not filters.apply(event()).dropped
    assert filters.apply({"type": "identify", "userId": "u"}).dropped


def test_pii_property_removal():  # remove email from context and properties
    filters = load({"if": "all", "actions": [{"type": "DROP_PROPERTIES", "fields": {
        "properties": ["email"], "context.traits": ["email"], "context": ["ip"],
    }}]})
    result = filters.apply(event())
    assert "email" not in result.event["properties"]
    assert result.event["context"] == {"traits": {"plan": "pro"}}
    assert set(result.removed_fields) == {
        "properties.email", "context.traits.email", "context.ip"
    }


def test_property_drops_reach_every_array_element():  # DF-09, EC-12
    filters = load({"if": "all", "actions": [
        {"type": "DROP_PROPERTIES", "fields": {"properties.products": ["price"]}}
    ]})
    result = filters.apply(event())
    assert result.event["properties"]["products"] == [{"sku": "A"}, {"sku": "B"}]
    assert result.removed_fields == ("properties.products.price",)


def test_allow_properties():  # DF-04
    filters = load({"if": "all", "actions": [
        {"type": "ALLOW_PROPERTIES", "fields": {"properties": ["total"], "context.traits": []}}
    ]})
    result = filters.apply(event())
    assert result.event["properties"] == {"total": 27.5}
    assert result.event["context"]["traits"] == {}
    assert "properties.email" in result.removed_fields


# --- order (DF-15, AM-03) ---

STRIP_EMAIL = {"if": "all", "title": "strip",
               "actions": [{"type": "DROP_PROPERTIES", "fields": {"properties": ["email"]}}]}
DROP_IF_EMAIL = {"if": "properties.email != null", "title": "drop", "actions": [{"type": "DROP"}]}


def test_default_order_runs_drops_before_property_filters():
    result = load(STRIP_EMAIL, DROP_IF_EMAIL).apply(event())
    assert result.dropped and result.filter_title == "drop"


def test_workspace_order_runs_filters_in_list_order():
    result = load(STRIP_EMAIL, DROP_IF_EMAIL, order=FilterOrder.WORKSPACE).apply(event())
    assert not result.dropped and result.removed_fields == ("properties.email",)


def test_sample_runs_before_drop():
    sample_none = {"if": "all", "title": "sample", "actions": [{"type": "SAMPLE", "percent": 0}]}
    result = load(DROP_IF_EMAIL, sample_none).apply(event())
    assert result.reason is FilterReason.SAMPLED_OUT and result.filter_title == "sample"


def test_a_condition_sees_the_event_as_earlier_filters_left_it():
    strip_plan = {"if": "properties.email = null", "title": "plan",
                  "actions": [{"type": "DROP_PROPERTIES", "fields": {"properties": ["total"]}}]}
    result = load(STRIP_EMAIL, strip_plan).apply(event())
    assert result.removed_fields == ("properties.email", "properties.total")
    assert [a.filter_title for a in result.applied] == ["strip", "plan"]


def test_disabled_filters_do_nothing():
    assert not load({**DROP_IF_EMAIL, "enabled": False}).apply(event()).dropped


# --- results and immutability ---


def test_unchanged_event_is_returned_as_is_and_input_is_never_modified():
    original = event()
    snapshot = copy.deepcopy(original)
    result = load(DROP_IF_EMAIL).apply(event(properties={}))
    assert result.reason is None and not result.dropped
    stripped = load(STRIP_EMAIL).apply(original)
    assert original == snapshot
    assert stripped.event["context"] is original["context"]  # copy-on-write sharing


# --- fail closed (FQL-22, EC-10) ---


def test_invalid_if_fails_closed_and_says_why():
    filters = load({"if": "userId = oops\"", "title": "broken", "actions": [{"type": "DROP"}]},
                   STRIP_EMAIL)
    result = filters.apply(event())
    assert result.dropped and result.reason is FilterReason.INVALID_RULE
    assert result.filter_title == "broken"
    assert result.error is not None and result.error.code == "FLT102"
    assert result.error.field == "/0/if"
    assert isinstance(result.error.cause, fql.FqlSyntaxError)
    assert filters.errors == (result.error,)


def test_invalid_disabled_filter_is_only_recorded():
    filters = load({"if": "(", "enabled": False, "actions": [{"type": "DROP"}]})
    assert not filters.apply(event()).dropped and len(filters.errors) == 1


def test_strict_load_raises_naming_filter_and_field():
    with pytest.raises(RuleError) as info:
        load(STRIP_EMAIL, {"if": "userId = oops\"", "title": "broken",
                           "actions": [{"type": "DROP"}]}, strict=True)
    assert info.value.code == "FLT102"
    assert info.value.rule == 'filter 1 "broken"' and info.value.field == "/1/if"
    assert "filter 1" in str(info.value)


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"actions": [{"type": "DROP"}]}, "FLT100", "/0/if"),
        ({"if": "all", "actions": []}, "FLT100", "/0/actions"),
        ({"if": "all", "actions": [{"type": "EXPLODE"}]}, "FLT100", "/0/actions/0/type"),
        ({"if": "all", "actions": [{"type": "SAMPLE"}]}, "FLT103", "/0/actions/0"),
        ({"if": "all", "actions": [{"type": "SAMPLE", "percent": 5}]},
         "FLT103", "/0/actions/0/percent"),
        ({"if": "all", "actions": [{"type": "SAMPLE", "percent": "5 percent"}]},
         "FLT103", "/0/actions/0/percent"),
        ({"if": "all", "actions": [{"type": "DROP_PROPERTIES"}]}, "FLT100", "/0/actions/0"),
        ({"if": "all", "actions": [{"type": "DROP_PROPERTIES", "fields": {"": "userId"}}]},
         "FLT100", "/0/actions/0/fields/"),
        ({"if": "all", "enable": True, "actions": [{"type": "DROP"}]}, "FLT100", "/0/enable"),
    ],
)
def test_every_invalid_filter_gets_a_clear_error(bad, code, field):
    with pytest.raises(RuleError) as info:
        load(bad, strict=True)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.rule == "filter 0"
    # and leniently it fails closed instead
    result = load(bad).apply(event())
    assert result.reason is FilterReason.INVALID_RULE and result.error.code == code


def test_non_list_filters_is_an_error():
    with pytest.raises(RuleError):
        FilterList.load("DROP")


# --- limits ---


def test_ten_filters_per_destination_pass_eleven_fail():
    ten = [STRIP_EMAIL] * 10
    assert len(FilterList.load(ten).filters) == 10
    with pytest.raises(RuleError) as info:
        FilterList.load([*ten, STRIP_EMAIL])
    assert info.value.code == "FLT110"
    assert len(FilterList.load([*ten, STRIP_EMAIL],
                               limits=FilterLimits(max_filters_per_destination=11)).filters) == 11


def test_event_depth_limit_for_sampling_keys():
    deep: dict = {}
    node = deep
    for _ in range(5):
        node["a"] = {}
        node = node["a"]
    filters = load({"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5, "path": "k"}]},
                   limits=FilterLimits(max_event_depth=5))
    assert filters.apply({"k": {"a": {"a": {"a": 1}}}}) is not None
    with pytest.raises(fql.FqlEventError) as info:
        filters.apply({"k": deep})
    assert info.value.code == "FLT300"


def test_events_must_be_objects():
    with pytest.raises(fql.FqlEventError):
        load(STRIP_EMAIL).apply(["not an event"])


# --- the Public API JSON (DF-01, DF-06, AM-01) ---

API_FILTER = {
    "id": "2D4jA7BQ3C5N4bZuMqmCJqFKq0A",
    "sourceId": "rh5BDZp6QDHvXFCkibm1pR",
    "destinationId": "fP7qoQw2HTWt9WdMr718gn",
    "if": "event = 'Order Completed'",
    "actions": [{"type": "DROP_PROPERTIES", "fields": {"properties": ["email"]}}],
    "title": "Strip email",
    "description": "PII",
    "enabled": True,
    "createdAt": "2023-01-01T00:00:00Z",
    "updatedAt": "2023-01-02T00:00:00Z",
}


def test_public_api_json_loads_unchanged_and_dumps_back():
    model = DestinationFilter.model_validate(API_FILTER)
    assert model.model_dump(by_alias=True, exclude_none=True) == {
        **API_FILTER,
        "actions": [{"type": ActionType.DROP_PROPERTIES,
                     "fields": {"properties": ["email"]}}],
    }
    assert json.loads(model.model_dump_json(by_alias=True, exclude_none=True)) == API_FILTER
    assert FilterList.load({"filters": [API_FILTER], "pagination": {}}).filters == (model,)


@pytest.mark.parametrize(
    ("legacy", "current"),
    [("drop_event", "DROP"), ("sample_event", "SAMPLE"),
     ("whitelist_fields", "ALLOW_PROPERTIES"), ("blocklist_fields", "DROP_PROPERTIES")],
)
def test_legacy_type_names(legacy, current):
    action = FilterAction.model_validate({"type": legacy, "percent": 0.5, "fields": {"": []}})
    assert action.type.value == current
    assert action.model_dump(mode="json")["type"] == current


def test_percent_forms():
    assert FilterAction.model_validate({"type": "SAMPLE", "percent": 0.05}).percent == 0.05
    assert FilterAction.model_validate({"type": "SAMPLE", "percent": "5%"}).percent == 0.05
    assert FilterAction.model_validate({"type": "SAMPLE", "percent": 1}).percent == 1


def test_example_files_load_strictly():
    for path in sorted(EXAMPLES.glob("filters*.json")):
        filters = FilterList.load(json.loads(path.read_text()), strict=True)
        assert filters.filters, path


def test_apply_filters_convenience():
    assert apply_filters(event(), [DROP_IF_EMAIL]).dropped
