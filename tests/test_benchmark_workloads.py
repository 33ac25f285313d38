"""The benchmark workloads: each hand-written function gives the engine's answer on
every generated event (so the benchmarks compare equal work)."""

from __future__ import annotations

import pytest

import actions
import fql
from benchmarks.events import generate
from benchmarks.workloads import FQL_WORKLOADS, TRIGGER_WORKLOADS, W4, hand_w4

EVENTS = generate(2000)


@pytest.mark.parametrize("name", sorted(FQL_WORKLOADS))
def test_fql_workload_agrees_with_hand_written(name: str) -> None:
    text, hand = FQL_WORKLOADS[name]
    expr = fql.compile(text)
    assert expr.matches_many(EVENTS) == [hand(e) for e in EVENTS]
    assert 0 < sum(map(hand, EVENTS)) < len(EVENTS)  # the workload really discriminates


@pytest.mark.parametrize("name", sorted(TRIGGER_WORKLOADS))
def test_trigger_workload_agrees_with_hand_written(name: str) -> None:
    text, hand = TRIGGER_WORKLOADS[name]
    trigger = actions.Trigger.parse(text)
    assert trigger.matches_many(EVENTS) == [hand(e) for e in EVENTS]
    assert 0 < sum(map(hand, EVENTS)) < len(EVENTS)


def test_mapping_workload_agrees_with_hand_written() -> None:
    mapping = actions.compile_mapping(W4)
    for event in EVENTS:
        assert mapping.apply(event) == hand_w4(event)


def test_generator_is_seeded_and_varied() -> None:
    assert generate(50) == generate(50)
    kinds = {e["type"] for e in EVENTS}
    assert kinds == {"track", "page", "screen", "identify", "group"}
    assert any(isinstance(e.get("properties", {}).get("revenue"), str) for e in EVENTS)
    assert any(e.get("userId") == "" for e in EVENTS) and any("userId" not in e for e in EVENTS)
