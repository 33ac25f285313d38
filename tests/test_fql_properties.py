"""Property tests (hypothesis) for the FQL core."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fql
from fql import ast, evaluator
from fql.compiler import to_plan
from fql.format import format_node

from .strategies import events, expressions

FQL_ALPHABET = st.sampled_from(
    [*"abtrue ()[]!=<>'\"\\.,-_01 \n*?", "and", "or", "in", "null", "true", "contains(", "==",
     "&&"])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(FQL_ALPHABET, max_size=20).map("".join)))
def test_any_text_parses_or_raises_a_located_syntax_error(text: str) -> None:
    try:
        fql.parse(text)
    except fql.FqlSyntaxError as err:
        assert err.span is not None
        assert 0 <= err.span.start <= err.span.end <= max(len(text), 1)
        assert err.code.startswith("FQL1")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_random_asts_survive_format_then_parse(tree: ast.Node) -> None:
    text = format_node(tree)
    assert fql.parse(text) == tree
    assert fql.format(text) == text


def _compile_or_none(tree: ast.Node) -> fql.Expression | None:
    try:
        return fql.Expression(tree)
    except fql.FqlTypeError:
        return None  # a literal argument of the wrong type is rejected at compile time


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, events)
def test_evaluation_never_raises_on_json_events(tree: ast.Node, event: dict) -> None:
    expr = _compile_or_none(tree)
    if expr is None:
        return
    result = expr.evaluate(event)
    assert expr.matches(event) is (result is True)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, events)
def test_constant_folding_agrees_with_unfolded_evaluation(tree: ast.Node, event: dict) -> None:
    expr = _compile_or_none(tree)
    if expr is None:
        return
    unfolded = evaluator.build(to_plan(tree, fold=False))
    assert _same(unfolded(event), expr.evaluate(event))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_ir_round_trip(tree: ast.Node) -> None:
    expr = _compile_or_none(tree)
    if expr is None:
        return
    try:
        ir = expr.to_ir()
    except fql.FqlIRError:
        return  # a key containing '.' has no IR spelling
    assert fql.from_ir(json.dumps(ir)).ast == tree  # as stored in a matcher: JSON text
    if not isinstance(ir, str):
        assert fql.from_ir(ir).ast == tree  # or as parsed data


def _same(a: object, b: object) -> bool:
    return a == b or (a != a and b != b)  # NaN


@settings(max_examples=500)
@given(st.text(alphabet="ab*", max_size=7), st.text(alphabet="ab", max_size=8))
def test_literal_glob_fast_path_agrees_with_general_matcher(pattern: str, text: str) -> None:
    """Star-and-literal patterns take a str-method path; it must answer like the
    general (regex piece) matcher."""
    from fql.glob import compile_glob
    from fql.records import replace

    glob = compile_glob(pattern)
    assert glob.literal_parts is not None
    assert glob.match(text) is replace(glob, literal_parts=None).match(text)
