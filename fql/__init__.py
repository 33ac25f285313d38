"""FQL: Segment's Filter Query Language, parsed, checked, compiled and evaluated.

>>> import fql
>>> expr = fql.compile('type = "track" and match(event, "Order *")')
>>> expr.matches({"type": "track", "event": "Order Completed"})
True

The public names are loaded on first use (PEP 562), so ``import fql`` and ``fql
--version`` stay cheap; ``fql.compile`` imports the parser, the compiler and the
evaluator the first time it is called for.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "BACKEND": "backend",
    "DEFAULT_LIMITS": "limits",
    "Diagnostic": "diagnostics",
    "Expression": "expression",
    "FqlError": "errors",
    "FqlEventError": "errors",
    "FqlIRError": "errors",
    "FqlLimitError": "errors",
    "FqlSyntaxError": "errors",
    "FqlTypeError": "errors",
    "Limits": "limits",
    "Span": "diagnostics",
    "check": "check",
    "compile": "expression",
    "format_node": "format",
    "from_ir": "expression",
    "parse": "parser",
}

if TYPE_CHECKING:
    from . import ast
    from .backend import BACKEND
    from .check import check
    from .diagnostics import Diagnostic, Span
    from .errors import (
        FqlError,
        FqlEventError,
        FqlIRError,
        FqlLimitError,
        FqlSyntaxError,
        FqlTypeError,
    )
    from .expression import Expression, compile, from_ir
    from .format import format_node as format_node
    from .limits import DEFAULT_LIMITS, Limits
    from .parser import parse


def __getattr__(name: str) -> Any:
    if name == "ast":
        return importlib.import_module(".ast", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """``fql.check`` and ``fql.format`` are functions, named like the modules that
    define them. Importing such a module sets the package attribute of the same name
    to the module; here that assignment is skipped (the module stays reachable through
    ``sys.modules`` and ``import fql.check as m``), so the function keeps the name
    whichever is imported first."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("check", "format") and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS, "ast"])


def format(text: str) -> str:
    """The canonical form of FQL ``text`` (``parse(format(x)) == parse(x)``)."""
    from .format import format_node as format_node
    from .parser import parse

    return format_node(parse(text))


__all__ = [
    "BACKEND",
    "DEFAULT_LIMITS",
    "Diagnostic",
    "Expression",
    "FqlError",
    "FqlEventError",
    "FqlIRError",
    "FqlLimitError",
    "FqlSyntaxError",
    "FqlTypeError",
    "Limits",
    "Span",
    "__version__",
    "ast",
    "check",
    "compile",
    "format",
    "from_ir",
    "parse",
]
