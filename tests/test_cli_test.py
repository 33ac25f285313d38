"""``fql test``: pass/fail counts, diffs on failure, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

from fql.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_example_rule_tests_pass() -> None:
    code, out, _ = run("test", str(EXAMPLES / "tests" / "rules.yaml"))
    assert code == 0 and out.splitlines()[-1] == "5 passed, 0 failed"


def test_failures_show_a_diff_and_exit_one(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tests": [
        {"name": "wrong verdict", "fql": "type = 'track'", "event": {"type": "page"},
         "expect": "match"},
        {"name": "wrong payload", "mapping": {"id": {"@path": "$.userId"}},
         "event": {"userId": "u2"}, "expect": {"output": {"id": "u1"}}},
        {"name": "bad rule", "fql": "type == 'x'", "event": {}, "expect": "match"},
    ]}))
    code, out, _ = run("test", str(path))
    assert code == 1
    assert "FAIL " + f"{path}::wrong verdict" in out
    assert "expected 'match', got 'no match'" in out
    assert '-  "id": "u1"' in out and '+  "id": "u2"' in out
    assert f"ERROR {path}::bad rule" in out and "FQL104" in out
    assert out.splitlines()[-1] == "0 passed, 3 failed"


def test_invalid_test_file_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("[]")
    assert run("test", str(path))[0] == 2
