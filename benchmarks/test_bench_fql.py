"""pytest-benchmark suites for W1-W4 (run: ``pytest benchmarks/``).

Each workload is timed for the hand-written function, the active backend's per-event
entry point and its batch entry point, over the same generated events; compare the
rows of one run (``benchmarks/compare.py`` prints the ratios directly).
"""

from __future__ import annotations

from collections import deque

import pytest

import actions
import fql
from benchmarks.events import generate
from benchmarks.workloads import FQL_WORKLOADS, W4, hand_w4

EVENTS = generate(5000)


@pytest.mark.parametrize("name", sorted(FQL_WORKLOADS))
def test_hand_written(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    hand = FQL_WORKLOADS[name][1]
    benchmark(lambda: deque(map(hand, EVENTS), 0))


@pytest.mark.parametrize("name", sorted(FQL_WORKLOADS))
def test_engine_per_event(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    expr = fql.compile(FQL_WORKLOADS[name][0])
    benchmark(lambda: deque(map(expr.matches, EVENTS), 0))


@pytest.mark.parametrize("name", sorted(FQL_WORKLOADS))
def test_engine_batch(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    expr = fql.compile(FQL_WORKLOADS[name][0])
    benchmark(expr.matches_many, EVENTS)


def test_w4_hand_written(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(lambda: deque(map(hand_w4, EVENTS), 0))


def test_w4_engine(benchmark) -> None:  # type: ignore[no-untyped-def]
    mapping = actions.compile_mapping(W4)
    benchmark(mapping.apply_batch, EVENTS)
