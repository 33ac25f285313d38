"""FQL: Segment's Filter Query Language, parsed, checked, compiled and evaluated."""

from .diagnostics import Diagnostic, Span
from .errors import FqlError, FqlEventError, FqlIRError, FqlLimitError, FqlSyntaxError, FqlTypeError

__all__ = [
    "Diagnostic",
    "FqlError",
    "FqlEventError",
    "FqlIRError",
    "FqlLimitError",
    "FqlSyntaxError",
    "FqlTypeError",
    "Span",
]
