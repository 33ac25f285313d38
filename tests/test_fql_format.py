"""Canonical formatting: golden cases and the round trip parse(format(x)) == parse(x)."""

from __future__ import annotations

import importlib

import pytest

import fql
from fql import ast, compiler, evaluator, ir

formatter = importlib.import_module("fql.format")

GOLDEN = [
    ("type='track'", 'type = "track"'),
    ("  type = 'track'   and event='x' ", 'type = "track" and event = "x"'),
    ("(a = 1 or b = 2) and c = 3", "(a = 1 or b = 2) and c = 3"),
    ("a = 1 or (b = 2 and c = 3)", "a = 1 or b = 2 and c = 3"),
    ("(a and b) and c", "(a and b) and c"),
    ("! ( type in ['track','identify'] )", '!(type in ["track", "identify"])'),
    ("match( 'x' , y )", 'match("x", y)'),
    (r"properties.product\ 1.price", r"properties.product\ 1.price"),
    (r"properties.a\.b = 'say \"hi\"'", r'properties.a\.b = "say \"hi\""'),
    ("x = 1.0", "x = 1.0"),
    ("x = -5", "x = -5"),
    ("all", "all"),
    (r"\true = true", r"\true = true"),
    ("'tab\there'", r'"tab\there"'),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN)
def test_golden(text: str, expected: str) -> None:
    assert fql.format(text) == expected
    assert fql.parse(expected) == fql.parse(text)
    assert fql.format(expected) == expected  # idempotent


def test_every_node_type_has_a_handler_in_every_pass() -> None:
    """STYLE.md §3: a new node kind cannot be forgotten by a pass."""
    for node_type in ast.NODE_TYPES:
        assert node_type in formatter._FORMATTERS, node_type
    compiler_handlers = compiler._Compiler(None).handlers
    for node_type in ast.NODE_TYPES:
        assert node_type in compiler_handlers, node_type
    from fql import plan

    for plan_type in plan.PLAN_TYPES:
        assert plan_type in evaluator._BUILDERS, plan_type
    # IR conversion: every node converts (All as a literal true).
    samples = [fql.parse(t) for t in ("a", "'s'", "1", "true", "null", "[1]", "!a", "a and b",
                                      "a or b", "a = 1", "a in [1]", "length(a)", "all")]
    assert {type(s) for s in samples} == set(ast.NODE_TYPES)
    for sample in samples:
        ir.to_ir(sample)
