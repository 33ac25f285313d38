"""Segment's compiled FQL "IR" (the device-mode engine's matcher format) ⇄ AST.

Shape (conformance README, quirk 30): a path is a bare string (``"properties.email"``),
a literal is ``{"value": v}``, a list literal ``{"value": [{"value": a}, ...]}`` (a bare
string inside it is a path), a call ``["contains", path, lit]``, ``and``/``or`` n-ary or
right-nested binary, ``!`` unary, comparisons ``[op, left, right]``. IR is produced by
Segment's server, so :func:`from_ir` accepts exactly that shape and rejects the rest
with :class:`FqlIRError`: operands the reference would resolve to nonsense (a bare
number or boolean means "the whole event" there, ``null`` throws) are errors here.
"""

from __future__ import annotations

import json
import reprlib
from typing import Any

from . import ast
from .errors import FqlIRError
from .functions import FUNCTIONS
from .limits import DEFAULT_LIMITS
from .values import json_text_depth

_COMPARE = frozenset({"=", "!=", "<", "<=", ">", ">="})


def to_ir(node: ast.Node) -> Any:
    """The IR of an AST, as JSON data (``json.dumps`` it to store in a matcher)."""
    if isinstance(node, ast.Path):
        if any("." in s for s in node.segments):
            raise FqlIRError(
                "the IR cannot address a key containing '.'", code="FQL503", span=node.span
            )
        return ".".join(node.segments)
    if isinstance(node, (ast.String, ast.Number, ast.Bool)):
        return {"value": node.value}
    if isinstance(node, ast.Null):
        return {"value": None}
    if isinstance(node, ast.All):
        return {"value": True}
    if isinstance(node, ast.ListLit):
        return {"value": [to_ir(item) for item in node.items]}
    if isinstance(node, ast.Not):
        return ["!", to_ir(node.operand)]
    if isinstance(node, ast.And):
        return ["and", *(to_ir(op) for op in node.operands)]
    if isinstance(node, ast.Or):
        return ["or", *(to_ir(op) for op in node.operands)]
    if isinstance(node, ast.Compare):
        return [node.op, to_ir(node.left), to_ir(node.right)]
    if isinstance(node, ast.In):
        return ["in", to_ir(node.left), to_ir(node.right)]
    if isinstance(node, ast.Call):
        return [node.name, *(to_ir(arg) for arg in node.args)]
    raise TypeError(f"not an FQL node: {node!r}")  # pragma: no cover


def load_ir(ir: Any, *, max_depth: int = DEFAULT_LIMITS.max_depth) -> Any:
    """Accept IR as JSON text (as stored in a tsub matcher) or as parsed data. A Python
    ``str`` is always JSON text: a bare path as data is ``json.dumps("userId")``. Text
    nested deeper than ``max_depth`` IR levels is refused before it is parsed (each IR
    level is at most two JSON levels: ``{"value": [...]}``), so the JSON parser never
    recurses further than the IR may nest."""
    if isinstance(ir, (bytes, str)):
        if not ir.strip():
            raise FqlIRError("empty IR", code="FQL501")
        if json_text_depth(ir) > 2 * (max_depth + 1):
            raise _too_deep(max_depth)
        try:
            return json.loads(ir)
        except ValueError as exc:
            raise FqlIRError(f"IR is not valid JSON: {exc}", code="FQL501") from None
    return ir


def from_ir(ir: Any, *, max_depth: int = DEFAULT_LIMITS.max_depth) -> ast.Node:
    """Convert IR (JSON text or data) into an AST; IR nested deeper than ``max_depth``
    (``Limits.max_depth``, as FQL text) is :class:`FqlIRError` FQL504."""
    return _node(load_ir(ir, max_depth=max_depth), 0, max_depth)


def _too_deep(max_depth: int) -> FqlIRError:
    return FqlIRError(f"IR nested deeper than {max_depth} levels (Limits.max_depth)",
                      code="FQL504")


#: Shows an operand in an error: bounded in depth and length, so showing a deep or
#: cyclic value cannot recurse without end the way ``json.dumps`` would.
_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxstring, _SHOW.maxother = 4, 60, 60


def _node(ir: Any, depth: int, max_depth: int) -> ast.Node:
    if depth > max_depth:
        raise _too_deep(max_depth)
    if isinstance(ir, str):
        return ast.Path(tuple(ir.split(".")))
    if isinstance(ir, dict):
        if "value" not in ir:
            raise FqlIRError(f"IR operand {_SHOW.repr(ir)} has no 'value'", code="FQL502")
        return _literal(ir["value"], depth, max_depth)
    if isinstance(ir, list) and ir and isinstance(ir[0], str):
        return _expression(ir[0], ir[1:], depth, max_depth)
    raise FqlIRError(f"unsupported IR operand: {_SHOW.repr(ir)}", code="FQL502")


def _literal(value: Any, depth: int, max_depth: int) -> ast.Node:
    if value is None:
        return ast.Null()
    if isinstance(value, bool):
        return ast.Bool(value)
    if isinstance(value, (int, float)):
        return ast.Number(value)
    if isinstance(value, str):
        return ast.String(value)
    if isinstance(value, list):
        return ast.ListLit(tuple(_node(item, depth + 1, max_depth) for item in value))
    raise FqlIRError(f"FQL has no literal for {_SHOW.repr(value)}", code="FQL502")


def _expression(head: str, args: list[Any], depth: int, max_depth: int) -> ast.Node:
    operands = tuple(_node(a, depth + 1, max_depth) for a in args)
    if head in ("and", "or"):
        if len(operands) < 2:
            raise FqlIRError(f"'{head}' needs at least two operands", code="FQL502")
        return (ast.And if head == "and" else ast.Or)(operands)
    if head == "!":
        _arity(head, operands, 1)
        return ast.Not(operands[0])
    if head in _COMPARE:
        _arity(head, operands, 2)
        return ast.Compare(head, operands[0], operands[1])
    if head == "in":
        _arity(head, operands, 2)
        return ast.In(operands[0], operands[1])
    fn = FUNCTIONS.get(head)
    if fn is None:
        raise FqlIRError(f"unknown IR function {head!r}", code="FQL502")
    _arity(head, operands, fn.arity)
    return ast.Call(head, operands)


def _arity(head: str, operands: tuple[ast.Node, ...], n: int) -> None:
    if len(operands) != n:
        raise FqlIRError(f"'{head}' takes {n} operand(s), got {len(operands)}", code="FQL502")
