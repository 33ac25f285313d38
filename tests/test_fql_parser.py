"""Grammar, spans, named syntax errors and limits."""

from __future__ import annotations

import pytest

import fql
from fql import ast


def parse(text: str) -> ast.Node:
    return fql.parse(text)


def test_precedence_not_then_comparison_then_and_then_or() -> None:
    tree = parse("a = 1 or b = 2 and !c")
    assert isinstance(tree, ast.Or)
    assert isinstance(tree.operands[1], ast.And)
    assert isinstance(tree.operands[1].operands[1], ast.Not)
    # `!` binds tighter than `=`: `!a = b` is `(!a) = b`.
    tree = parse("!a = b")
    assert isinstance(tree, ast.Compare) and isinstance(tree.left, ast.Not)


def test_and_or_chains_are_flat() -> None:
    tree = parse("a and b and c and d")
    assert isinstance(tree, ast.And) and len(tree.operands) == 4


def test_explicit_grouping_is_kept() -> None:
    tree = parse("(a and b) and c")
    assert isinstance(tree, ast.And) and isinstance(tree.operands[0], ast.And)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'single'", "single"),
        ('"double"', "double"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'tab\tnew\nline'", "tab\tnew\nline"),
        (r"'\u00e9'", "é"),
        (r"'ab\*d'", "ab\\*d"),  # unknown escapes are kept for glob patterns
        ("'ünïcödé 🎉'", "ünïcödé 🎉"),
    ],
)
def test_string_literals(text: str, expected: str) -> None:
    node = parse(text)
    assert isinstance(node, ast.String) and node.value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("-7", -7), ("3.25", 3.25), ("-0.5", -0.5), ("1e3", 1000.0),
     ("12345678901234567890", 12345678901234567890)],
)
def test_numbers(text: str, expected: float) -> None:
    node = parse(text)
    assert isinstance(node, ast.Number) and node.value == expected
    assert type(node.value) is type(expected)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("userId", ("userId",)),
        ("context.library.version", ("context", "library", "version")),
        (r"properties.product\ 1.price", ("properties", "product 1", "price")),
        (r"properties.a\.b", ("properties", "a.b")),
        ("properties.my-key_2", ("properties", "my-key_2")),
        ("properties.0", ("properties", "0")),
        (r"properties.\$ref", ("properties", "$ref")),
        (r"\and", ("and",)),
    ],
)
def test_paths(text: str, segments: tuple[str, ...]) -> None:
    node = parse(text)
    assert isinstance(node, ast.Path) and node.segments == segments


def test_literals_and_lists() -> None:
    assert parse("true") == ast.Bool(True)
    assert parse("null") == ast.Null()
    assert parse("[]") == ast.ListLit(())
    assert parse("['a', 1, [true]]") == ast.ListLit(
        (ast.String("a"), ast.Number(1), ast.ListLit((ast.Bool(True),))))


def test_spans_locate_nodes() -> None:
    text = "type = 'track' and\n  properties.total > 10"
    tree = parse(text)
    assert isinstance(tree, ast.And)
    right = tree.operands[1]
    assert right.span is not None
    assert (right.span.line, right.span.column) == (2, 3)
    assert text[right.span.start:right.span.end] == "properties.total > 10"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a == 1", "FQL104"),
        ("a = 1 && b = 2", "FQL105"),
        ("a = 1 || b = 2", "FQL106"),
        ("a = 1 AND b = 2", "FQL107"),
        ("a = 1 OR b = 2", "FQL107"),
        ("a = 'open", "FQL108"),
        ("(a = 1", "FQL109"),
        ("a = 1)", "FQL109"),
        ("a in [1, 2", "FQL109"),
        ("lowercas(a)", "FQL110"),
        ("contains(a)", "FQL111"),
        ("a =", "FQL112"),
        ("", "FQL113"),
        ("a = 1 = 2", "FQL114"),
        ("userId = oops\"", "FQL108"),  # the reference's own invalid example (FQL-22)
        ("a $ b", "FQL101"),
        ("a = 1 b", "FQL102"),
    ],
)
def test_named_syntax_errors(text: str, code: str) -> None:
    with pytest.raises(fql.FqlSyntaxError) as info:
        parse(text)
    err = info.value
    assert err.code == code
    assert 1 <= err.column <= len(text) + 1
    assert err.line >= 1 and err.end_column >= err.column


def test_error_message_has_caret_and_expected_words() -> None:
    with pytest.raises(fql.FqlSyntaxError) as info:
        parse("type = 'track' and = 5")
    err = info.value
    rendered = str(err)
    assert "type = 'track' and = 5" in rendered
    assert rendered.splitlines()[2].strip() == "^"
    assert "a field path" in err.expected


def test_unknown_function_suggests_closest() -> None:
    with pytest.raises(fql.FqlSyntaxError) as info:
        parse("lowercas(a) = 'x'")
    assert info.value.hint == "did you mean 'lowercase'?"


def test_literal_argument_types_are_checked_at_compile_time() -> None:
    with pytest.raises(fql.FqlTypeError) as info:
        fql.compile("lowercase(5) = 'x'")
    assert info.value.code == "FQL201" and info.value.column == 11


class TestLimits:
    """Each limit passes at N and fails at N + 1 with FqlLimitError."""

    def test_source_size(self) -> None:
        limit = fql.DEFAULT_LIMITS.max_source_bytes
        ok = "a = '" + "x" * (limit - 7) + "'"
        assert len(ok.encode()) == limit - 1
        fql.parse(ok + " ")
        with pytest.raises(fql.FqlLimitError) as info:
            fql.parse(ok + "  ")
        assert info.value.code == "FQL401"

    def test_depth(self) -> None:
        limits = fql.Limits(max_depth=5)
        fql.parse("!" * 4 + "a", limits=limits)
        with pytest.raises(fql.FqlLimitError) as info:
            fql.parse("!" * 5 + "a", limits=limits)
        assert info.value.code == "FQL402"

    def test_list_length(self) -> None:
        limits = fql.Limits(max_list_items=3)
        fql.parse("a in [1, 2, 3]", limits=limits)
        with pytest.raises(fql.FqlLimitError) as info:
            fql.parse("a in [1, 2, 3, 4]", limits=limits)
        assert info.value.code == "FQL403"

    def test_deep_nesting_is_a_limit_error_not_a_crash(self) -> None:
        # Redundant parentheses add no depth; nested operators do.
        assert fql.compile("(" * 2000 + "a" + ")" * 2000).evaluate({"a": 1}) == 1
        with pytest.raises(fql.FqlLimitError):
            fql.compile("!(" * 1000 + "a" + ")" * 1000)
