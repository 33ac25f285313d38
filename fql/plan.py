"""The compiled plan: what an evaluator runs, decided once per rule.

Plan nodes are plain frozen records: paths are pre-split into key tuples, functions
resolved to their implementation, ``match`` patterns with a literal pattern compiled,
constants folded. Two evaluators run the same plan: the pure-Python twin
(:mod:`fql.evaluator`, closures) and the Cython kernel (``src_ext/``), chosen in
:mod:`fql.backend`. Neither ever looks up a name or re-checks a rule per event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .glob import Glob
from .records import record


@record
class PNode:
    pass


@record
class Const(PNode):
    value: Any


@record
class Get(PNode):
    """Read a field; ``keys`` are the unescaped path segments. A missing key, or a
    step into a non-object, reads as null (FQL-05). A key made of digits also
    indexes a list (``products.0.price``)."""

    keys: tuple[str, ...]


@record
class Not(PNode):
    operand: PNode


@record
class And(PNode):
    operands: tuple[PNode, ...]


@record
class Or(PNode):
    operands: tuple[PNode, ...]


@record
class Eq(PNode):
    """``=`` (or ``!=`` when ``negate``): strict, deep, type-aware equality."""

    left: PNode
    right: PNode
    negate: bool


@record
class Order(PNode):
    op: str
    left: PNode
    right: PNode


@record
class In(PNode):
    left: PNode
    right: PNode


@record
class Call(PNode):
    name: str
    fn: Callable[..., Any]
    args: tuple[PNode, ...]


@record
class Match(PNode):
    """``match(subject, 'literal pattern')`` with the glob compiled at compile time."""

    subject: PNode
    glob: Glob


PLAN_TYPES: tuple[type[PNode], ...] = (Const, Get, Not, And, Or, Eq, Order, In, Call, Match)
