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

from actions.mapping.mapping import Mapping, PythonRunner
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

    def program(self, expression: Any) -> Any:
        """``expression`` (an ``fql.Expression``) as this backend's program."""
        return self.fql_builder(expression.plan)

    def mapping(self, compiled: Any) -> Any:
        """``compiled`` (an ``actions.Mapping``) run by this backend."""
        return Mapping(compiled.source, compiled._root, list(compiled._findings),
                       compiled.limits, compiled.extensions, run=self.mapping_runner)


def _cython() -> Backend | None:
    fql_kernel, mapping_kernel = load_kernel("_kernel"), load_kernel("_mapping")
    if fql_kernel is None or mapping_kernel is None:
        return None
    return Backend("cython", fql_kernel.build, mapping_kernel.build)


_BACKENDS = {"python": Backend("python", build_python, PythonRunner), "cython": _cython()}


@pytest.fixture(params=list(_BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn, whatever ``FQL_PUREPYTHON`` says; the kernels are skipped
    when they were not built."""
    chosen = _BACKENDS[request.param]
    if chosen is None:
        pytest.skip("the Cython kernels were not built")
    return chosen
