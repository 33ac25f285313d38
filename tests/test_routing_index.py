"""The indexed router against a naive per-destination loop, the lazy read-only
``RouteResult``, and the classic destinations' shared payload snapshot (no caller sees a
change made through another destination's payload)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions
from fql.errors import FqlError
from fql.filters import FilterList
from fql.filters.transformations import compile_transformation
from fql.routing import Router
from fql.routing import router as routing

EVENT_NAMES = ["Order Completed", "Product Added", "Signed Up", "old name"]
TRIGGERS = [
    'type = "track" and event = "Order Completed"',  # indexed on event
    'type = "track" and event = "Product Added"',
    'type = "page"',  # indexed on type
    'type = "identify" and traits.email != null',
    'type = "track" or type = "page"',  # not a conjunction: always evaluated
    'properties.revenue > 100',  # no top-level equality: always evaluated
    'event = "Signed Up"',
    'type = ',  # invalid: the destination fails closed
]
FILTERS = [
    {"if": "properties.revenue < 10", "actions": [{"type": "DROP"}]},
    {"if": "all", "actions": [{"type": "DROP_PROPERTIES", "fields": {"properties": ["email"]}}]},
    {"if": "event = 'Product Added'", "actions": [{"type": "DROP"}]},
    {"if": "!!!", "actions": [{"type": "DROP"}]},  # invalid rule
]
MAPPING = {"id": {"@path": "$.messageId"}, "revenue": {"@path": "$.properties.revenue"}}


@st.composite
def workspaces(draw: st.DrawFn) -> dict[str, Any]:
    categories = [{"id": c, "enabled": draw(st.booleans())} for c in ("ad", "analytics")]
    destinations = []
    for i in range(draw(st.integers(1, 12))):
        dest: dict[str, Any] = {
            "name": f"D{i}", "id": f"d{i}", "enabled": draw(st.booleans() | st.just(True)),
            "consentCategories": draw(st.lists(st.sampled_from(["ad", "analytics"]),
                                               max_size=2, unique=True)),
            "filters": draw(st.lists(st.sampled_from(FILTERS), max_size=2)),
        }
        if draw(st.integers(0, 3)):  # mostly Actions destinations
            dest["mappings"] = [
                {"name": f"m{k}", "trigger": draw(st.sampled_from(TRIGGERS)),
                 "mapping": MAPPING, "enabled": draw(st.booleans() | st.just(True))}
                for k in range(draw(st.integers(0, 3)))]
        destinations.append(dest)
    transformations = []
    if draw(st.booleans()):
        transformations.append({"name": "rename", "sourceId": "s", "enabled": True,
                                "if": "event = 'old name'", "newEventName": "Order Completed"})
    if draw(st.booleans()):
        transformations.append({"name": "scoped", "sourceId": "s", "enabled": True,
                                "if": "type = 'track'", "destinationMetadataId": "d0",
                                "newEventName": "Signed Up"})
    return {"consentCategories": categories, "destinations": destinations,
            "transformations": transformations}


@st.composite
def route_events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": draw(st.sampled_from(["track", "page", "identify", "screen", 7])),
        "messageId": draw(st.text(max_size=3)),
        "context": {},
    }
    if draw(st.booleans()):
        event["event"] = draw(st.sampled_from(EVENT_NAMES))
    if draw(st.booleans()):
        event["properties"] = {"revenue": draw(st.integers(-5, 200)), "email": "x@y"}
    if draw(st.booleans()):
        event["traits"] = {"email": draw(st.none() | st.just("a@b"))}
    if draw(st.booleans()):
        event["context"]["consent"] = {"categoryPreferences": draw(st.dictionaries(
            st.sampled_from(["ad", "analytics", "other"]), st.booleans() | st.none()))}
    if draw(st.booleans()):
        names = st.sampled_from(["All", *(f"D{i}" for i in range(12))])
        event["integrations"] = draw(st.dictionaries(names, st.booleans() | st.just({})))
    return event


def naive(config: dict[str, Any], event: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every destination, one after the other, every rule evaluated on its own: the
    stages of ``fql.routing.router``'s module doc written as a plain loop."""
    source_rules, scoped, source_bad = [], {}, False
    for i, raw in enumerate(config["transformations"]):
        try:
            compiled = compile_transformation(raw, i)
        except FqlError:
            compiled = None
        target = raw.get("destinationMetadataId")
        if target:
            scoped.setdefault(target, []).append(compiled)
        elif compiled is None:
            source_bad = True
        else:
            source_rules.append(compiled)
    out = []
    names = [d["name"] for d in config["destinations"]]
    if source_bad:
        return [(n, "Invalid rule", ()) for n in names]
    for t in source_rules:
        event = t.apply(event)
    enforced = {c["id"] for c in config["consentCategories"] if c["enabled"]}
    prefs = routing.Router._preferences(event)
    integrations = event.get("integrations")
    for dest in config["destinations"]:
        name = dest["name"]
        if not dest["enabled"]:
            out.append((name, "Destination disabled", ()))
            continue
        if prefs is not None and not all(prefs.get(c) is True
                                         for c in dest["consentCategories"] if c in enforced):
            out.append((name, "Filtered by end user consent", ()))
            continue
        if isinstance(integrations, dict):
            value = integrations.get(name)
            allowed = (integrations.get("All", True) is not False) if value is None \
                else value is not False
            if not allowed:
                out.append((name, "Filtered by integrations object", ()))
                continue
        try:
            filters = FilterList.load(dest["filters"], strict=True)
            pairs = [(actions.Trigger.parse(m["trigger"]), actions.compile_mapping(m["mapping"]))
                     for m in dest.get("mappings") or () if m["enabled"]]
            transformations = scoped.get(dest["id"], [])
            if any(t is None for t in transformations):
                raise ValueError("invalid transformation")
        except (FqlError, ValueError):
            out.append((name, "Invalid rule", ()))
            continue
        payload = event
        if dest["filters"]:
            result = filters.apply(event)
            if result.dropped:
                reason = {"sampled_out": "Sampled out", "invalid_rule": "Invalid rule"}.get(
                    result.reason.value, "Filtered at destination filter")
                out.append((name, reason, ()))
                continue
            payload = result.event
        for t in transformations:
            payload = t.apply(payload)
        if "mappings" not in dest:
            out.append((name, None, (copy.deepcopy(payload),)))
            continue
        sent = tuple(m.apply(payload) for t, m in pairs if t.matches(payload))
        out.append((name, None if sent else "No matching mapping", sent))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces(), st.lists(route_events(), min_size=1, max_size=4))
