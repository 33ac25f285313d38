"""``fql.records``: frozen slotted records behave as the frozen slotted dataclasses
they replace (the AST, plan, span and diagnostic classes)."""

from __future__ import annotations

import copy
import pickle

import pytest

import fql
from fql import ast, plan
from fql.diagnostics import Diagnostic, Span
from fql.records import FrozenInstanceError, field, record, replace


@record
class Base:
    tag: str | None = field(default=None, compare=False, repr=False, kw_only=True)


@record
class Pair(Base):
    """Two values."""

    a: int
    b: list[int] = field(default_factory=list)


def test_fields_init_defaults_and_keyword_only() -> None:
    p = Pair(1)
    assert (p.a, p.b, p.tag) == (1, [], None)
    assert Pair(1).b is not Pair(1).b  # a fresh default per instance
    assert Pair(1, [2], tag="x").tag == "x"
    with pytest.raises(TypeError):
        Pair(1, [2], "x")  # type: ignore[misc]  # tag is keyword-only
    assert Pair.__slots__ == ("a", "b") and Base.__slots__ == ("tag",)
    assert Pair.__match_args__ == ("a", "b") and Pair.__doc__ == "Two values."


def test_equality_hash_and_repr_skip_uncompared_fields() -> None:
    assert Pair(1, tag="x") == Pair(1, tag="y")
    assert Pair(1) != Pair(2) and Pair(1).__eq__(Base()) is NotImplemented
    assert repr(Pair(1, [2], tag="x")) == "Pair(a=1, b=[2])"
    span = Span(0, 1, 1, 1, 1, 2)
    assert hash(span) == hash(Span(0, 1, 1, 1, 1, 2)) and span != Span(0, 2, 1, 1, 1, 3)
    assert ast.Path(("a",), span=span) == ast.Path(("a",))
    assert hash(ast.Path(("a",), span=span)) == hash(ast.Path(("a",)))
    assert ast.Path(("a",)) != ast.String("a")  # same fields, other class
    assert repr(fql.parse("a = 1")) == \
        "Compare(op='=', left=Path(segments=('a',)), right=Number(value=1))"


def test_records_are_frozen() -> None:
    p = Pair(1)
    with pytest.raises(FrozenInstanceError):
        p.a = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.a
    with pytest.raises(AttributeError):
        p.other = 1  # type: ignore[attr-defined]


def test_copy_pickle_and_replace() -> None:
    tree = fql.parse('type = "track" and x in [1, 2]')
    for clone in (copy.deepcopy(tree), pickle.loads(pickle.dumps(tree))):
        assert clone == tree and clone is not tree
        assert [n.span for n in ast.walk(clone)] == [n.span for n in ast.walk(tree)]
    d = Diagnostic("FQL302", "m", "warning")
    moved = replace(d, line=3, extra={"in_string": True})
    assert (moved.line, moved.code, moved.extra) == (3, "FQL302", {"in_string": True})
    assert moved == replace(d, line=3)  # extra is not compared
    with pytest.raises(TypeError):
        replace(d, nope=1)


def test_plan_nodes_are_records() -> None:
    compiled = fql.compile("a = 1").plan
    assert isinstance(compiled, plan.PNode) and compiled == copy.deepcopy(compiled)
