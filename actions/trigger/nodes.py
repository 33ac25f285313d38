"""The nodes of a compiled trigger plan: small frozen records, one per construct.

:mod:`actions.trigger.plan` builds them from a condition tree, deciding everything
that does not depend on the event (the expected side converted, the paths split, the
throwing places and the shapes worth fusing); the twin (:mod:`actions.trigger.matcher`)
and the kernel (``src_ext/_trigger.pyx``) each map node classes one to one, and the
routing index (:mod:`fql.routing.triggers`) reads the same nodes through
:func:`top_equalities` and :func:`may_throw`. Being frozen and compared by value, a
plan also identifies its trigger (two triggers that compile alike are one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Leaf:
    """One condition.

    ``field``: the top-level key read from the event (``type``, ``properties``, ...);
    ``path``: None for the field itself, else the keys of Segment's ``get`` walk below
    it; ``op``: one of ``matcher.OPERATORS``; ``expected``: a str for ``=``, ``!=`` and
    the string operators, a float for the number operators, None for
    exists/not_exists/is_true/is_false; ``units``: the string operators compare UTF-16
    code units (the expected text holds a lone surrogate)."""

    field: str
    path: tuple[str, ...] | None
    op: str
    expected: Any
    units: bool


@dataclass(frozen=True, slots=True)
class Group:
    """``and`` (``conjunction``) or ``or`` over ``children``, left to right, stopping
    where the operator decides."""

    conjunction: bool
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class FusedEqualities:
    """A group of exactly two top-level ``field = "text"`` conditions (``type = "track"
    and event = "x"``, the commonest trigger): one node, no call per condition.
    ``tests`` holds ``(field, text)`` pairs."""

    conjunction: bool
    tests: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Const:
    """A condition decided without the event."""

    value: bool


@dataclass(frozen=True, slots=True)
class Throw:
    """A place where Segment's ``validate`` throws, raised when evaluation reaches it."""

    message: str


Node = Leaf | Group | FusedEqualities | Const | Throw
#: A whole compiled trigger: its root node.
Plan = Node

#: Every node class: a test checks that each backend handles each one.
NODE_TYPES: tuple[type, ...] = (Leaf, Group, FusedEqualities, Const, Throw)


def is_top_equality(node: Node) -> bool:
    """``field = "text"`` on a top-level field."""
    return type(node) is Leaf and node.path is None and node.op == "=" and \
        type(node.field) is str and type(node.expected) is str


def top_equalities(node: Node) -> dict[str, str]:
    """The top-level ``field = "text"`` tests every match of ``node`` must pass (the
    conjuncts of an ``and``, or the node itself), by field."""
    if type(node) is FusedEqualities:
        return dict(node.tests) if node.conjunction else {}
    conjuncts = node.children if type(node) is Group and node.conjunction else (node,)
    # is_top_equality() checked each child is an equality test; a bool test narrows nothing
    return {child.field: child.expected for child in conjuncts  # type: ignore[union-attr]
            if is_top_equality(child)}


def may_throw(node: Node) -> bool:
    """Whether evaluating ``node`` can reach a :class:`Throw`."""
    if type(node) is Group:
        return any(may_throw(child) for child in node.children)
    return type(node) is Throw


def fields_read(node: Node) -> frozenset[str]:
    """The top-level event fields evaluating ``node`` can read."""
    if type(node) is Group:
        return frozenset().union(*(fields_read(child) for child in node.children))
    if type(node) is FusedEqualities:
        return frozenset(field for field, _ in node.tests)
    if type(node) is Leaf:
        return frozenset((node.field,))
    return frozenset()
