"""Per-event matching: a plan (:mod:`actions.trigger.nodes`) becomes one Python
callable, once.

This is the only module that runs per event: the Cython kernel (``src_ext/_trigger.pyx``)
implements the same :func:`build` over the same plan, and calls back into this module
for everything unusual, so this is the reference. Everything about the trigger is
decided before the first event (``actions.trigger.plan`` turns the condition tree into
the plan): field paths are split, ``String(expected)`` / ``Number(expected)`` are
computed, unknown operators and lookups that always throw are folded, the shapes worth
fusing are chosen. What is left per event is reading fields and one comparison per
condition; each node class has one builder here (:data:`BUILDERS`).

Values follow JavaScript, as Segment's ``validate`` does (conformance quirks 12, 13):
the walk stops at the first falsy value and returns it (``0``, ``""``, ``false``,
``null``, missing); arrays and strings answer ``length`` and indices; built-in methods
(``properties.tags.map``) exist but are nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fql.js import (
    ARRAY_MEMBERS,
    FUNCTION_MEMBERS,
    NUMBER_MEMBERS,
    OBJECT_MEMBERS,
    STRING_MEMBERS,
    UNDEFINED,
    array_index,
    js_truthy,
    utf16_text,
)

from .nodes import Const, FusedEqualities, Group, Leaf, Node, Plan, Throw

Matcher = Callable[[dict[str, Any]], bool]


class _Builtin:
    """A JS built-in reached through a path (a method such as ``toString``, or
    ``__proto__``): it exists, and it is not a string, number or boolean."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "[native code]"


#: JS ``undefined``: a field that is not there.
MISSING: Any = UNDEFINED
BUILTIN: Any = _Builtin()

OPERATORS = ("=", "!=", "number_equals", "number_not_equals", "<", "<=", ">", ">=",
             "contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
             "not_ends_with", "exists", "not_exists", "is_true", "is_false")

_OBJECT_MEMBERS = OBJECT_MEMBERS
_ARRAY_MEMBERS = ARRAY_MEMBERS
_STRING_MEMBERS = STRING_MEMBERS
_NUMBER_MEMBERS = NUMBER_MEMBERS
_FUNCTION_MEMBERS = FUNCTION_MEMBERS


#: ``text`` as UTF-16 code units (astral characters become surrogate pairs).
units = utf16_text


def _falsy(value: Any) -> bool:
    """JS falsiness (:func:`fql.js.js_truthy`); ``BUILTIN`` members are truthy."""
    return not js_truthy(value)


def _member(value: Any, key: str) -> Any:
    """``value[key]`` in JS for a truthy value that is not a plain object."""
    cls = type(value)
    if cls is list:
        if key == "length":
            return len(value)
        index = _index(key)
        if index is not None:
            return value[index] if index < len(value) else MISSING
        return BUILTIN if key in _ARRAY_MEMBERS else MISSING
    if cls is str:
        text = units(value)
        if key == "length":
            return len(text)
        index = _index(key)
        if index is not None:
            return text[index] if index < len(text) else MISSING
        return BUILTIN if key in _STRING_MEMBERS else MISSING
    if cls is int or cls is float:
        return BUILTIN if key in _NUMBER_MEMBERS else MISSING
    if value is True or value is BUILTIN:
        return BUILTIN if key in _FUNCTION_MEMBERS else MISSING
    return MISSING


def _index(key: str) -> int | None:
    """The array index ``key`` names (:func:`fql.js.array_index`), or None."""
    index = array_index(key)
    return None if index < 0 else index


def walk(value: Any, path: tuple[str, ...]) -> Any:
    """Segment's ``get``: ``path.reduce((o, k) => o && o[k], value)``."""
    for key in path:
        if type(value) is dict:
            found = value.get(key, MISSING)
            value = BUILTIN if found is MISSING and key in _OBJECT_MEMBERS else found
        elif _falsy(value):
            return value
        else:
            value = _member(value, key)
    return value


