"""Compiled kernels (built from ``src_ext/`` when a compiler is available), and the
switch that says whether to use them (:mod:`fql.backend` is the place that chooses; the
loader lives here, below every other module, so that any module may ask for a kernel
without importing the evaluator).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

#: True when ``FQL_PUREPYTHON`` forces every pure-Python twin.
FORCE_PYTHON = os.environ.get("FQL_PUREPYTHON", "") not in ("", "0")


def load_kernel(name: str) -> ModuleType | None:
    """The compiled kernel ``fql._ext.<name>``, or None when it was not built."""
    try:
        return importlib.import_module(f"fql._ext.{name}")
    except ImportError:
        return None


def kernel(name: str) -> ModuleType | None:
    """The kernel to run: None when ``FQL_PUREPYTHON`` is set or it was not built."""
    return None if FORCE_PYTHON else load_kernel(name)
