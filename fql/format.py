"""AST → canonical FQL text.

Canonical form: one line; double-quoted strings (the form Segment's generators write);
single spaces around binary operators; ``!`` glued to its operand; ``f(a, b)`` and
``[a, b]``; parentheses only where precedence or an explicit grouping needs them (an
``and`` inside an ``and`` keeps its parentheses, so the tree survives the round trip:
``parse(format(x)) == parse(x)``). Path characters outside ``a-z A-Z 0-9 _ -`` are
escaped with ``\\`` (FQL-04).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import ast

# Binding strength, loosest first (grammar.lark): or < and < comparison/in < ! < atom.
_OR, _AND, _CMP, _UNARY, _ATOM = 1, 2, 3, 4, 5
_KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null", "all"})
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_\-]")
_STRING_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def format_node(node: ast.Node) -> str:
    """The canonical text of an AST."""
    return _FORMATTERS[type(node)](node)


def format_path(segments: tuple[str, ...]) -> str:
    """A field path as FQL text: characters that are not plain escaped with ``\\``,
    and a first segment that would read as a number or a keyword escaped too."""
    parts = ["".join(c if _PLAIN_SEGMENT.match(c) else "\\" + c for c in seg) for seg in segments]
    first = parts[0] if parts else ""
    # A first segment must not read as a number, a negative number or a keyword.
    if first and (first[0].isdigit() or first[0] == "-" or
                  (len(parts) == 1 and first in _KEYWORDS)):
        parts[0] = "\\" + first
    return ".".join(parts)


def format_string(value: str) -> str:
    """A string literal as FQL text: double quotes, JSON-style escapes, control
    characters and lone surrogates as ``\\uXXXX``."""
    out = []
    for ch in value:
        esc = _STRING_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def format_number(value: int | float) -> str:
    """A number literal as FQL text; a float keeps its ``.0`` so it reads back as a
    float."""
    # repr keeps the ".0" of 1.0, so a decimal literal stays a decimal (a float).
    return str(value) if isinstance(value, int) else repr(value)


def _prec(node: ast.Node) -> int:
    if isinstance(node, ast.Or):
        return _OR
    if isinstance(node, ast.And):
        return _AND
    if isinstance(node, (ast.Compare, ast.In)):
        return _CMP
    if isinstance(node, ast.Not):
        return _UNARY
    return _ATOM


def _wrap(node: ast.Node, minimum: int) -> str:
    text = format_node(node)
    return f"({text})" if _prec(node) < minimum else text


def _fmt_path(node: ast.Node) -> str:
    assert isinstance(node, ast.Path)
    return format_path(node.segments)


def _fmt_string(node: ast.Node) -> str:
    assert isinstance(node, ast.String)
    return format_string(node.value)


def _fmt_number(node: ast.Node) -> str:
    assert isinstance(node, ast.Number)
    return format_number(node.value)


def _fmt_bool(node: ast.Node) -> str:
    assert isinstance(node, ast.Bool)
    return "true" if node.value else "false"


def _fmt_null(node: ast.Node) -> str:
    return "null"


def _fmt_list(node: ast.Node) -> str:
    assert isinstance(node, ast.ListLit)
    return "[" + ", ".join(format_node(i) for i in node.items) + "]"


def _fmt_not(node: ast.Node) -> str:
    assert isinstance(node, ast.Not)
    return "!" + _wrap(node.operand, _UNARY)


def _fmt_and(node: ast.Node) -> str:
    assert isinstance(node, ast.And)
    return " and ".join(_wrap(op, _CMP) for op in node.operands)


def _fmt_or(node: ast.Node) -> str:
    assert isinstance(node, ast.Or)
    return " or ".join(_wrap(op, _AND) for op in node.operands)


def _fmt_compare(node: ast.Node) -> str:
    assert isinstance(node, ast.Compare)
    return f"{_wrap(node.left, _UNARY)} {node.op} {_wrap(node.right, _UNARY)}"


def _fmt_in(node: ast.Node) -> str:
    assert isinstance(node, ast.In)
    return f"{_wrap(node.left, _UNARY)} in {_wrap(node.right, _UNARY)}"


def _fmt_call(node: ast.Node) -> str:
    assert isinstance(node, ast.Call)
    return f"{node.name}(" + ", ".join(format_node(a) for a in node.args) + ")"


def _fmt_all(node: ast.Node) -> str:
    return "all"


_FORMATTERS: dict[type[ast.Node], Callable[[ast.Node], str]] = {
    ast.Path: _fmt_path,
    ast.String: _fmt_string,
    ast.Number: _fmt_number,
    ast.Bool: _fmt_bool,
    ast.Null: _fmt_null,
    ast.ListLit: _fmt_list,
    ast.Not: _fmt_not,
    ast.And: _fmt_and,
    ast.Or: _fmt_or,
    ast.Compare: _fmt_compare,
    ast.In: _fmt_in,
    ast.Call: _fmt_call,
    ast.All: _fmt_all,
}
