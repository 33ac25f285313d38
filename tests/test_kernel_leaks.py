"""No backend keeps memory from one event to the next.

The kernels walk events with borrowed references and build results by hand, where a
missing release is easy to write and invisible to every other test: here each backend
runs filters, triggers and mappings over generated events (including the errors they
raise) many times, and the number of allocated blocks must not grow.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import sys
from collections.abc import Callable

import actions
import fql
from benchmarks.events import generate
from benchmarks.workloads import FQL_WORKLOADS, T2, W4

from .conftest import Backend

EVENTS = [*generate(200), {"type": 5, "context": "x", "properties": {"revenue": "12"}}, {}]


def grows(run: Callable[[], object]) -> int:
    """Allocated blocks gained over 200 runs of ``run``, after a warm-up."""
    for _ in range(20):
        run()
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(200):
        run()
    gc.collect()
    return sys.getallocatedblocks() - before


def test_filters_keep_nothing(backend: Backend) -> None:
    programs = [backend.program(fql.compile(text)) for text, _ in FQL_WORKLOADS.values()]
    failing = backend.program(fql.compile("length(userId) > 1"))
    bad = [[1, 2], "event", {"userId": object()}, {"userId": {1, 2}}]  # each raises

    def run() -> None:
        for program in programs:
            program.matches_many(EVENTS)
            for event in EVENTS:
                program.evaluate(event)
        for event in bad:
            with contextlib.suppress(fql.FqlError):
                failing.evaluate(event)

    raised = 0
    for event in bad:
        try:
            failing.evaluate(event)
        except fql.FqlError:
            raised += 1
    assert raised == len(bad)
    assert grows(run) < 200  # one block per event per run would be 40,000


def test_triggers_keep_nothing(backend: Backend) -> None:
    trigger = backend.trigger(actions.Trigger.parse(T2))
    assert grows(lambda: trigger.matches_many(EVENTS)) < 200


def test_mappings_keep_nothing(backend: Backend) -> None:
    mapping = backend.mapping(actions.compile_mapping(W4))
    assert grows(lambda: mapping.apply_batch(EVENTS)) < 200


def test_built_programs_give_everything_back(backend: Backend) -> None:
    """Building a program and dropping it returns its memory, the kernels' remembered
    dict positions (allocated per mapping node) included, and so does a filter that
    built its twin for a dict-subclass event."""
    compiled = actions.compile_mapping(W4)
    expression = fql.compile(FQL_WORKLOADS["W3"][0])
    odd = collections.OrderedDict(EVENTS[0])

    def run() -> None:
        backend.mapping(compiled).apply(EVENTS[0])
        backend.program(expression).matches(odd)

    assert grows(run) < 200