def test_indexed_router_equals_a_naive_per_destination_loop(
        config: dict[str, Any], events: list[dict[str, Any]]) -> None:
    indexed, baseline = Router(config), Router(config, share_triggers=False)
    for event in events:
        before = copy.deepcopy(event)
        expected = naive(config, event)
        for router in (indexed, baseline):
            result = router.route(event)
            assert [(d.destination, d.reason, d.payloads) for d in result.deliveries] == \
                expected
            assert len(result) == len(expected) and list(result) == [e[0] for e in expected]
            assert all(result[name].reason == reason for name, reason, _ in expected)
            assert [d.destination for d in result.sending()] == \
                [name for name, _, sent in expected if sent]
            assert [(d.destination, d.reason) for d in result.explicit()] == \
                [(name, reason) for name, reason, _ in expected
                 if reason != "No matching mapping"]
        assert event == before  # never modified


def test_route_result_is_a_read_only_mapping() -> None:
    router = Router({"destinations": [{"name": "A"}, {"name": "B", "mappings": []}]})
    result = router.route({"type": "track"})
    assert "A" in result and "C" not in result and len(result) == 2
    assert list(result) == ["A", "B"] and list(result.keys()) == ["A", "B"]
    assert dict(result)["B"].reason == "No matching mapping"
    assert result.get("C") is None
    assert not hasattr(result, "__setitem__")


def test_routes_visit_only_destinations_that_can_match() -> None:
    """1000 Actions destinations, each with its own event name: one is visited."""
    router = Router({"destinations": [
        {"name": f"D{i}", "mappings": [{"trigger": f'type = "track" and event = "E{i}"',
                                        "mapping": {"i": i}}]} for i in range(1000)]})
    result = router.route({"type": "track", "event": "E7"})
    assert result._computed.keys() == {7}  # the lazy result computed one destination
    assert result.trigger_evaluations == 1
    assert [d.destination for d in result.sending()] == ["D7"]
    assert result["D8"] is router.routes[8].no_match  # a shared immutable delivery
    assert sum(d.sent for d in result.deliveries) == 1


