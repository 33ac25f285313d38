"""What a short command imports (start-up time is measured in benchmarks/startup.py;
here only the import graph, which does not depend on the machine's load)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fql.backend import kernel

ROOT = Path(__file__).parent.parent


def imported_after(code: str, *args: str) -> set[str]:
    """The modules loaded by running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    return set(out.split())


def test_import_fql_loads_no_stage() -> None:
    """``import fql`` defines the public names; the parser, the evaluator and Lark
    load when first used."""
    loaded = imported_after("import fql")
    assert not {"fql.parser", "fql.evaluator", "fql.check", "lark"} & loaded
    assert "fql.parser" in imported_after("import fql; fql.compile('a = 1')")


def test_version_imports_no_command_and_no_parser() -> None:
    loaded = imported_after("from fql.cli import main; main(['--version'])")
    assert not {"fql.parser", "fql.cli.lint_cmd", "fql.cli.repl", "lark", "pydantic",
                "actions"} & loaded


@pytest.mark.skipif(kernel("_lalr") is None, reason="the parser kernel is not built or is off")
def test_linting_a_clean_fql_file_never_imports_lark() -> None:
    """The kernel's table comes from ``_parse_table.py``: Lark is imported only when
    its own parser is needed (here, never)."""
    loaded = imported_after(
        "from fql.cli import main; main(['lint', 'examples/rules/big-orders.fql'])")
    assert "fql.parser" in loaded
    assert not {"lark", "actions", "pydantic", "fql.cli.repl", "fql.routing"} & loaded


CORPUS = [
    'type = "track" and (event = "Order Completed" or match(event, "Checkout *"))',
    "!(properties.total >= -1.5e3) or userId in ['a', \"b\", null, true, [1, 2]]",
    "contains(lowercase(context.library.name), 'js') and length(properties.items) > 0",
    "a.b\\.c != false and typeof(x) = 'list' and x in []",
]


@pytest.mark.skipif(kernel("_lalr") is None, reason="the parser kernel is not built or is off")
def test_the_generated_parse_table_is_current() -> None:
    """``fql/_parse_table.py`` was made from the current grammar (regenerate it with
    ``python -m fql.parse_table`` after editing ``grammar.lark``), and the kernel reading
    it builds the same trees, spans included, as Lark's own parser. (Lark numbers its
    states differently from run to run, so the file is compared by what it does.)"""
    from fql import ast
    from fql.parser import _DRIVER, _driver_tables, _generated_table, _lark

    state = _generated_table()
    assert state is not None
    tables = _DRIVER.tables_from_state(state, **_table_helpers())
    for text in CORPUS:
        tree = _DRIVER.parse(tables, text)[0]
        expected = _lark().parse(text)
        assert tree == expected
        assert [n.span for n in ast.walk(tree)] == [n.span for n in ast.walk(expected)]
    with pytest.raises(_DRIVER.Rejected):
        _DRIVER.parse(tables, "type == 'x'")
    assert _driver_tables() is not None


def _table_helpers() -> dict[str, object]:
    from fql.functions import FUNCTIONS
    from fql.parser import _BUILDER, _token, split_path, unescape_string

    return {"builder": _BUILDER, "make_token": _token, "split_path": split_path,
            "unescape": unescape_string, "functions": FUNCTIONS}


def test_a_stale_parse_table_is_not_used(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    import fql.parser

    grammar = tmp_path / "grammar.lark"
    grammar.write_text(fql.parser.GRAMMAR.read_text(encoding="utf-8") + "\n// edited\n")
    monkeypatch.setattr(fql.parser, "GRAMMAR", grammar)
    assert fql.parser._generated_table() is None
