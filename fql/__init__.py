"""FQL: Segment's Filter Query Language, parsed, checked, compiled and evaluated.

>>> import fql
>>> expr = fql.compile('type = "track" and match(event, "Order *")')
>>> expr.matches({"type": "track", "event": "Order Completed"})
True
"""

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
from .format import format_node
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse

__version__ = "0.1.0"


def format(text: str) -> str:
    """The canonical form of FQL ``text`` (``parse(format(x)) == parse(x)``)."""
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
