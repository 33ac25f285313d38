"""The one place that chooses the evaluator backend (STYLE.md §5).

Each Cython kernel (``fql._ext.<name>``, built from ``src_ext/<name>.pyx``) is used when
it was built and imports; otherwise, or when ``FQL_PUREPYTHON=1`` is set, its pure-Python
twin runs. There are four: ``_kernel`` runs FQL plans (twin: :mod:`fql.evaluator`),
``_trigger`` runs trigger plans (twin: :mod:`actions.trigger.matcher`), ``_mapping``
runs mapping plans (twin: :mod:`actions.mapping.runtime`) and ``_lalr`` drives the
parser's table (twin: Lark's own loop, see :mod:`fql.parser`). :data:`BACKEND` says which
backend FQL uses (``"cython"`` or ``"python"``); the build compiles all kernels or none
in practice, since they need the same toolchain.

Both FQL builders take a plan and return an object with ``evaluate``, ``matches``,
``matches_many`` and ``filter``; :func:`kernel_builder` and :func:`load_kernel` give the
tests the kernels directly, whatever the switch says.

The choice is made on first use, not at import (``BACKEND``, ``build`` and
``build_python`` are module attributes computed by :func:`__getattr__`): a command
that never evaluates a rule (``fql --version`` aside, ``fql lint`` of a trigger) does
not pay for importing the evaluator and the kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._ext import FORCE_PYTHON, kernel, load_kernel

Builder = Callable[[Any], Any]  # a plan.PNode -> an object shaped like evaluator.Program

def kernel_builder() -> Builder | None:
    """The compiled FQL kernel's builder, or None when it was not built."""
    module = load_kernel("_kernel")
    return None if module is None else module.build


def _python_builder() -> Builder:
    from .evaluator import build_program

    return build_program


def _choose() -> tuple[str, Builder]:
    module = kernel("_kernel")
    return ("python", _python_builder()) if module is None else ("cython", module.build)


def __getattr__(name: str) -> Any:
    """``BACKEND`` (``"cython"`` or ``"python"``), ``build`` (its plan builder) and
    ``build_python`` (the twin's), decided once, on first use."""
    if name == "build_python":
        value: Any = _python_builder()
    elif name in ("BACKEND", "build"):
        backend, builder = _choose()
        globals().update(BACKEND=backend, build=builder)
        value = globals()[name]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = ["FORCE_PYTHON", "Builder", "kernel", "kernel_builder", "load_kernel"]
