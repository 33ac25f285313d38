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
    assert out.splitlines()[-1] == "0 passed, 2 failed, 1 error"
    # The diff's last line ends with its own newline, not glued to the next result.
    assert "}ERROR" not in out and "}FAIL" not in out


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
    assert code == 1 and out.splitlines()[-1] == "0 passed, 0 failed, 3 errors"
    assert f"ERROR {path}::typo: expect must be 'match' or 'no match' for a fql test" in out
    assert f"ERROR {path}::two rules: needs one of" in out
    assert f"ERROR {path}::no expect: expect must be" in out


def test_an_empty_test_file_does_not_pass(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("tests: []\n")
    code, _, err = run("test", str(path))
    assert code == 2 and "the 'tests' list is empty" in err


def test_a_misspelt_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("tests:\n  - {name: n, fql: type = 'track', evnt: {type: track}, "
                    "expect: match}\n")
    code, out, _ = run("test", str(path))
    assert code == 1
    assert f"ERROR {path}::n: unknown key 'evnt' (did you mean 'event'?)" in out


def test_directories_hold_test_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(json.dumps({"tests": [
        {"name": "n", "fql": "type = 'track'", "event": {"type": "track"},
         "expect": "match"}]}))
    (tmp_path / "events.json").write_text('{"type": "track"}')  # not a test file: skipped
    code, out, _ = run("test", str(tmp_path))
    assert code == 0 and out.splitlines() == [f"PASS {tmp_path / 'sub' / 'a.json'}::n",
                                              "1 passed, 0 failed"]
    assert run("test", str(tmp_path / "sub" / "missing"))[0] == 2


COVERAGE_TESTS = {"tests": [
    {"name": "match", "fql": "type = 'track'", "event": {"type": "track"}, "expect": "match"},
    {"name": "kept", "filters": [
        {"title": "drop pages", "if": "type = 'page'", "actions": [{"type": "DROP"}]},
        {"title": "never", "if": "event = 'x'", "actions": [{"type": "DROP"}]}],
     "event": {"type": "page"}, "expect": "dropped"},
    {"name": "mapped", "mapping": {"id": {"@path": "$.userId"},
                                   "ctx": {"ip": {"@path": "$.context.ip"}}},
     "event": {"userId": "u1"}, "expect": {"output": {"id": "u1", "ctx": {}}}},
]}


def test_coverage_counts_rules_filters_and_mapping_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(COVERAGE_TESTS))
    code, out, _ = run("test", "--coverage", str(path))
    assert code == 0
    report = out[out.index("coverage:"):]
    assert report == (
        "coverage:\n"
        f"  {path}: 2/5 (40%)\n"
        "    rules: 0/1 (0%)\n"
        "      not covered: type = 'track' (never seen: no match)\n"
        "    filters: 1/2 (50%)\n"
        f"      not covered: never in {path} (inline)\n"
        "    mapping fields: 1/2 (50%)\n"
        f"      not covered: ctx.ip of {path} (inline)\n"
        "  total: 2/5 (40%)\n")


def test_coverage_as_json(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(COVERAGE_TESTS))
    code, out, err = run("test", "--coverage", "--coverage-format", "json", str(path))
    report = json.loads(out)
    assert code == 0 and "3 passed, 0 failed" in err
    assert (report["covered"], report["total"]) == (2, 5)
    items = {(i["kind"], i["name"]): i["covered"] for i in report["files"][str(path)]["items"]}
    assert items == {("rule", "type = 'track'"): False, ("filter", "drop pages"): True,
                     ("filter", "never"): False, ("field", "id"): True,
                     ("field", "ctx.ip"): False}
