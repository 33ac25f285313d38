"""The compiled LALR loop (``fql._ext._lalr``) against Lark's own parser loop.

Both run Lark's table and callbacks. For any text the loop accepts, the AST (spans
included) must be the one Lark builds; for any text Lark rejects, the loop must reject
it too (the parser then asks Lark for its error), or raise the very error Lark's
callbacks raise.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fql
import fql.parser
from fql import ast
from fql.backend import load_kernel
from fql.parser import _DRIVER, _driver_tables, _lark, _Tokenizer

from .strategies import expressions
from .test_fql_properties import FQL_ALPHABET

KERNEL = load_kernel("_lalr")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="the parser kernel was not built")


def outcomes(text: str) -> tuple[Any, Any]:
    """(Lark's outcome, the compiled loop's outcome) for ``text``."""
    lark = _lark()
    table_parser = lark.parser.parser.parser
    tables = KERNEL.tables(table_parser.parse_table, table_parser.callbacks)  # type: ignore[union-attr]
    tokenizer = _Tokenizer(lark.lexer_conf)
    results = []
    for run in (lambda: lark.parse(text), lambda: KERNEL.parse(tables, tokenizer.lex(text))):  # type: ignore[union-attr]
        try:
            results.append(("tree", run()))
        except KERNEL.Rejected:  # type: ignore[union-attr]
            results.append(("rejected",))
        except Exception as exc:
            results.append(("raised", type(exc).__name__, str(exc)))
    return results[0], results[1]


def check(text: str) -> None:
    lark, loop = outcomes(text)
    callback_error = lark[0] == "raised" and lark[1] == "FqlSyntaxError"
    if lark[0] == "tree" or loop[0] == "tree" or callback_error:
        assert loop == lark, text
    else:  # a syntax error: the loop rejects, or meets the same tokenizer error
        assert loop[0] in ("rejected", "raised"), text
        if loop[0] == "raised":
            assert loop[1] == lark[1], text


def test_the_parser_uses_the_loop_when_built() -> None:
    """With the kernel built and not switched off, Lark's table is encoded for it (a
    Lark whose internals moved would silently cost the speed otherwise)."""
    assert _DRIVER is KERNEL or fql.BACKEND == "python"
    assert (_driver_tables() is not None) == (_DRIVER is not None)


@pytest.mark.parametrize("text", [
    'type = "track"', "a and b or !c", "(((a)))", "x in [1, 2, 'three']", "a == 1",
    "length(a) > 1 and lowercase(b) = 'x'", "nope(a)", "a =", "(a", "a)", "[1, 2]",
    "'unterminated", "a = 1 = 2", "a.b.c != null", "a\n and\n b", "", "  ", "🙂",
])
def test_known_texts(text: str) -> None:
    check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_random_asts_parse_alike(tree: ast.Node) -> None:
    check(fql.format_node(tree))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(FQL_ALPHABET, max_size=20).map("".join)))
def test_random_texts_parse_or_fail_alike(text: str) -> None:
    check(text)


def test_a_lark_with_other_internals_falls_back_to_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    class Moved:
        Rejected = Exception

        @staticmethod
        def tables(*args: Any) -> Any:
            raise AttributeError("no parse_table here")

    monkeypatch.setattr(fql.parser, "_DRIVER", Moved)
    fql.parser._driver_tables.cache_clear()
    try:
        assert fql.parser._driver_tables() is None
        assert fql.parse('type = "track"') == _lark().parse('type = "track"')
    finally:
        fql.parser._driver_tables.cache_clear()
