"""``Router.route`` never raises and never delivers what is not JSON: a deep, cyclic or
non-JSON event is an "Invalid event" for every destination (RouteResult docs)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

import pytest

from fql.limits import DEFAULT_EVENT_DEPTH
from fql.routing import INVALID_EVENT, Router, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_config(ROOT / "examples" / "workspace.yaml"))


def _deep(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def _cyclic() -> list:
    value: list = []
    value.append(value)
    return value


BASE = {"type": "track", "event": "Order Completed", "userId": "u1"}

HOSTILE = {
    "deep properties": {**BASE, "properties": _deep(600)},
    "very deep properties": {**BASE, "properties": _deep(5000)},
    "deep context": {**BASE, "context": _deep(5000)},
    "deep integrations": {**BASE, "integrations": _deep(5000)},
    "cyclic": {**BASE, "properties": {"x": _cyclic()}},
    "int key": {**BASE, "properties": {1: "a"}},
    "int key at the top": {**BASE, 1: "a"},
    "datetime": {**BASE, "userId": datetime.datetime(2024, 1, 1)},
    "bytes": {**BASE, "type": b"track"},
    "tuple in consent": {**BASE, "context": {"consent": {"categoryPreferences": (1, 2)}}},
    "set in integrations": {**BASE, "integrations": {"All": {1, 2}}},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_event_is_an_invalid_event_everywhere(router, name):
    result = router.route(HOSTILE[name])
    assert result.deliveries
    for delivery in result.deliveries:
        assert delivery.reason == INVALID_EVENT, (delivery.destination, delivery.detail)
        assert not delivery.payloads


def test_depth_limit_boundary(router):
    # The event object itself is one level: properties may nest DEFAULT_EVENT_DEPTH - 1.
    ok = router.route({**BASE, "properties": _deep(DEFAULT_EVENT_DEPTH - 1)})
    assert all(d.reason != INVALID_EVENT for d in ok.deliveries)
    bad = router.route({**BASE, "properties": _deep(DEFAULT_EVENT_DEPTH)})
    assert all(d.reason == INVALID_EVENT for d in bad.deliveries)
    assert "max_event_depth" in (bad.deliveries[0].detail or "")


def test_a_huge_number_is_still_an_event(router):
    result = router.route({**BASE, "properties": {"revenue": 10**400}})
    assert all(d.reason != INVALID_EVENT for d in result.deliveries)


class _BrokenMapping(Mapping):
    """A caller's own Mapping type whose reads fail."""

    def __getitem__(self, key):
        raise RuntimeError("broken")

    def __iter__(self):
        return iter(["type"])

    def __len__(self):
        return 1


def test_a_mapping_that_fails_when_read_is_an_invalid_event(router):
    result = router.route(_BrokenMapping())
    assert all(d.reason == INVALID_EVENT for d in result.deliveries)