def test_no_caller_sees_a_change_made_through_another_destinations_payload() -> None:
    router = Router({"destinations": [{"name": "A"}, {"name": "B"}, {"name": "C"}]})
    event = {"type": "track", "properties": {"items": [{"sku": "x"}]}}
    result = router.route(event)
    a = result["A"].payloads[0]
    a["properties"]["items"][0]["sku"] = "changed"
    a["type"] = "changed"
    assert result["B"].payloads[0] == {"type": "track", "properties": {"items": [{"sku": "x"}]}}
    assert result["A"].payloads[0] is a  # the same delivery keeps its own copy
    assert event == {"type": "track", "properties": {"items": [{"sku": "x"}]}}
    # and the caller changing its event afterwards changes no delivery
    event["properties"]["items"][0]["sku"] = "later"
    assert result["C"].payloads[0]["properties"]["items"][0]["sku"] == "x"
    assert result["C"].payload_views()[0] is not event


def test_a_classic_payload_that_is_not_json_is_an_invalid_event() -> None:
    import datetime

    router = Router({"destinations": [{"name": "A"}]})
    delivery = router.route({"type": "track", "at": datetime.date(2024, 1, 1)})["A"]
    assert delivery.reason == "Invalid event" and not delivery.sent


def test_router_load_builds_once_and_reports_every_problem(tmp_path: Any) -> None:
    import json

    import pytest

    path = tmp_path / "w.json"
    path.write_text(json.dumps({"destinations": [{"name": "A", "mappings": [
        {"trigger": "type = ", "mapping": {}}]}]}))
    with pytest.raises(routing.RoutingError, match=r"destinations\[0\]\.mappings\[0\]"):
        Router.load(path)
    path.write_text(json.dumps({"destinations": [{"name": "A"}]}))
    assert list(Router.load(path).route({"type": "track"})) == ["A"]


def test_identical_filter_lists_run_once_per_event(monkeypatch: Any) -> None:
    drop_test = [{"if": "properties.test = true", "actions": [{"type": "DROP"}]}]
    sample = [{"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5}]}]
    router = Router({"destinations": [
        *({"name": f"C{i}", "filters": drop_test} for i in range(5)),
        *({"name": f"S{i}", "filters": sample} for i in range(3))]})
    assert len({id(r.filters) for r in router.routes}) == 2  # compiled once each
    calls: list[int] = []
    apply = FilterList.apply

    def counting(self: FilterList, event: Any) -> Any:
        calls.append(id(self))
        return apply(self, event)

    monkeypatch.setattr(FilterList, "apply", counting)
    result = router.route({"type": "track", "properties": {"test": True}})
    assert [result[f"C{i}"].reason for i in range(5)] == ["Filtered at destination filter"] * 5
    # the shared list once; the sampling list once per destination (independent draws)
    assert len(calls) == 1 + 3


def test_fql_route_summary_counts_every_destination(tmp_path: Any) -> None:
    """The summary counts "No matching mapping" without visiting every destination; it
    equals a count over every delivery."""
    import io
    import json
    from collections import Counter

    from benchmarks.events import generate
    from fql.cli import main

    config = {"consentCategories": [{"id": "ad"}], "destinations": [
        {"name": f"D{i}", "consentCategories": ["ad"] if i % 3 == 0 else [],
         "filters": [{"if": "userId = null", "actions": [{"type": "DROP"}]}] if i % 4 == 0
         else [],
         "mappings": [{"trigger": f'type = "track" and event = "{name}"', "mapping": {"i": i}}
                      for name in (["Order Completed", "Signed Up"][i % 2],)]}
        for i in range(40)] + [{"name": "Classic"}]}
    events = generate(300)
    for n, event in enumerate(events):
        if n % 7 == 0:
            event["integrations"] = {"All": False, "D1": True}
    (tmp_path / "w.json").write_text(json.dumps(config))
    (tmp_path / "e.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    err = io.StringIO()
    assert main(["route", "--config", str(tmp_path / "w.json"), str(tmp_path / "e.jsonl")],
                io.StringIO(), err) == 0
    router = Router(config)
    expected: Counter[tuple[str, str]] = Counter()
    for event in json.loads(json.dumps(events)):
        for d in router.route(event).deliveries:
            expected[(d.destination, d.reason or "sent")] += len(d.payloads) or 1
    lines = err.getvalue().splitlines()
    assert lines[:-1] == [f"{d}: {r}: {c}" for (d, r), c in sorted(expected.items())]
    assert lines[-1] == "read 300, routed 300, invalid 0"
