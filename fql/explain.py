"""Why an expression has its value for one event: each part with its value, and for
``and``/``or`` the operand that decided the answer (the REPL's ``:explain``, and each
filter and trigger in ``fql route --explain``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from . import ast
from .errors import FqlError
from .expression import Expression
from .format import format_node


def value_of(node: ast.Node, event: Any) -> Any:
    """The node's value for ``event``, or ``<CODE>`` when evaluating it raises."""
    try:
        return Expression(node).evaluate(event)
    except FqlError as exc:
        return f"<{exc.code}>"


def explain(node: ast.Node, event: Any, depth: int = 0) -> Iterator[str]:
    """Each part of the expression with its value; for ``and``/``or`` the operand that
    decided the answer is marked and the ones never evaluated are skipped."""
    pad = "  " * depth
    yield f"{pad}{format_node(node)}  =>  {json.dumps(value_of(node, event), ensure_ascii=False)}"
    if isinstance(node, (ast.And, ast.Or)):
        stop = isinstance(node, ast.Or)  # `or` stops at the first true, `and` at non-true
        for operand in node.operands:
            decided = (value_of(operand, event) is True) == stop
            parts = explain(operand, event, depth + 1)
            head = next(parts)
            yield f"{head}  <- decided here" if decided else head  # on the operand itself
            yield from parts
            if decided:
                return
    else:
        for child in ast.children(node):
            if not isinstance(child, (ast.String, ast.Number, ast.Bool, ast.Null)):
                yield from explain(child, event, depth + 1)


def deciding_part(node: ast.Node, event: Any) -> ast.Node:
    """The smallest part of ``node`` that decided its truth for ``event``: down through
    each ``and`` that one operand made false and each ``or`` that one made true; an
    ``and`` that is true (or an ``or`` that is false) was decided by all its operands,
    so it is its own answer."""
    while isinstance(node, (ast.And, ast.Or)):
        stop = isinstance(node, ast.Or)
        decider = next((op for op in node.operands if (value_of(op, event) is True) == stop),
                       None)
        if decider is None:
            return node
        node = decider
    return node
