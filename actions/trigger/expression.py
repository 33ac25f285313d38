"""Exact conversions between a trigger and a full FQL expression (for ``fql.compile``).

The two languages share a syntax but not a meaning, so a conversion is offered only
where the answers agree on every JSON event, and is a ``TRG4xx`` error elsewhere.

Trigger → FQL. Each condition becomes the FQL test that answers what Segment's
``validate`` answers: ``not_contains`` needs a string (``typeof(p) = "string" and
!contains(p, "v")``), ``number_not_equals`` a number, starts/ends with a glob with its
special characters escaped. Segment's lookup stops at the first *falsy* value on the
way and tests that value (quirk 12), while FQL reads a step into ``0``/``""``/``false``
as null; so every prefix of a nested path is guarded: ``properties.x != null`` (exists)
is ``properties in [0, "", false] or properties.x != null``. Guards are only printed
where they change an answer (``properties.total > 5`` stays as it is). Names that reach
JavaScript properties (``length``, ``0``, ``map``...) have no FQL meaning: ``TRG404``.

FQL → trigger. The text is read as a trigger (``default`` mode) and accepted only if the
trigger's exact FQL is that same expression (after ``!`` is pushed down), so anything
accepted means the same in both engines.

Integers beyond 2**53 are the one documented exception: FQL compares them exactly,
Segment's code as doubles.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from fql import ast
from fql.format import format_node
from fql.js import MAX_SAFE_INTEGER

from .conditions import DIRECT_TYPES, NAMED_TYPES, ROOT_OF
from .errors import TriggerError
from .from_fql import Converter, parse_fql
from .matcher import MISSING, value_test
from .plan import GET_SPLIT, expected_side
from .segment_parser import from_units

_GLOB_SPECIAL: Final = re.compile(r"([*?\[\]\\])")
_FALSY: Final = (ast.Number(0), ast.String(""), ast.Bool(False))
_JS_MEMBERS: Final = frozenset({
    "length", "constructor", "__proto__", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "toLocaleString", "toString", "valueOf", "__defineGetter__",
    "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "at", "concat",
    "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "findLast",
    "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys",
    "lastIndexOf", "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift",
    "slice", "some", "sort", "splice", "toReversed", "toSorted", "toSpliced", "unshift",
    "values", "with", "anchor", "big", "blink", "bold", "charAt", "charCodeAt",
    "codePointAt", "endsWith", "fixed", "fontcolor", "fontsize", "isWellFormed",
    "italics", "link", "localeCompare", "match", "matchAll", "normalize", "padEnd",
    "padStart", "repeat", "replace", "replaceAll", "search", "small", "split",
    "startsWith", "strike", "sub", "substr", "substring", "sup", "toLocaleLowerCase",
    "toLocaleUpperCase", "toLowerCase", "toUpperCase", "toWellFormed", "trim", "trimEnd",
    "trimLeft", "trimRight", "trimStart", "toExponential", "toFixed", "toPrecision",
    "apply", "bind", "call"})
_ALWAYS_FALSE: Final = ast.Bool(False)


def to_fql_expression(tree: Any) -> str:
    """FQL text that ``fql.compile`` evaluates exactly like the trigger ``tree``."""
    return format_node(exact_ast(tree))


def exact_ast(tree: Any) -> ast.Node:
    """The FQL AST of ``tree`` (raises ``TRG4xx`` where there is none)."""
    node = tree
    if not (isinstance(node, dict) and node.get("type", "group") == "group"):
        raise TriggerError("only a group of conditions converts to FQL", code="TRG401")
    return _group(node)


def _group(node: dict[str, Any]) -> ast.Node:
    operator, children = node.get("operator"), node.get("children")
    if operator not in ("and", "or") or not isinstance(children, list):
        raise TriggerError(f"a group with operator {operator!r} and children "
                           f"{children!r} has no FQL form", code="TRG401")
    parts = [_node(child) for child in children]
    if not parts:
        return ast.Bool(operator == "and")
    if len(parts) == 1:
        return parts[0]
    return ast.And(tuple(parts)) if operator == "and" else ast.Or(tuple(parts))


def _node(node: Any) -> ast.Node:
    if not isinstance(node, dict):
        raise TriggerError(f"{node!r} is not a condition", code="TRG401")
    ctype = node.get("type")
    if ctype == "group":
        return _group(node)
    if ctype not in DIRECT_TYPES and ctype not in NAMED_TYPES:
        raise TriggerError(f"unknown condition type {ctype!r} (Segment evaluates it as "
                           "false)", code="TRG402")
    root = ROOT_OF[ctype]
    keys: tuple[str, ...] = ()
    if ctype in NAMED_TYPES:
        name = node.get("name")
        keys = tuple(GET_SPLIT.findall(name)) if isinstance(name, str) else ()
        if not keys:
            raise TriggerError(f"the field name {name!r} reads nothing", code="TRG404")
        for key in keys:
            if key in _JS_MEMBERS or (key.isascii() and key.isdigit()):
                raise TriggerError(
                    f"{key!r} reaches a JavaScript property or index in Segment's lookup; "
                    "FQL reads JSON keys only", code="TRG404")
    return _guarded(root, keys, node.get("operator"), node.get("value", MISSING))


def _path(root: str, keys: tuple[str, ...]) -> ast.Path:
    return ast.Path((root, *(from_units(key) for key in keys)))


def _guarded(root: str, keys: tuple[str, ...], op: Any, value: Any) -> ast.Node:
    """The condition, with a guard per falsy-capable prefix of a nested path."""
    test = _test(_path(root, keys), op, value)
    if root in ("type", "event", "name", "userId"):
        return test
    prefixes = [_path(root, keys[:i]) for i in range(len(keys))]
    trigger_test = value_test(*_comparison(op, value))
    caught = tuple(lit for lit, v in zip(_FALSY, (0, "", False), strict=True)
                   if trigger_test(v))
    terms: list[ast.Node] = [ast.In(p, ast.ListLit(caught)) for p in prefixes] if caught else []
    if op in ("not_exists", "!="):  # true on null: keep falsy prefixes out
        guard = [ast.Not(ast.In(p, ast.ListLit(_FALSY))) for p in prefixes]
        test = ast.And((*guard, test))
    if not terms:
        return test
    return ast.Or((*terms, test))


def _comparison(op: Any, value: Any) -> tuple[str, Any, bool]:
    found = expected_side(op, value)
    if found is None:
        raise TriggerError(f"unknown operator {op!r} (Segment evaluates it as false)",
                           code="TRG402")
    return found


def _test(path: ast.Path, op: Any, value: Any) -> ast.Node:
    operator, expected, as_units = _comparison(op, value)
    if as_units:
        raise TriggerError("the value holds half of a surrogate pair, which only "
                           "Segment's UTF-16 comparison can match", code="TRG403")
    if operator in ("=", "!="):
        return ast.Compare(operator, path, ast.String(expected))
    fixed = {"exists": ("!=", ast.Null()), "not_exists": ("=", ast.Null()),
             "is_true": ("=", ast.Bool(True)), "is_false": ("=", ast.Bool(False))}
    if operator in fixed:
        symbol, literal = fixed[operator]
        return ast.Compare(symbol, path, literal)
    if operator in ("number_equals", "number_not_equals", "<", "<=", ">", ">="):
        return _number_test(path, operator, expected)
    negate = operator.startswith("not_")
    base = operator[4:] if negate else operator
    if base == "contains":
        call = ast.Call("contains", (path, ast.String(expected)))
    else:
        glob = _GLOB_SPECIAL.sub(r"\\\1", expected)
        pattern = f"{glob}*" if base == "starts_with" else f"*{glob}"
        call = ast.Call("match", (path, ast.String(pattern)))
    if not negate:
        return call
    return ast.And((_is(path, "string"), ast.Not(call)))


def _is(path: ast.Path, kind: str) -> ast.Node:
    return ast.Compare("=", ast.Call("typeof", (path,)), ast.String(kind))


def _number_test(path: ast.Path, op: str, n: float) -> ast.Node:
    if math.isnan(n):
        return _is(path, "number") if op == "number_not_equals" else _ALWAYS_FALSE
    if math.isinf(n):
        below = (op in ("<", "<=") and n > 0) or (op in (">", ">=") and n < 0)
        return _is(path, "number") if below or op == "number_not_equals" else _ALWAYS_FALSE
    literal = ast.Number(int(n) if n.is_integer() and abs(n) <= MAX_SAFE_INTEGER else n)
    if op == "number_equals":
        return ast.Compare("=", path, literal)
    if op == "number_not_equals":
        return ast.And((_is(path, "number"), ast.Compare("!=", path, literal)))
    return ast.Compare(op, path, literal)


def tree_from_expression(text: str) -> dict[str, Any]:
    """The trigger tree of FQL ``text`` when both mean the same on every event."""
    node = parse_fql(text)
    converter = Converter(text)
    tree = converter.convert(node)
    if converter.problems:
        raise converter.problems[0]
    assert tree is not None
    exact = exact_ast(tree)
    if exact != _push_not(node, negate=False):
        raise TriggerError(
            "this FQL expression and the trigger it reads as differ on some events",
            code="TRG405", span=node.span, source=text,
            hint=f"the trigger means: {format_node(exact)}")
    return tree


_COMPLEMENT: Final = {"=": "!=", "!=": "="}


def _push_not(node: ast.Node, *, negate: bool) -> ast.Node:
    """``node`` with ``!`` pushed down as the trigger reader does (De Morgan, ``=`` ⇄
    ``!=``); identities of FQL, where ``and``/``or``/``!``/comparisons yield booleans."""
    if isinstance(node, ast.Not):
        return _push_not(node.operand, negate=not negate)
    if isinstance(node, (ast.And, ast.Or)):
        parts = tuple(_push_not(op, negate=negate) for op in node.operands)
        flip = isinstance(node, ast.And) == negate
        return ast.Or(parts) if flip else ast.And(parts)
    if negate and isinstance(node, ast.Compare) and node.op in _COMPLEMENT:
        return ast.Compare(_COMPLEMENT[node.op], node.left, node.right)
    return ast.Not(node) if negate else node