def _double(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _number_test(op: str, n: float) -> Callable[[Any], bool]:
    compare: Callable[[float], bool] = {
        "number_equals": lambda x: x == n, "number_not_equals": lambda x: x != n,
        "<": lambda x: x < n, "<=": lambda x: x <= n,
        ">": lambda x: x > n, ">=": lambda x: x >= n,
    }[op]

    def test(v: Any) -> bool:
        cls = type(v)
        if cls is float:
            return compare(v)
        if cls is int:
            return compare(_double(v))
        return False

    return test


def _string_test(op: str, s: str, as_units: bool) -> Callable[[Any], bool]:
    negate = op.startswith("not_")
    base = op[4:] if negate else op
    if base == "contains":
        found: Callable[[str], bool] = (lambda v: s in v) if not as_units else (
            lambda v: s in units(v))
    elif base == "starts_with":
        found = (lambda v: v.startswith(s)) if not as_units else (
            lambda v: units(v).startswith(s))
    else:
        found = (lambda v: v.endswith(s)) if not as_units else (
            lambda v: units(v).endswith(s))
    if negate:
        return lambda v: isinstance(v, str) and not found(v)
    return lambda v: isinstance(v, str) and found(v)


def value_test(op: str, expected: Any, as_units: bool) -> Callable[[Any], bool]:
    """The comparison of one condition, as a function of the field's value."""
    if op == "=":
        return lambda v: v == expected
    if op == "!=":
        return lambda v: v != expected
    if op == "exists":
        return lambda v: v is not None and v is not MISSING
    if op == "not_exists":
        return lambda v: v is None or v is MISSING
    if op == "is_true":
        return lambda v: v is True
    if op == "is_false":
        return lambda v: v is False
    if op in ("contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
              "not_ends_with"):
        return _string_test(op, expected, as_units)
    return _number_test(op, expected)


def _leaf(field: str, path: tuple[str, ...] | None, op: str, expected: Any,
          as_units: bool) -> Matcher:
    if path is None:
        if op == "=":
            return lambda e: e.get(field) == expected
        if op == "!=":
            return lambda e: e.get(field) != expected
        test = value_test(op, expected, as_units)
        return lambda e: test(e.get(field, MISSING))
    test = value_test(op, expected, as_units)
    return lambda e: test(walk(e.get(field, MISSING), path))


def _every(children: list[Matcher]) -> Matcher:
    if not children:
        return lambda e: True
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        a, b = children
        return lambda e: a(e) and b(e)
    if len(children) == 3:
        a, b, c = children
        return lambda e: a(e) and b(e) and c(e)
    items = tuple(children)

    def every(e: dict[str, Any]) -> bool:
        for child in items:  # noqa: SIM110 - a plain loop is cheaper than all(genexpr)
            if not child(e):
                return False
        return True

    return every


def _some(children: list[Matcher]) -> Matcher:
    if not children:
        return lambda e: False
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        a, b = children
        return lambda e: a(e) or b(e)
    items = tuple(children)

    def some(e: dict[str, Any]) -> bool:
        for child in items:  # noqa: SIM110 - a plain loop is cheaper than any(genexpr)
            if child(e):
                return True
        return False

    return some


class ThrownByReference(Exception):
    """Raised where Segment's ``validate`` throws; the caller turns it into its error."""


def _thrower(message: str) -> Matcher:
    def throw(e: dict[str, Any]) -> bool:
        raise ThrownByReference(message)

    return throw


def _fused(node: Node) -> Matcher:
    """Two top-level ``=`` tests in one group as a single function."""
    assert type(node) is FusedEqualities
    (f1, s1), (f2, s2) = node.tests
    if node.conjunction:
        return lambda e: e.get(f1) == s1 and e.get(f2) == s2
    return lambda e: e.get(f1) == s1 or e.get(f2) == s2


def _group(node: Node) -> Matcher:
    assert type(node) is Group
    children = [build(child) for child in node.children]
    return _every(children) if node.conjunction else _some(children)


def _const(node: Node) -> Matcher:
    assert type(node) is Const
    value = bool(node.value)
    return lambda e: value


def _throw(node: Node) -> Matcher:
    assert type(node) is Throw
    return _thrower(node.message)


def _leaf_node(node: Node) -> Matcher:
    assert type(node) is Leaf
    return _leaf(node.field, node.path, node.op, node.expected, node.units)


BUILDERS: dict[type, Callable[[Any], Matcher]] = {
    Leaf: _leaf_node, Group: _group, FusedEqualities: _fused, Const: _const, Throw: _throw,
}


def build(plan: Plan) -> Matcher:
    """The callable for ``plan``: ``matcher(event) -> bool``."""
    return BUILDERS[type(plan)](plan)
