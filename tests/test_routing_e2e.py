"""End to end: ``examples/workspace.yaml`` (a web source to Amplitude, Facebook
Conversions API and Salesforce: consent categories, a filter, a transformation, three
mappings) over ``examples/events.jsonl`` and ``examples/routing-events.jsonl``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fql.routing import (
    CONSENT,
    DESTINATION_FILTER,
    INTEGRATIONS,
    NO_MATCHING_MAPPING,
    Router,
    load_config,
)

EXAMPLES = Path(__file__).parent.parent / "examples"
AMPLITUDE, FACEBOOK, SALESFORCE = "Amplitude", "Facebook Conversions API", "Salesforce"


def read(name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (EXAMPLES / name).read_text().splitlines() if x.strip()]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_config(EXAMPLES / "workspace.yaml"))


def test_example_workspace_loads_strictly_without_problems(router: Router) -> None:
    assert router.problems == ()
    assert [d.name for d in router.config.destinations] == [AMPLITUDE, FACEBOOK, SALESFORCE]


def test_sample_events(router: Router) -> None:
    """events.jsonl carries no consent or integrations object: only the filter and the
    triggers decide."""
    for event in read("events.jsonl"):
        result = router.route(event)
        amplitude = result[AMPLITUDE].payloads
        assert len(amplitude) == 1 and "email" not in amplitude[0].get("properties", {})
        facebook = result[FACEBOOK]
        internal = "@segment.com" in str(event.get("properties", {}).get("email", ""))
        if internal:
            assert facebook.reason == DESTINATION_FILTER
        elif event["type"] == "track" and event.get("event") == "Order Completed":
            assert facebook.payloads[0]["event_name"] == "Purchase"
        elif event["type"] == "page":
            assert facebook.payloads[0]["event_name"] == "PageView"
        else:
            assert facebook.reason == NO_MATCHING_MAPPING
        assert result[SALESFORCE].sent == (event["type"] == "identify"
                                           and event.get("traits", {}).get("email") is not None)


def outcome(router: Router, event: dict[str, Any]) -> dict[str, Any]:
    return {d.destination: d.payloads if d.sent else d.reason
            for d in router.route(event).deliveries}


def test_routing_events(router: Router) -> None:
    legacy, internal, page, identify, opted_out_all, consent_update = \
        read("routing-events.jsonl")
    first = outcome(router, legacy)
    assert first[AMPLITUDE][0]["event"] == "Order Completed"  # source transformation
    assert "email" not in first[AMPLITUDE][0]["properties"]  # filter
    assert first[FACEBOOK] == ({"event_name": "Purchase", "event_time": legacy["timestamp"],
                                "user_data": {"external_id": "u-1"},
                                "custom_data": {"value": 42.5, "currency": "EUR", "contents": [
                                    {"id": "A-1", "item_price": 30},
                                    {"id": "B-2", "item_price": 12.5}]}},)
    assert first[SALESFORCE] == NO_MATCHING_MAPPING
    assert outcome(router, internal)[FACEBOOK] == DESTINATION_FILTER
    assert router.route(internal)[FACEBOOK].detail == "filters[0] 'No internal test orders'"
    assert {k: v if isinstance(v, str) else "sent" for k, v in outcome(router, page).items()} \
        == {AMPLITUDE: "sent", FACEBOOK: CONSENT, SALESFORCE: NO_MATCHING_MAPPING}
    assert outcome(router, identify) == {
        AMPLITUDE: CONSENT, FACEBOOK: CONSENT,  # empty categoryPreferences: all false
        SALESFORCE: ({"email": "bo@example.com", "plan": "pro", "external_id": "u-4"},)}
    assert outcome(router, opted_out_all) == {AMPLITUDE: INTEGRATIONS, FACEBOOK: INTEGRATIONS,
                                              SALESFORCE: NO_MATCHING_MAPPING}
    assert outcome(router, consent_update)[AMPLITUDE][0]["event"] == consent_update["event"]
