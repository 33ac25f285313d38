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
    assert code == 0 and out.splitlines()[-1] == "6 passed, 0 failed"


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


def test_an_action_is_a_trigger_and_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "tests:\n"
        "  - {name: mapped, trigger: type = \"track\", mapping: {id: {'@path': $.userId}},\n"
        "     event: {type: track, userId: u1}, expect: {output: {id: u1}}}\n"
        "  - {name: skipped, trigger: type = \"track\", mapping: {id: {'@path': $.userId}},\n"
        "     event: {type: page}, expect: no match}\n"
        "  - {name: no payload, trigger: type = \"track\", mapping: {id: {'@path': $.userId}},\n"
        "     event: {type: page}, expect: {output: {}}}\n")
    code, out, _ = run("test", str(path))
    assert code == 1 and out.splitlines()[-1] == "2 passed, 1 failed"
    assert f"FAIL {path}::no payload\n  expected an output, got 'no match'" in out


def test_payloads_compare_as_json_values(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    case = {"mapping": {"flag": {"@path": "$.properties.flag"}}, "event": {
        "properties": {"flag": True}}}
    path.write_text(json.dumps({"tests": [
        {**case, "name": "true is not 1", "expect": {"output": {"flag": 1}}},
        {**case, "name": "true is true", "expect": {"output": {"flag": True}}},
    ]}))
    code, out, _ = run("test", str(path))
    assert code == 1 and f"FAIL {path}::true is not 1" in out
    assert f"PASS {path}::true is true" in out


def test_yaml_dates_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("tests:\n  - name: iso date\n    fql: timestamp >= '2024-05-01'\n"
                    "    event: {timestamp: 2024-05-02}\n    expect: match\n")
    assert run("test", str(path))[0] == 0


def test_an_expectation_the_rule_cannot_reach_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tests": [
        {"name": "typo", "fql": "type = 'track'", "event": {}, "expect": "matches"},
        {"name": "two rules", "fql": "all", "filters": [], "event": {}, "expect": "match"},
        {"name": "no expect", "trigger": "type = 'track'", "event": {}},
    ]}))
    code, out, _ = run("test", str(path))
    assert code == 1 and out.splitlines()[-1] == "0 passed, 3 failed"
    assert f"ERROR {path}::typo: expect must be 'match' or 'no match' for a fql test" in out
    assert f"ERROR {path}::two rules: needs one of" in out
    assert f"ERROR {path}::no expect: expect must be" in out
