"""pytest-benchmark suite for routing (run: ``pytest benchmarks/test_bench_routing.py``):
the workspace of ``benchmarks/compare_routing.py`` (20 destinations × 5 mappings), the
trigger stage shared and naive, and whole routes shared and separate. Compare the rows
of one run; ``compare_routing.py`` prints the ratios directly."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from benchmarks.compare_routing import (
    mapping_triggers,
    naive_triggers,
    shared_triggers,
    workspace,
)
from benchmarks.events import generate
from fql.routing import Router

EVENTS = generate(500)
CONFIG = workspace()
TRIGGERS = mapping_triggers(CONFIG)
VARIANTS: dict[str, Callable[[Any], Any]] = {
    "triggers-naive": naive_triggers(TRIGGERS),
    "triggers-shared": shared_triggers(TRIGGERS),
    "route-separate": Router(CONFIG, share_triggers=False).route,
    "route-shared": Router(CONFIG).route,
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_routing(benchmark, name: str) -> None:  # type: ignore[no-untyped-def]
    fn = VARIANTS[name]
    benchmark(lambda: deque(map(fn, EVENTS), maxlen=0))
