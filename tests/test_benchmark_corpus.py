"""The benchmark corpus (``benchmarks/corpus.py``) is valid and both backends agree on it.

Every FQL expression, trigger and mapping of the corpus compiles, and the kernel and
the twin give the same answers on the corpus's mixed-shape events: a speedup measured
on a rule that answers differently would mean nothing.
"""

from __future__ import annotations

import pytest

import actions
import fql
from actions.mapping.mapping import PythonRunner, with_runner
from actions.trigger.plan import compile_tree
from actions.trigger.trigger import matchers
from benchmarks.corpus import FQL_CORPUS, MAPPING_CORPUS, TRIGGER_CORPUS, mixed_events
from fql.backend import build_python, kernel_builder, load_kernel
from fql.compiler import to_plan

EVENTS = mixed_events(300)
needs_kernels = pytest.mark.skipif(kernel_builder() is None, reason="kernels not built")


def test_the_events_are_mixed() -> None:
    """Shapes at the rates the corpus promises: ``context.page`` absent from about 40%,
    ``traits.plan`` missing or null in most, numbers where strings are expected."""
    pages = sum("page" in event.get("context", {}) for event in EVENTS) / len(EVENTS)
    plans = sum(isinstance(event.get("traits", {}).get("plan"), str) for event in EVENTS)
    assert 0.35 < 1 - pages < 0.65
    assert plans < len(EVENTS) / 2
    assert any(isinstance(event.get("userId"), int) for event in EVENTS)
    assert {event["type"] for event in EVENTS} == {"track", "page", "identify"}


@needs_kernels
def test_every_fql_expression_agrees() -> None:
    kernel = kernel_builder()
    assert kernel is not None and len(FQL_CORPUS) >= 150
    for text in FQL_CORPUS:
        plan = to_plan(fql.parse(text))
        assert build_python(plan).matches_many(EVENTS) == kernel(plan).matches_many(EVENTS), text


@needs_kernels
def test_every_trigger_agrees() -> None:
    module = load_kernel("_trigger")
    assert len(TRIGGER_CORPUS) == 50
    for text in TRIGGER_CORPUS:
        plan = compile_tree(actions.Trigger.parse(text).conditions)
        assert matchers(plan, None)[1](EVENTS) == matchers(plan, module)[1](EVENTS), text


@needs_kernels
def test_every_mapping_agrees() -> None:
    module = load_kernel("_mapping")
    assert module is not None
    for name, source in MAPPING_CORPUS.items():
        compiled = actions.compile_mapping({"out": source}, extensions=True)
        twin = with_runner(compiled, PythonRunner).apply_batch(EVENTS)
        assert with_runner(compiled, module.build).apply_batch(EVENTS) == twin, name


def test_one_mapping_per_directive() -> None:
    from actions.mapping.directives import DIRECTIVES

    assert set(MAPPING_CORPUS) == set(DIRECTIVES)
