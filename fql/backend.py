"""The one place that chooses the evaluator backend (STYLE.md §5).

The Cython kernel (``fql._ext._kernel``, built from ``src_ext/``) is used when it was
built and imports; otherwise, or when ``FQL_PUREPYTHON=1`` is set, the pure-Python twin
in :mod:`fql.evaluator` runs. :data:`BACKEND` says which (``"cython"`` or ``"python"``).
Both builders take a plan and return an object with ``evaluate``, ``matches``,
``matches_many`` and ``filter``; :func:`kernel_builder` gives the tests the kernel
directly, whatever the switch says.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import evaluator, plan

Builder = Callable[[plan.PNode], Any]  # returns an object shaped like evaluator.Program

build_python: Builder = evaluator.build_program


def kernel_builder() -> Builder | None:
    """The compiled kernel's builder, or None when it was not built."""
    try:
        from ._ext import _kernel  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _kernel.build  # type: ignore[no-any-return]


def _choose() -> tuple[str, Builder]:
    if os.environ.get("FQL_PUREPYTHON", "") not in ("", "0"):
        return "python", build_python
    kernel = kernel_builder()
    return ("python", build_python) if kernel is None else ("cython", kernel)


BACKEND, build = _choose()
