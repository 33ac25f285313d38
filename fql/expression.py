"""The compiled expression: ``fql.compile(text) -> Expression``.

An :class:`Expression` holds the source, its AST, its plan and the evaluator the active
backend built from the plan. It is immutable and shares nothing mutable, so one compiled
expression can serve many threads. ``compile`` keeps a bounded LRU cache keyed by the
text and limits, since services compile the same few rules over and over.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, Literal, overload

from . import ast, backend
from .compiler import to_plan
from .format import format_node, format_path
from .ir import from_ir as _ir_to_ast
from .ir import to_ir as _ast_to_ir
from .jsontext import loads_event
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse
from .plan import Const, PNode
from .tsub_ir import DeviceModeExpression

# The class attribute ``Expression.ast`` hides the module inside the class body.
_SyntaxNode = ast.Node

#: How IR is read: as documented FQL, or as Segment's device-mode library reads it.
IRMode = Literal["fql", "tsub"]

#: How many distinct texts ``fql.compile`` remembers.
COMPILE_CACHE_SIZE = 1024


class Expression:
    """A compiled FQL expression; build it with :func:`fql.compile` or :func:`fql.from_ir`.

    Entry points (bound at construction to the active backend's program, so a call goes
    straight into the evaluator):

    - ``evaluate(event)``: the FQL value of the expression for ``event`` (a JSON object);
    - ``matches(event)``: true only when that value is exactly ``true`` (FQL-01);
    - ``matches_many(events)``: ``matches`` over many events, with the loop in the kernel;
    - ``filter(events)``: the events that match, in order (the same objects, not copies);
    - ``matches_json(data)``/``matches_many_json(lines)``: the same on JSON text or bytes.

    Each raises :class:`~fql.FqlEventError` for an event that is not a JSON object or an
    event value that is not JSON; never anything else.
    """

    __slots__ = ("ast", "evaluate", "filter", "matches", "matches_many", "plan", "text")

    text: str
    ast: _SyntaxNode
    plan: PNode
    evaluate: Callable[[Any], Any]
    matches: Callable[[Any], bool]
    matches_many: Callable[[Iterable[Any]], list[bool]]
    filter: Callable[[Iterable[Any]], list[Any]]

    def __init__(self, tree: _SyntaxNode, text: str | None = None) -> None:
        source = text if text is not None else format_node(tree)
        compiled = to_plan(tree, source)
        program = backend.build(compiled)
        evaluate = program.evaluate
        if isinstance(compiled, Const) and isinstance(compiled.value, list):
            evaluate = _copying(evaluate)
        for name, value in (("text", source), ("ast", tree), ("plan", compiled),
                            ("evaluate", evaluate), ("matches", program.matches),
                            ("matches_many", program.matches_many),
                            ("filter", program.filter)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __repr__(self) -> str:
        return f"fql.compile({self.text!r})"

    def matches_json(self, data: str | bytes) -> bool:
        """``matches`` for one event given as JSON text or UTF-8 bytes (a Kafka message,
        an HTTP body), read exactly (:mod:`fql.jsontext`: big integers stay integers).
        Text that is not a JSON object raises :class:`~fql.jsontext.FqlJsonError` (an
        :class:`~fql.FqlEventError`)."""
        return self.matches(loads_event(data))

    def matches_many_json(self, lines: Iterable[str | bytes]) -> list[bool]:
        """``matches_json`` over many texts, the evaluation loop in the kernel
        (``matches_many``); raises for the first text that is not a JSON object."""
        return self.matches_many([loads_event(line) for line in lines])

    @property
    def fields(self) -> frozenset[str]:
        """The top-level fields of the event the expression can read (the first key of
        every path): the answer for an event depends on these fields alone, so a
        reader may decode only them (:class:`fql.jsontext.FieldDecoder`)."""
        return frozenset(node.segments[0] for node in ast.walk(self.ast)
                         if isinstance(node, ast.Path) and node.segments)

    def to_ir(self) -> Any:
        """Segment's compiled IR for this expression (JSON data)."""
        return _ast_to_ir(self.ast)

    def format(self) -> str:
        """The canonical text."""
        return format_node(self.ast)

    @property
    def paths(self) -> tuple[str, ...]:
        """The event fields the expression reads, as FQL path text
        (``context.library.version``, escapes included), each once, in source order: what
        a caller needs to decode (or a REPL to complete) for this rule."""
        return tuple(dict.fromkeys(
            format_path(node.segments) for node in ast.walk(self.ast)
            if isinstance(node, ast.Path)))


def _copying(evaluate: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``evaluate`` returning a fresh copy of its (constant) list: a folded list literal
    is one object shared by every call (and, through the compile cache, by every caller
    of the same text), so handing it out would let one caller change another's answers.
    Only a constant list needs this: functions return scalars, and any other list is
    the event's own."""

    def evaluate_copy(event: Any) -> Any:
        return copy.deepcopy(evaluate(event))

    return evaluate_copy


@lru_cache(maxsize=COMPILE_CACHE_SIZE)
def _compile_cached(text: str, limits: Limits) -> Expression:
    return Expression(parse(text, limits=limits), text)


def compile(text: str, *, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse, check and plan ``text`` once; raises :class:`~fql.FqlSyntaxError`,
    :class:`~fql.FqlTypeError` or :class:`~fql.FqlLimitError` with a span."""
    if type(text) is not str:  # the cache would hash it first: a list is a TypeError there
        return Expression(parse(text, limits=limits), None)
    return _compile_cached(text, limits)


@overload
def from_ir(ir: Any, *, mode: Literal["fql"] = "fql") -> Expression: ...
@overload
def from_ir(ir: Any, *, mode: Literal["tsub"]) -> DeviceModeExpression: ...


def from_ir(ir: Any, *, mode: IRMode = "fql") -> Expression | DeviceModeExpression:
    """An expression from Segment's IR (JSON text or data).

    ``mode="fql"`` (the default) reads the IR as FQL with the documented semantics and
    raises :class:`~fql.FqlIRError` for IR that has no FQL meaning. ``mode="tsub"``
    evaluates it exactly as Segment's device-mode library does, quirks included
    (:mod:`fql.tsub_ir`); only text that is not JSON is rejected up front.
    """
    if mode == "fql":
        return Expression(_ir_to_ast(ir))
    if mode == "tsub":
        return DeviceModeExpression(ir)
    raise ValueError(f"mode must be 'fql' or 'tsub', not {mode!r}")
