"""The compiled parser (``fql._ext._lalr``) against the pure-Python path (Lark's own
parser loop, fed by ``_Tokenizer``, building the AST with ``_Builder``).

For any text, the compiled scanner must cut the same tokens (types, text, positions)
as ``_Tokenizer`` or reject where it raises; for any text the Python path parses, the
compiled parser must build the same AST, spans included, and measure its depth and
longest list as ``_check_shape`` would; for any text the Python path rejects, the
compiled parser must reject it too (``fql.parse`` then asks Lark for its error), or
raise the very error ``_Builder`` raises.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedCharacters

import fql
import fql.parser
from fql import ast
from fql.backend import load_kernel
from fql.functions import FUNCTIONS
from fql.parser import (
    _BUILDER,
    _DRIVER,
    _driver_tables,
    _lark,
    _token,
    _Tokenizer,
    split_path,
    unescape_string,
)

from .strategies import expressions
from .test_fql_properties import FQL_ALPHABET

KERNEL = load_kernel("_lalr")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="the parser kernel was not built")

TEXTS = st.one_of(st.text(max_size=30), st.lists(FQL_ALPHABET, max_size=20).map("".join))


def kernel_tables(builder: Any = _BUILDER) -> Any:
    table_parser = _lark().parser.parser.parser
    return KERNEL.tables(  # type: ignore[union-attr]
        table_parser.parse_table, table_parser.callbacks, builder=builder,
        make_token=_token, split_path=split_path, unescape=unescape_string,
        functions=FUNCTIONS)


def spans(tree: ast.Node) -> list[Any]:
    """Every node's class and span, in walk order (AST equality ignores spans)."""
    return [(type(node).__name__, node.span) for node in ast.walk(tree)]


def shape(tree: ast.Node) -> tuple[int, int]:
    """(depth, longest list) as ``_check_shape`` counts them: the root is at depth 1."""
    deepest, longest = 0, 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, ast.ListLit):
            longest = max(longest, len(node.items))
        stack.extend((child, depth + 1) for child in ast.children(node))
    return deepest, longest


def outcome(run: Any) -> tuple[Any, ...]:
    try:
        return ("tree", run())
    except KERNEL.Rejected:  # type: ignore[union-attr]
        return ("rejected",)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def check(text: str, tables: Any = None) -> None:
    tables = tables or kernel_tables()
    lark = outcome(lambda: _lark().parse(text))
    loop = outcome(lambda: KERNEL.parse(tables, text))  # type: ignore[union-attr]
    if loop[0] == "tree":
        tree, depth, longest = loop[1]
        assert lark[0] == "tree", text
        assert tree == lark[1], text
        assert spans(tree) == spans(lark[1]), text
        assert depth == -1 or (depth, longest) == shape(tree), text
    elif lark[0] == "tree" or (lark[0] == "raised" and lark[1] == "FqlSyntaxError"):
        assert loop == lark, text  # Python's answer, or the builder's own error
    else:  # a syntax error: the compiled parser rejects, Lark reports it
        assert loop[0] == "rejected", text


def python_tokens(text: str) -> list[tuple[Any, ...]] | None:
    tokenizer = _Tokenizer(_lark().lexer_conf)
    try:
        return [(t.type, str(t), t.start_pos, t.end_pos, t.line, t.column, t.end_line,
                 t.end_column) for t in tokenizer.lex(text)]
    except UnexpectedCharacters:
        return None


def check_tokens(text: str) -> None:
    expected = python_tokens(text)
    try:
        got = KERNEL.tokens(text)  # type: ignore[union-attr]
    except KERNEL.Rejected:  # type: ignore[union-attr]
        got = None
    assert got == expected, text


def test_the_parser_uses_the_kernel_when_built() -> None:
    """With the kernel built and not switched off, Lark's table is encoded for it (a
    Lark whose internals moved would silently cost the speed otherwise)."""
    assert _DRIVER is KERNEL or fql.BACKEND == "python"
    assert (_driver_tables() is not None) == (_DRIVER is not None)


