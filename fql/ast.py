"""The FQL abstract syntax tree: one small frozen record per construct.

Every node carries a ``span`` (where it came from in the source) that is excluded from
equality, so ``parse(format(x)) == parse(x)`` compares structure only. ``and``/``or``
chains are n-ary (``And((a, b, c))``) so long chains do not become deep trees.
Passes (``format``, ``compile``, ``check``, IR) dispatch on the node class; a test
asserts that each pass handles every class in :data:`NODE_TYPES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import Span
from .records import field, record

if TYPE_CHECKING:
    from collections.abc import Iterator


@record
class Node:
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)


@record
class Path(Node):
    """A field path, ``context.library.version``; segments are unescaped keys."""

    segments: tuple[str, ...]


@record
class String(Node):
    value: str


@record
class Number(Node):
    """An integer (Python ``int``, exact) or decimal (``float``) literal."""

    value: int | float


@record
class Bool(Node):
    value: bool


@record
class Null(Node):
    pass


@record
class ListLit(Node):
    items: tuple[Node, ...]


@record
class Not(Node):
    operand: Node


@record
class And(Node):
    operands: tuple[Node, ...]


@record
class Or(Node):
    operands: tuple[Node, ...]


@record
class Compare(Node):
    """``left op right`` with ``op`` one of ``= != < <= > >=``."""

    op: str
    left: Node
    right: Node


@record
class In(Node):
    left: Node
    right: Node


@record
class Call(Node):
    name: str
    args: tuple[Node, ...]


@record
class All(Node):
    """The special statement ``all`` (FQL-20): matches every event."""


NODE_TYPES: tuple[type[Node], ...] = (
    Path,
    String,
    Number,
    Bool,
    Null,
    ListLit,
    Not,
    And,
    Or,
    Compare,
    In,
    Call,
    All,
)



def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in source order."""
    if isinstance(node, (And, Or)):
        return node.operands
    if isinstance(node, (Compare, In)):
        return (node.left, node.right)
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, ListLit):
        return node.items
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (iterative: no recursion limit)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
