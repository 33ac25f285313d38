"""Routing: consent (EC-25..EC-28), the integrations object (CI-01..CI-03, EC-23/24),
the consent × integrations table (LT-05 rows a-j), the order of stages (TR-13, TR-15,
PO-03, PO-08, PO-10, AM-20), Actions delivery (TG-12..TG-15, EC-17), fail-closed rules,
configuration errors and shared trigger answers. End to end: test_routing_e2e.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fql import routing
from fql.lint.sources import check_config
from fql.routing import Router, RoutingError, load_config

from .strategies import events as json_events
from .strategies import json_values

EXAMPLES = Path(__file__).parent.parent / "examples"


def consent_router(**extra: Any) -> Router:
    """Ad destinations Facebook and Google Ads, analytics Amplitude, unmapped Webhook."""
    return Router({
        "consentCategories": [{"id": "ad"}, {"id": "analytics"}],
        "destinations": [
            {"name": "Facebook", "consentCategories": ["ad"]},
            {"name": "Google Ads", "consentCategories": ["ad"]},
            {"name": "Amplitude", "consentCategories": ["analytics"]},
            {"name": "Webhook"},
        ],
        **extra,
    })


def receivers(router: Router, event: dict[str, Any]) -> set[str]:
    return {d.destination for d in router.route(event).deliveries if d.sent}


def event_with(prefs: dict[str, Any] | None = None, integrations: dict[str, Any] | None = None,
               consent: dict[str, Any] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "track", "event": "Order Completed", "context": {}}
    if consent is not None:
        event["context"]["consent"] = consent
    if prefs is not None:
        event["context"]["consent"] = {"categoryPreferences": prefs}
    if integrations is not None:
        event["integrations"] = integrations
    return event


ALL = {"Facebook", "Google Ads", "Amplitude", "Webhook"}


# --- section 4: consent rules ---------------------------------------------------------

def test_no_consent_object_means_no_enforcement() -> None:
    assert receivers(consent_router(), event_with()) == ALL


def test_destination_in_several_categories_needs_all_true() -> None:
    router = Router({"consentCategories": [{"id": "ad"}, {"id": "analytics"}],
                     "destinations": [{"name": "Both", "consentCategories": ["ad", "analytics"]}]})
    assert receivers(router, event_with({"ad": True, "analytics": False})) == set()
    assert receivers(router, event_with({"ad": True, "analytics": True})) == {"Both"}


def test_unmapped_destination_always_receives() -> None:
    assert "Webhook" in receivers(consent_router(), event_with({"ad": False, "analytics": False}))


def test_category_missing_from_event_counts_as_false() -> None:
    assert receivers(consent_router(), event_with({"ad": True})) == {"Facebook", "Google Ads",
                                                                     "Webhook"}


def test_unknown_consent_key_is_ignored() -> None:
    assert receivers(consent_router(), event_with({"ad": True, "analytics": True,
                                                   "somethingElse": False})) == ALL


def test_disabled_category_is_not_enforced() -> None:
    router = Router({"consentCategories": [{"id": "ad", "enabled": False}, {"id": "analytics"}],
                     "destinations": [{"name": "Facebook", "consentCategories": ["ad"]}]})
    assert receivers(router, event_with({"ad": False})) == {"Facebook"}


def test_consent_preference_event_goes_everywhere() -> None:
    event = event_with({"ad": False, "analytics": False})
    event["event"] = routing.CONSENT_EVENT
    assert receivers(consent_router(), event) == ALL


def test_consent_reason_is_reported() -> None:
    result = consent_router().route(event_with({"ad": False, "analytics": True}))
    assert result["Facebook"].reason == "Filtered by end user consent"


# --- LT-05: consent against the integrations object, row by row ---------------------

def test_lt05_a_no_or_empty_consent_no_integrations() -> None:
    assert receivers(consent_router(), event_with()) == ALL
    assert receivers(consent_router(), event_with(consent={})) == ALL


def test_lt05_b_empty_category_preferences() -> None:
    assert receivers(consent_router(), event_with({})) == {"Webhook"}


def test_lt05_c_no_consent_with_integrations() -> None:
    event = event_with(integrations={"Facebook": True, "Amplitude": False})
    assert receivers(consent_router(), event) == {"Facebook", "Google Ads", "Webhook"}


def test_lt05_d_empty_preferences_with_integrations() -> None:
    event = event_with({}, integrations={"Facebook": True, "Amplitude": False})
    assert receivers(consent_router(), event) == {"Webhook"}


def test_lt05_e_categories_segment_has_not_mapped() -> None:
    router = Router({"destinations": [{"name": "Facebook"}, {"name": "Amplitude"}]})
    event = event_with({"marketing": True}, integrations={"Amplitude": False})
    assert receivers(router, event) == {"Facebook"}


def test_lt05_f_ad_true_analytics_false() -> None:
    assert receivers(consent_router(), event_with({"ad": True, "analytics": False})) == {
        "Facebook", "Google Ads", "Webhook"}


def test_lt05_g_unlisted_consented_destination_still_receives() -> None:
    event = event_with({"ad": True, "analytics": False},
                       integrations={"Facebook": True, "Amplitude": False})
    assert receivers(consent_router(), event) == {"Facebook", "Google Ads", "Webhook"}


def test_lt05_h_integrations_false_blocks_a_consented_destination() -> None:
    event = event_with({"ad": True, "analytics": False}, integrations={"Facebook": False})
    assert receivers(consent_router(), event) == {"Google Ads", "Webhook"}


def test_lt05_i_several_categories_and_integrations_false() -> None:
    router = Router({"consentCategories": [{"id": "ad"}, {"id": "analytics"}],
                     "destinations": [{"name": "Facebook",
                                       "consentCategories": ["ad", "analytics"]}]})
    assert receivers(router, event_with({"ad": True, "analytics": True})) == {"Facebook"}
    assert receivers(router, event_with({"ad": True, "analytics": True},
                                        integrations={"Facebook": False})) == set()


def test_lt05_j_nothing_flows() -> None:
    router = Router({"consentCategories": [{"id": "ad"}, {"id": "analytics"}],
                     "destinations": [
                         {"name": "Facebook", "consentCategories": ["ad", "analytics"]},
                         {"name": "Amplitude", "consentCategories": ["analytics"]}]})
    event = event_with({"ad": False, "analytics": True}, integrations={"Amplitude": False})
    assert receivers(router, event) == set()


# --- integrations object -------------------------------------------------------------

@pytest.mark.parametrize(("integrations", "expected"), [
    ({"All": False, "Webhook": True}, {"Webhook"}),
    ({"All": False, "Webhook": {"option": 1}}, {"Webhook"}),  # options object = enabled
    ({"webhook": False}, ALL),  # names are case-sensitive
    ({"All": True, "Amplitude": False}, ALL - {"Amplitude"}),
])
def test_integrations_object(integrations: dict[str, Any], expected: set[str]) -> None:
    assert receivers(consent_router(), event_with(integrations=integrations)) == expected


# --- order of stages -----------------------------------------------------------------

def pipeline_config(**destination: Any) -> dict[str, Any]:
    return {
        "consentCategories": [{"id": "ad"}],
        "transformations": [
            {"name": "rename", "sourceId": "s", "enabled": True, "if": "event = 'old name'",
             "newEventName": "Order Completed"},
            {"name": "dest", "sourceId": "s", "enabled": True, "if": "type = 'track'",
             "destinationMetadataId": "d1",
             "fqlDefinedProperties": [{"fql": "lowercase(event)",
                                       "propertyName": "properties.slug"}]},
        ],
        "destinations": [{"name": "D", "id": "d1", "consentCategories": ["ad"], **destination}],
    }


def test_source_transformations_run_before_filters() -> None:
    router = Router(pipeline_config(filters=[
        {"title": "drop orders", "if": "event = 'Order Completed'",
         "actions": [{"type": "DROP"}]}]))
    result = router.route({"type": "track", "event": "old name"})
    assert result["D"].reason == "Filtered at destination filter"
    assert result["D"].detail == "filters[0] 'drop orders'"


def test_consent_is_checked_before_the_integrations_object() -> None:
    result = Router(pipeline_config()).route(
        event_with({"ad": False}, integrations={"D": False}))
    assert result["D"].reason == "Filtered by end user consent"


def test_integrations_object_is_checked_before_filters() -> None:
    router = Router(pipeline_config(filters=[{"if": "all", "actions": [{"type": "DROP"}]}]))
    assert router.route(event_with(integrations={"D": False}))["D"].reason == \
        "Filtered by integrations object"


def test_destination_transformations_run_after_filters() -> None:
    router = Router(pipeline_config(filters=[
        {"title": "needs slug", "if": "properties.slug != null", "actions": [{"type": "DROP"}]}]))
    delivery = router.route({"type": "track", "event": "Signed Up"})["D"]
    assert delivery.sent and delivery.payloads[0]["properties"]["slug"] == "signed up"


def test_triggers_and_mappings_see_the_transformed_event() -> None:
    router = Router(pipeline_config(mappings=[
        {"name": "m", "trigger": 'event = "Order Completed"',
         "mapping": {"slug": {"@path": "$.properties.slug"}}}]))
    delivery = router.route({"type": "track", "event": "old name"})["D"]
    assert delivery.payloads == ({"slug": "order completed"},)


# --- Actions -------------------------------------------------------------------------

def actions_router(mappings: list[dict[str, Any]]) -> Router:
    return Router({"destinations": [{"name": "A", "mappings": mappings}]})


def test_each_matching_mapping_sends_in_mapping_order() -> None:
    router = actions_router([
        {"name": "one", "trigger": 'type = "track"', "mapping": {"n": 1}},
        {"name": "off", "trigger": 'type = "track"', "mapping": {"n": 0}, "enabled": False},
        {"name": "two", "trigger": 'event = "X"', "mapping": {"n": 2}},
    ])
    assert router.route({"type": "track", "event": "X"})["A"].payloads == ({"n": 1}, {"n": 2})


def test_no_matching_mapping() -> None:
    router = actions_router([{"trigger": 'type = "page"', "mapping": {"n": 1}}])
    assert router.route({"type": "track"})["A"].reason == "No matching mapping"


def test_invalid_rule_fails_closed_for_its_destination_only() -> None:
    router = Router({"destinations": [
        {"name": "Bad", "mappings": [{"trigger": "type == 'x'", "mapping": {"n": 1}}]},
        {"name": "BadFilter", "filters": [{"if": "type = ", "actions": [{"type": "DROP"}]}]},
        {"name": "Good"}]})
    result = router.route({"type": "track"})
    assert result["Bad"].reason == "Invalid rule" and "FQL104" in (result["Bad"].detail or "")
    assert result["BadFilter"].reason == "Invalid rule"
    assert result["Good"].sent


def test_shared_triggers_are_evaluated_once_per_event() -> None:
    destinations = [{"name": f"D{i}", "mappings": [
        {"trigger": 'type = "track"', "mapping": {"k": j}} for j in range(5)]}
        for i in range(20)]
    result = Router({"destinations": destinations}).route({"type": "track"})
    assert sum(len(d.payloads) for d in result.deliveries) == 100
    assert result.trigger_evaluations == 1


def test_classic_payload_never_aliases_the_event() -> None:
    event = {"type": "track", "properties": {"a": [1]}}
    delivery = Router({"destinations": [{"name": "C"}]}).route(event)["C"]
    delivery.payloads[0]["properties"]["a"].append(2)
    assert event == {"type": "track", "properties": {"a": [1]}}


# --- configuration -------------------------------------------------------------------

def test_configuration_errors_name_their_place() -> None:
    with pytest.raises(RoutingError) as info:
        load_config({"destinations": [{"name": "A"}, {"name": "B", "mappings": [{"mapping": {}}]}]})
    assert info.value.place == "destinations[1].mappings[0].trigger"
    with pytest.raises(RoutingError):
        load_config({"destinations": [{"name": "A"}, {"name": "A"}]})


def test_mapping_limit_boundary() -> None:
    def config(n: int) -> dict[str, Any]:
        return {"destinations": [{"name": "A", "mappings": [
            {"trigger": 'type = "track"', "mapping": {}} for _ in range(n)]}]}
    load_config(config(50))
    with pytest.raises(RoutingError) as info:
        load_config(config(51))
    assert info.value.code == "RTE102"


def test_check_config_reports_rule_findings() -> None:
    found = check_config({"destinations": [{"name": "A", "mappings": [
        {"trigger": 'type = "track" and event = "a" or event = "b"', "mapping": {}}]}]})
    assert [d.code for d in found] == ["TRG101"]
    assert found[0].path == "/destinations/0/mappings/0/trigger"


# --- configuration at load time ------------------------------------------------------

def test_load_config_names_every_rule_error_at_its_place() -> None:
    data = {"consentCategories": [{"id": "ad"}], "destinations": [
        {"name": "A", "consentCategories": ["ads"]},
        {"name": "B", "mappings": [{"trigger": "type == 'x'", "mapping": {}}]}]}
    with pytest.raises(RoutingError) as info:
        load_config(data)
    assert [(p.place, p.code) for p in info.value.problems] == [
        ("destinations[0].consentCategories[0]", "RTE103"),
        ("destinations[1].mappings[0].trigger", "FQL104")]
    data["destinations"][0]["consentCategories"] = ["ad"]
    assert load_config(data, strict=False).destinations[1].name == "B"


def test_every_shape_error_is_reported() -> None:
    with pytest.raises(RoutingError) as info:
        load_config({"destinations": [{"name": ""}, {"name": "B", "filter": []}]})
    assert [p.place for p in info.value.problems] == ["destinations[0].name",
                                                       "destinations[1].filter"]


def test_invalid_destination_transformation_fails_closed_for_its_destination_only() -> None:
    router = Router({"transformations": [
        {"name": "bad", "sourceId": "s", "enabled": True, "if": "type = ",
         "destinationMetadataId": "d1", "newEventName": "x"}],
        "destinations": [{"name": "D1", "id": "d1"}, {"name": "D2", "id": "d2"}]})
    result = router.route({"type": "track", "event": "e"})
    assert result["D1"].reason == "Invalid rule" and result["D2"].sent
    assert [p.place for p in router.problems] == ["transformations[0]"]


def test_non_object_event_is_invalid_everywhere_without_raising() -> None:
    result = consent_router().route(["not", "an", "object"])  # type: ignore[arg-type]
    assert {d.reason for d in result.deliveries} == {"Invalid event"}


def test_malformed_category_preferences_enforce_as_all_false() -> None:
    assert receivers(consent_router(), event_with(consent={"categoryPreferences": "yes"})) == \
        {"Webhook"}


def test_consent_is_checked_before_destination_filters() -> None:
    router = Router(pipeline_config(filters=[{"if": "all", "actions": [{"type": "DROP"}]}]))
    assert router.route(event_with({"ad": False}))["D"].reason == "Filtered by end user consent"


# --- shared trigger answers ------------------------------------------------------------

def test_answers_follow_the_event_each_destination_sees() -> None:
    """Destinations whose filters build different events never share answers, even when
    an earlier event object has been freed (its id reused)."""
    def dest(i: int) -> dict[str, Any]:
        drop = "a" if i % 2 == 0 else "b"
        return {"name": f"D{i}", "filters": [
            {"if": "all", "actions": [{"type": "DROP_PROPERTIES",
                                       "fields": {"properties": [drop]}}]}],
            "mappings": [{"trigger": "properties.a != null", "mapping": {"n": i}}]}
    result = Router({"destinations": [dest(i) for i in range(20)]}).route(
        {"type": "track", "properties": {"a": 1, "b": 2}})
    assert [d.sent for d in result.deliveries] == [i % 2 == 1 for i in range(20)]


TRIGGER_POOL = ['type = "track"', 'event = "A"', 'type = "track" and event = "A"',
                'type = "page" or event = "B"', 'properties.x > 1 and type = "track"',
                'event = "B" and properties.x != null', 'type != "track"', 'type = "A"']
event_values = st.sampled_from(["track", "page", "A", "B", 1, None, ["track"]])


@settings(max_examples=200)
@given(st.lists(st.sampled_from(TRIGGER_POOL), min_size=1, max_size=12),
       st.fixed_dictionaries({}, optional={"type": event_values, "event": event_values,
                                           "properties": st.fixed_dictionaries(
                                               {}, optional={"x": st.integers(0, 3)})}))
def test_shared_triggers_answer_like_separate_ones(triggers: list[str],
                                                   event: dict[str, Any]) -> None:
    config = {"destinations": [{"name": f"D{i}", "mappings": [
        {"trigger": t, "mapping": {"i": i}}]} for i, t in enumerate(triggers)]}
    shared = Router(config).route(event)
    separate = Router(config, share_triggers=False).route(event)
    assert shared == separate
    assert shared.trigger_evaluations <= len(set(triggers))


# --- properties ------------------------------------------------------------------------

HYPOTHESIS_ROUTER = Router(load_config(EXAMPLES / "workspace.yaml"))
BROKEN_ROUTER = Router({"consentCategories": [{"id": "ad"}], "destinations": [
    {"name": "Bad", "mappings": [{"trigger": "type == 'x'", "mapping": {"n": 1}}]},
    {"name": "Deep", "consentCategories": ["ad"],
     "mappings": [{"trigger": "properties.a.b.c = 'x' or type = 'track'",
                   "mapping": {"all": {"@path": "$."}}}]}]})


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_events, json_values))
def test_routing_never_mutates_and_never_raises(event: Any) -> None:
    before = json.dumps(event, sort_keys=True, default=str)
    for router in (HYPOTHESIS_ROUTER, BROKEN_ROUTER):
        result = router.route(event)
        assert json.dumps(event, sort_keys=True, default=str) == before
        assert all(d.sent or d.reason in routing.REASONS for d in result.deliveries)