KNOWN = [
    'type = "track"', "a and b or !c", "(((a)))", "x in [1, 2, 'three']", "a == 1",
    "length(a) > 1 and lowercase(b) = 'x'", "nope(a)", "length(a, b)", "length()", "a =",
    "(a", "a)", "[1, 2]", "[]", "[[1], []]", "'unterminated", "a = 1 = 2", "a.b.c != null",
    "a\n and\n b", "", "  ", "🙂", "'multi\nline' = a\n or b", "a\\.b = 'x\\'y'",
    "a\\\nb = 1", "0123 = 1", "-0 = -1.5e+3", "1. = x", "1e = x", "x = 1.5.3", "a..b",
    "a. = 1", "\\", "a\\", "!x != !y", "x <= 1 and y >= 2 and z < 3 and w > 4",
    "true = false or null = null", "and = 1", "AND", "a = \"\\u00e9\"", "é = 1",
    "a-b_c.d-e = 1", "-a", "a = -", "\t\r\n a \t= 1", "a.0.b = 1", "_x = 1",
]


@pytest.mark.parametrize("text", KNOWN)
def test_known_texts(text: str) -> None:
    check(text)
    check_tokens(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_random_asts_parse_alike(tree: ast.Node) -> None:
    text = fql.format_node(tree)
    check(text)
    check_tokens(text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_random_texts_parse_or_fail_alike(text: str) -> None:
    check(text)
    check_tokens(text)


def test_rules_of_an_unknown_shape_go_to_larks_callbacks() -> None:
    """With a builder the kernel does not recognise, every rule is reduced by Lark's
    own callback (given Lark tokens) and the tree is still the Python path's; the depth
    is then unknown (-1), so ``fql.parse`` walks the tree itself."""
    tables = kernel_tables(builder=object())
    for text in KNOWN:
        check(text, tables)
    tree, depth, _ = KERNEL.parse(tables, "a = 1 and b")  # type: ignore[union-attr]
    assert tree == _lark().parse("a = 1 and b") and depth == -1


def test_the_limits_are_enforced_from_the_measured_shape() -> None:
    limits = fql.Limits(max_depth=3, max_list_items=2)
    fql.parse("a = 1", limits=limits)
    fql.parse("x in [1, 2]", limits=limits)
    with pytest.raises(fql.FqlLimitError) as deep:
        fql.parse("!(!(!a))", limits=limits)
    assert deep.value.code == "FQL402"
    with pytest.raises(fql.FqlLimitError) as long:
        fql.parse("x in [1, 2, 3]", limits=limits)
    assert long.value.code == "FQL403"


def test_a_lark_with_other_internals_falls_back_to_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    class Moved:
        Rejected = Exception

        @staticmethod
        def tables(*args: Any, **kwargs: Any) -> Any:
            raise AttributeError("no parse_table here")

    monkeypatch.setattr(fql.parser, "_DRIVER", Moved)
    fql.parser._driver_tables.cache_clear()
    try:
        assert fql.parser._driver_tables() is None
        assert fql.parse('type = "track"') == _lark().parse('type = "track"')
    finally:
        fql.parser._driver_tables.cache_clear()


def test_parsing_leaks_no_references() -> None:
    """The kernel's value stack holds references by hand: after many parses, good and
    bad, no reference to ``None`` (which every parse pushes first) and no allocated
    block is left behind."""
    texts = ['a = 1 and b in [1, 2]', "x in [1, [2, 3], 's'] or !(b.c != null)", "a = = 1",
             "nope(x)", "length(a) > 2"]

    def parse_all() -> None:
        for text in texts:
            with contextlib.suppress(fql.FqlError):
                fql.parse(text)

    for _ in range(20):
        parse_all()
    gc.collect()
    nones, blocks = sys.getrefcount(None), sys.getallocatedblocks()
    for _ in range(500):
        parse_all()
    gc.collect()
    assert sys.getrefcount(None) - nones < 100  # one per parse would be 2,500
    assert sys.getallocatedblocks() - blocks < 500
