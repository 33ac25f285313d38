"""Test configuration: Hypothesis runs derandomized (a fixed seed per test) so a CI run
is reproducible; set ``HYPOTHESIS_PROFILE=explore`` to search with fresh random data.
The ``backend`` fixture runs a test once per evaluator backend."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import settings

from actions import Trigger
from actions.mapping.mapping import PythonRunner, with_runner
from actions.trigger.plan import compile_tree
from actions.trigger.trigger import matchers
from fql.backend import build_python, load_kernel

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass(frozen=True)
class Backend:
    """One evaluator backend, for tests that run the same cases on each (the whole suite
    also runs once per backend: CI sets ``FQL_PUREPYTHON=1`` for the second run)."""

    name: str
    fql_builder: Callable[[Any], Any]
    mapping_runner: Callable[[Any], Any]
    trigger_builder: Callable[[Any], tuple[Any, Any]]

    def program(self, expression: Any) -> Any:
        """``expression`` (an ``fql.Expression``) as this backend's program."""
        return self.fql_builder(expression.plan)

    def mapping(self, compiled: Any) -> Any:
        """``compiled`` (an ``actions.Mapping``) run by this backend."""
        return with_runner(compiled, self.mapping_runner)

    def trigger(self, trigger: Trigger) -> Trigger:
        """``trigger`` (an ``actions.Trigger``) run by this backend."""
        again = Trigger(trigger.conditions, mode=trigger.mode, source=trigger.source)
        again._match, again._many = self.trigger_builder(compile_tree(again._tree))
        return again


def _cython() -> Backend | None:
    kernels = [load_kernel(name) for name in ("_kernel", "_mapping", "_trigger")]
    if None in kernels:
        return None
    fql_kernel, mapping_kernel, trigger_kernel = kernels
    return Backend("cython", fql_kernel.build, mapping_kernel.build,  # type: ignore[union-attr]
                   lambda plan: matchers(plan, trigger_kernel))


_BACKENDS = {"python": Backend("python", build_python, PythonRunner,
                               lambda plan: matchers(plan, None)),
             "cython": _cython()}


@pytest.fixture(params=list(_BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn, whatever ``FQL_PUREPYTHON`` says; the kernels are skipped
    when they were not built."""
    chosen = _BACKENDS[request.param]
    if chosen is None:
        pytest.skip("the Cython kernels were not built")
    return chosen
