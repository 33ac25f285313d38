"""The README's Python examples give the output the README shows.

Each ```python block runs top to bottom in one namespace, from the repository root.
A statement followed by a comment (on its line, or on the next line alone) is checked
against it:

* a Python literal (``True``, ``'premium'``, a dict...) must equal the value;
* text ending in ``...`` must be how the value's ``repr`` starts (the part before the
  ``...``; ``Diagnostic(code='TRG101', ...`` checks the class and the code);
* ``SomeError ...`` means the statement raises that error;
* ``Enum.NAME`` must be the enum member;

anything else is prose ("the text Segment's UI prints"), and so is text in parentheses
after a value.
"""

from __future__ import annotations

import ast
import enum
import io
import os
import re
import shutil
import tokenize
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def comments(source: str) -> dict[int, str]:
    """Line number -> comment text (without ``#``) of every comment in ``source``."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string[1:].strip()
    return found


def expectation(comment: str) -> str:
    """The checkable part of a comment: prose in parentheses after it is dropped."""
    return re.split(r"\s{2,}\(|\s+\(every|\s+\(None", comment)[0].strip()


def check(value: Any, expected: str, where: str) -> None:
    try:
        literal = ast.literal_eval(expected)
    except (ValueError, SyntaxError):
        pass
    else:
        assert value == literal, f"{where}: {value!r} != {expected}"
        return
    if isinstance(value, enum.Enum):
        name = expected.split()[0]
        assert f"{type(value).__name__}.{value.name}" == name, f"{where}: {value!r}"
        return
    if "..." in expected:
        prefix = expected.split("...")[0].rstrip(" ,")
        shown = repr(value)
        if ":" in prefix and not prefix.startswith(("{", "[")):
            prefix = prefix.split(":")[0]  # "{...}: Segment's tree" style prose after a value
        assert shown.startswith(prefix) or prefix in shown, f"{where}: {shown[:200]} !~ {prefix}"
        return
    raise AssertionError(f"{where}: cannot check the comment {expected!r}")


def is_prose(expected: str) -> bool:
    """A comment that explains rather than shows a value."""
    try:
        ast.literal_eval(expected)
    except (ValueError, SyntaxError):
        shows_value = "..." in expected or re.match(r"^[A-Z]\w*\.[A-Z_]+\b", expected)
        return not shows_value
    return False


def _block(index: int) -> Any:
    """A block that uses ``fql.spark`` defines Spark jobs: marked ``spark`` (run once in
    CI) and skipped where PySpark or Java is missing."""
    if "fql.spark" not in BLOCKS[index]:
        return index
    return pytest.param(index, marks=pytest.mark.spark)


@pytest.mark.parametrize("index", [_block(i) for i in range(len(BLOCKS))])
def test_readme_python_block(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    source = BLOCKS[index]
    if "fql.spark" in source:
        pytest.importorskip("pyspark")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            pytest.skip("Spark needs Java")
    notes = comments(source)
    lines = source.splitlines()
    namespace: dict[str, Any] = {}
    statements = ast.parse(source).body
    for stmt in statements:
        end = stmt.end_lineno or stmt.lineno
        comment = notes.get(end)
        if comment is None and end < len(lines) and lines[end].lstrip().startswith("#") \
                and not any(s.lineno == end + 1 for s in statements):
            comment = notes.get(end + 1)
        code = compile(ast.Module([stmt], []), f"README block {index}", "exec")
        where = f"README block {index}, line {stmt.lineno}"
        expected = expectation(comment) if comment else None
        if expected and re.match(r"^[A-Z]\w*Error\b", expected):
            with pytest.raises(Exception) as info:
                exec(code, namespace)
            assert type(info.value).__name__ == expected.split()[0], where
            continue
        exec(code, namespace)
        if not expected or is_prose(expected):
            continue  # prose ("the text Segment's UI prints", "validated once")
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            value = namespace[stmt.targets[0].id]
        else:
            continue
        check(value, expected, where)


def test_the_readme_has_checked_examples() -> None:
    assert len(BLOCKS) >= 5
    assert os.path.exists(ROOT / "examples" / "workspace.yaml")
