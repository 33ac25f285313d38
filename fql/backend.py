"""The one place that chooses the evaluator backend (STYLE.md §5).

The Cython kernel (``fql._ext._kernel``, built from ``src_ext/``) is used when it was
built and imports; otherwise, or when ``FQL_PUREPYTHON=1`` is set, the pure-Python twin
in :mod:`fql.evaluator` runs. :data:`BACKEND` says which (``"cython"`` or ``"python"``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import evaluator, plan

build_python: Callable[[plan.PNode], Callable[[Any], Any]] = evaluator.build


def _choose() -> tuple[str, Callable[[plan.PNode], Callable[[Any], Any]]]:
    if os.environ.get("FQL_PUREPYTHON", "") not in ("", "0"):
        return "python", build_python
    try:
        from ._ext import _kernel  # type: ignore[attr-defined]
    except ImportError:
        return "python", build_python
    return "cython", _kernel.build


BACKEND, build = _choose()
