"""The pure-Python evaluator: turns a plan (:mod:`fql.plan`) into nested closures.

This is the reference twin of the Cython kernel in ``src_ext/``; both must give the
same value or raise the same error for every plan and event (a property test checks
it). Closures were chosen over a tree-walking ``eval(node)`` loop because each closure
call does only its own work: no dispatch on node type per event.

Semantics (docs/semantics.md): a missing field is null; ``and``/``or``/``!`` treat
anything but ``true`` as false and always return a bool; ``=`` is strict and deep;
ordering needs two numbers or two strings; ``in`` needs a list on the right.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from . import plan
from .values import json_type, not_an_object, order, strict_equal

Fn = Callable[[Any], Any]

_NUMBERS = frozenset({int, float})
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_CASES: dict[str, Callable[[str], str]] = {"lowercase": str.lower, "uppercase": str.upper}


def lookup(value: Any, keys: tuple[str, ...]) -> Any:
    """Walk ``keys`` from ``value``: objects by key, lists by decimal index; anything
    else (or a missing key) gives null.

    FQL's own path reading (its documentation, not JavaScript's property access): any
    ASCII decimal step indexes a list, so ``items.01`` is ``items.1``; the JS dialects
    (triggers, mappings, tsub) use :func:`fql.js.array_index` instead."""
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and key.isascii():
            index = int(key)
            value = value[index] if index < len(value) else None
        else:
            if value is not None:
                json_type(value)
            return None
    return value


class Program(NamedTuple):
    """The entry points an :class:`~fql.Expression` binds (the kernel's ``Program`` has
    the same four). Each checks that the event is a JSON object before evaluating."""

    evaluate: Callable[[Any], Any]
    matches: Callable[[Any], bool]
    matches_many: Callable[[Iterable[Any]], list[bool]]
    filter: Callable[[Iterable[Any]], list[Any]]


def build_program(node: plan.PNode) -> Program:
    """Build the four entry points of a plan."""
    fn = build(node)

    def evaluate(event: Any) -> Any:
        if type(event) is not dict and not isinstance(event, dict):
            raise not_an_object(event)
        return fn(event)

    def matches(event: Any) -> bool:
        if type(event) is not dict and not isinstance(event, dict):
            raise not_an_object(event)
        return fn(event) is True

    def matches_many(events: Iterable[Any]) -> list[bool]:
        return [matches(event) for event in events]

    def filter_events(events: Iterable[Any]) -> list[Any]:
        return [event for event in events if matches(event)]

    return Program(evaluate, matches, matches_many, filter_events)


def build(node: plan.PNode) -> Fn:
    """Compile ``node`` into a function of a JSON-object event."""
    return _BUILDERS[type(node)](node)


def _const(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Const)
    value = node.value
    return lambda event: value


def _get(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Get)
    keys = node.keys
    if len(keys) == 1:
        (k0,) = keys

        def get1(event: Any) -> Any:
            return event.get(k0)

        return get1
    if len(keys) == 2:
        k0, k1 = keys
        rest: tuple[str, ...] = keys[1:]

        def get2(event: Any) -> Any:
            v = event.get(k0)
            if type(v) is dict:
                return v.get(k1)
            return lookup(v, rest)

        return get2
    if len(keys) == 3:
        k0, k1, k2 = keys
        rest = keys[1:]

        def get3(event: Any) -> Any:
            v = event.get(k0)
            if type(v) is dict:
                v = v.get(k1)
                if type(v) is dict:
                    return v.get(k2)
                return lookup(v, rest[1:])
            return lookup(v, rest)

        return get3
    k0 = keys[0]
    rest = keys[1:]

    def getn(event: Any) -> Any:
        v = event.get(k0)
        for i, key in enumerate(rest):
            if type(v) is not dict:
                return lookup(v, rest[i:])
            v = v.get(key)
        return v

    return getn


def _not(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Not)
    operand = build(node.operand)
    return lambda event: operand(event) is not True


def _and(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.And)
    fns = tuple(build(op) for op in node.operands)
    if len(fns) == 2:
        a, b = fns
        return lambda event: a(event) is True and b(event) is True

    def and_n(event: Any) -> bool:
        # A loop, not all(<generator>): resuming a generator per operand costs more.
        for fn in fns:  # noqa: SIM110
            if fn(event) is not True:
                return False
        return True

    return and_n


def _or(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Or)
    fns = tuple(build(op) for op in node.operands)
    if len(fns) == 2:
        a, b = fns
        return lambda event: a(event) is True or b(event) is True

    def or_n(event: Any) -> bool:
        for fn in fns:  # noqa: SIM110 (see and_n)
            if fn(event) is True:
                return True
        return False

    return or_n


def _eq(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Eq)
    negate = node.negate
    if isinstance(node.right, plan.Const) and type(node.right.value) is str:
        return _eq_str(node.left, node.right.value, negate)
    left = build(node.left)
    right = build(node.right)
    if negate:
        return lambda event: not strict_equal(left(event), right(event))
    return lambda event: strict_equal(left(event), right(event))


def _eq_str(node: plan.PNode, expected: str, negate: bool) -> Fn:
    """``x = 'literal'``, the commonest condition: one type test and one string compare,
    with a top-level field read inline and ``lowercase(x)``/``uppercase(x)`` applied
    to a string directly."""
    if isinstance(node, plan.Get) and len(node.keys) == 1:
        (key,) = node.keys

        def key_eq_str(event: Any) -> bool:
            v = event.get(key)
            if type(v) is str:
                return (v == expected) is not negate
            return strict_equal(v, expected) is not negate

        return key_eq_str
    if isinstance(node, plan.Call) and node.name in ("lowercase", "uppercase"):
        convert, fn, arg = _CASES[node.name], node.fn, build(node.args[0])

        def case_eq_str(event: Any) -> bool:
            v = arg(event)
            if type(v) is str:
                return (convert(v) == expected) is not negate
            return strict_equal(fn(v), expected) is not negate

        return case_eq_str
    left = build(node)
    if negate:

        def ne_str(event: Any) -> bool:
            v = left(event)
            if type(v) is str:
                return v != expected
            return not strict_equal(v, expected)

        return ne_str

    def eq_str(event: Any) -> bool:
        v = left(event)
        if type(v) is str:
            return v == expected
        return strict_equal(v, expected)

    return eq_str


def _order(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Order)
    op = node.op
    if isinstance(node.right, plan.Const) and type(node.right.value) in (int, float):
        # `field > 100`: compare directly when the field is a plain number; for
        # `length(x) > 0`, an ASCII string's length is its UTF-8 byte count.
        bound = node.right.value
        compare = _COMPARE[op]
        if isinstance(node.left, plan.Call) and node.left.name == "length":
            fn, arg = node.left.fn, build(node.left.args[0])

            def length_bound(event: Any) -> bool:
                v = arg(event)
                if type(v) is str and v.isascii():
                    return compare(len(v), bound)
                return order(op, fn(v), bound)

            return length_bound
        left = build(node.left)
        return lambda event: compare(v, bound) if type(v := left(event)) in _NUMBERS \
            else order(op, v, bound)
    left, right = build(node.left), build(node.right)
    return lambda event: order(op, left(event), right(event))


def _in(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.In)
    left, right = build(node.left), build(node.right)
    if isinstance(node.right, plan.Const) and isinstance(node.right.value, list):
        items = node.right.value
        if all(type(i) is str for i in items):
            members = frozenset(items)

            def in_strings(event: Any) -> bool:
                v = left(event)
                if type(v) is str:
                    return v in members
                return _contains(items, v)

            return in_strings

    return lambda event: _contains(right(event), left(event))


def _contains(items: Any, value: Any) -> bool:
    """``value in items``: a scalar on the left (string, number, bool, null) and a
    list on the right, else false (the reference's operator table)."""
    kind = json_type(value)
    if not isinstance(items, list):
        json_type(items)
        return False
    if kind in ("list", "object"):
        return False
    return any(strict_equal(value, item) for item in items)


def _call(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Call)
    fn = node.fn
    if node.name == "contains" and isinstance(node.args[1], plan.Const) and \
            type(node.args[1].value) is str:
        # `contains(x, 'literal')`: a substring test for a string, no call.
        text, sub = build(node.args[0]), node.args[1].value
        return lambda event: sub in v if type(v := text(event)) is str else fn(v, sub)
    args = tuple(build(a) for a in node.args)
    if len(args) == 1:
        (a,) = args
        return lambda event: fn(a(event))
    if len(args) == 2:
        a, b = args
        return lambda event: fn(a(event), b(event))
    return lambda event: fn(*[arg(event) for arg in args])


def _match(node: plan.PNode) -> Fn:
    assert isinstance(node, plan.Match)
    subject = build(node.subject)
    glob = node.glob.match
    parts = node.glob.literal_parts
    if parts is not None and len(parts) == 2 and not parts[1]:
        # `match(x, 'Product *')`: a prefix test.
        prefix = parts[0]

        def match_prefix(event: Any) -> bool:
            v = subject(event)
            if type(v) is str:
                return v.startswith(prefix)
            if isinstance(v, str):
                return glob(v)
            json_type(v)
            return False

        return match_prefix

    def match(event: Any) -> bool:
        v = subject(event)
        if isinstance(v, str):
            return glob(v)
        json_type(v)
        return False

    return match


_BUILDERS: dict[type[plan.PNode], Callable[[plan.PNode], Fn]] = {
    plan.Const: _const,
    plan.Get: _get,
    plan.Not: _not,
    plan.And: _and,
    plan.Or: _or,
    plan.Eq: _eq,
    plan.Order: _order,
    plan.In: _in,
    plan.Call: _call,
    plan.Match: _match,
}
