"""The compiled expression: ``fql.compile(text) -> Expression``.

An :class:`Expression` holds the source, its AST, its plan and the evaluator the active
backend built from the plan. It is immutable and shares nothing mutable, so one compiled
expression can serve many threads. ``compile`` keeps a bounded LRU cache keyed by the
text and limits, since services compile the same few rules over and over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from . import ast, backend
from .compiler import to_plan
from .errors import FqlEventError
from .format import format_node
from .ir import from_ir as _ir_to_ast
from .ir import to_ir as _ast_to_ir
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse
from .plan import PNode

#: How many distinct texts ``fql.compile`` remembers.
COMPILE_CACHE_SIZE = 1024


class Expression:
    """A compiled FQL expression; build it with :func:`fql.compile` or :func:`fql.from_ir`."""

    __slots__ = ("_fn", "ast", "plan", "text")

    text: str
    ast: ast.Node
    plan: PNode
    _fn: Callable[[Any], Any]

    def __init__(self, tree: ast.Node, text: str | None = None) -> None:
        source = text if text is not None else format_node(tree)
        object.__setattr__(self, "text", source)
        object.__setattr__(self, "ast", tree)
        object.__setattr__(self, "plan", to_plan(tree, source))
        object.__setattr__(self, "_fn", backend.build(self.plan))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __repr__(self) -> str:
        return f"fql.compile({self.text!r})"

    def evaluate(self, event: Any) -> Any:
        """The FQL value of the expression for ``event`` (a JSON object)."""
        try:
            return self._fn(event)
        except AttributeError:
            raise _not_an_object(event) from None

    def matches(self, event: Any) -> bool:
        """True only when the expression's value is exactly ``true`` (FQL-01)."""
        try:
            return self._fn(event) is True
        except AttributeError:
            raise _not_an_object(event) from None

    def matches_many(self, events: Iterable[Any]) -> list[bool]:
        """:meth:`matches` over many events, with less per-event overhead."""
        fn = self._fn
        try:
            return [fn(event) is True for event in events]
        except AttributeError:
            raise FqlEventError("every event must be a JSON object (dict)",
                                code="FQL603") from None

    def filter(self, events: Iterable[Any]) -> list[Any]:
        """The events that match, in order (the same objects, not copies)."""
        fn = self._fn
        try:
            return [event for event in events if fn(event) is True]
        except AttributeError:
            raise FqlEventError("every event must be a JSON object (dict)",
                                code="FQL603") from None

    def to_ir(self) -> Any:
        """Segment's compiled IR for this expression (JSON data)."""
        return _ast_to_ir(self.ast)

    def format(self) -> str:
        """The canonical text."""
        return format_node(self.ast)


def _not_an_object(event: Any) -> FqlEventError:
    return FqlEventError(f"an event must be a JSON object (dict), not {type(event).__name__}",
                         code="FQL603")


@lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _compile_cached(text: str, limits: Limits) -> Expression:
    return Expression(parse(text, limits=limits), text)


def compile(text: str, *, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse, check and plan ``text`` once; raises :class:`~fql.FqlSyntaxError`,
    :class:`~fql.FqlTypeError` or :class:`~fql.FqlLimitError` with a span."""
    return _compile_cached(text, limits)


def from_ir(ir: Any) -> Expression:
    """An expression from Segment's IR (JSON text or data); raises
    :class:`~fql.FqlIRError` for IR that has no FQL meaning."""
    return Expression(_ir_to_ast(ir))
