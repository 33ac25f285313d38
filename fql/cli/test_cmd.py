"""fql test FILE|DIR...: run rule test files and report like a test runner.

A test file (JSON, or YAML with the [yaml] extra) holds "tests": a list of cases, each
with a "name", an "event", one rule - "fql" (an expression), "trigger" (Actions trigger
text), "mapping" (a mapping object, or a path to a JSON file relative to the test file;
with a "trigger" beside it, an Actions action) or "filters" (destination filters, inline
or a path) - and "expect": match / no match (FQL, trigger, an action whose trigger does
not match), kept / dropped (filters), or {output: ...} (the mapping's payload, or the
filtered event). Payloads compare as JSON values (true is not 1; 1 is 1.0); in YAML
files dates stay strings, as they are in JSON events. A directory stands for the test
files under it (JSON and YAML files holding "tests"; others are skipped).

A case that cannot be run as written (an unknown key, an expect its rule cannot reach,
an invalid rule) is an ERROR, counted apart from FAILs. --coverage reports which rules,
filters and mapping fields the cases exercised (--coverage-format json: as JSON on
stdout, the results going to stderr).
Exit 0 all passed, 1 a failure or error, 2 an unreadable file or one with no tests.

examples:
  fql test examples/tests/rules.yaml
  fql test --coverage examples/tests/
  fql test --coverage --coverage-format json examples/tests/ > coverage.json
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import Any, TextIO

from .. import FqlError
from ..datafile import load_data, load_json
from ..values import strict_equal
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import Progress, is_terminal

NAME = "test"
HELP = "Run rule test files (an event, a rule, the expected outcome)."
RULE_KINDS = ("fql", "trigger", "mapping", "filters")

#: The verdicts each kind of rule can reach; ``{"output": ...}`` is checked apart.
VERDICTS = {"fql": ("match", "no match"), "trigger": ("match", "no match"),
            "action": ("no match",), "mapping": (), "filters": ("kept", "dropped")}


#: Every key a case may have (a description is for the reader, and not checked).
CASE_KEYS = ("name", "description", "event", "expect", *RULE_KINDS)


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql test`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("files", nargs="+", type=Path,
                        help="test files (JSON or YAML), or directories of them")
    parser.add_argument("--extensions", action="store_true",
                        help="mappings may use the non-portable extensions (JSONPath, "
                             "@coalesce)")
    parser.add_argument("--coverage", action="store_true",
                        help="report the rules, filters and mapping fields the cases "
                             "exercised")
    parser.add_argument("--coverage-format", choices=("text", "json"), default="text",
                        help="the coverage report as text (after the results) or JSON "
                             "(instead of them)")


class InvalidTest(Exception):
    """A test case that cannot be run as written (reported as ERROR, not FAIL)."""


def _read(path: Path) -> Any:
    """A test file's data: JSON, or YAML through the safe loader (JSON-like values, no
    implicit timestamps: ``2024-05-01`` in an event stays a string)."""
    return load_data(path.read_text(encoding="utf-8"), path.suffix)


def _load(path: Path) -> list[Any]:
    data = _read(path)
    cases = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise InvalidTest(f"{path}: a test file holds an object with a 'tests' list")
    if not cases:
        raise InvalidTest(f"{path}: the 'tests' list is empty (a file that tests nothing "
                          "must not pass)")
    return cases


def _files(paths: list[Path]) -> list[Path]:
    """The test files: those named, and under each directory the JSON and YAML files
    that hold a 'tests' list (rule files and events beside them are skipped)."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for candidate in sorted(path.rglob("*")):
            if candidate.suffix.lower() not in (".json", ".yaml", ".yml"):
                continue
            try:
                data = _read(candidate)
            except Exception:
                continue
            if isinstance(data, dict) and isinstance(data.get("tests"), list):
                found.append(candidate)
    return found


def _data(value: Any, base: Path) -> Any:
    """Inline data, or a path (relative to the test file) to a JSON file."""
    if isinstance(value, str):
        return load_json((base / value).read_text(encoding="utf-8"))
    return value


def rule_kind(case: dict[str, Any]) -> str:
    """Which rule a case tests, and that its keys are known and its ``expect`` is one
    that rule can reach."""
    unknown = [k for k in case if k not in CASE_KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), CASE_KEYS, n=1)
        raise InvalidTest(f"unknown key {unknown[0]!r}" + (
            f" (did you mean {close[0]!r}?)" if close else
            f"; a case has {', '.join(CASE_KEYS)}"))
    kinds = [k for k in RULE_KINDS if k in case]
    kind = "action" if kinds == ["trigger", "mapping"] else kinds[0] if len(kinds) == 1 \
        else None
    if kind is None:
        raise InvalidTest(f"needs one of {', '.join(RULE_KINDS)} (or a trigger and a mapping)")
    expect = case.get("expect")
    if not (isinstance(expect, dict) and set(expect) == {"output"}
            and kind in ("mapping", "action", "filters")) and expect not in VERDICTS[kind]:
        allowed = [repr(v) for v in VERDICTS[kind]]
        if kind in ("mapping", "action", "filters"):
            allowed.append("{output: ...}")
        raise InvalidTest(f"expect must be {' or '.join(allowed)} for a {kind} test, "
                          f"not {expect!r}")
    if not isinstance(case.get("event"), dict):
        raise InvalidTest("'event' must be a JSON object")
    return kind


def outcome(case: dict[str, Any], base: Path, *, extensions: bool = False) -> tuple[str, Any]:
    """What the rule does to the event: (verdict, output). The verdict is "match", "no
    match", "kept", "dropped" or "mapped"; the output is the payload or kept event."""
    kind, event = rule_kind(case), case["event"]
    if kind == "fql":
        from .. import compile as compile_fql

        return ("match" if compile_fql(case["fql"]).matches(event) else "no match"), None
    if kind in ("trigger", "action"):
        from actions import Trigger

        if not Trigger.parse(case["trigger"]).matches(event):
            return "no match", None
        if kind == "trigger":
            return "match", None
    if kind in ("mapping", "action"):
        import actions

        mapping = actions.compile_mapping(_data(case["mapping"], base), extensions=extensions)
        return "mapped", mapping.apply(event)
    from ..filters import FilterList

    result = FilterList.load(_data(case["filters"], base), strict=True).apply(event)
    return ("dropped", None) if result.dropped else ("kept", result.event)


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines(True)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql test`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    from .test_coverage import Coverage

    coverage = Coverage() if args.coverage else None
    report = out
    if coverage is not None and args.coverage_format == "json":
        out = err  # stdout is the JSON document
    passed = failed = errors = 0
    files = _files(args.files)
    if not files:
        print("fql test: no test files found", file=err)
        return EXIT_ERROR
    # Over many files, a bar on stderr when it is a terminal (files, rate, elapsed).
    progress = Progress(err, len(files), unit="files", every=1) \
        if len(files) > 1 and is_terminal(err) else None
    for path in files:
        if progress is not None:
            progress.advance(1)
        try:
            cases = _load(path)
        except FqlError as exc:
            print(f"fql test: {path}: {exc.code} {exc.message}", file=err)
            return EXIT_ERROR
        except (OSError, ValueError, InvalidTest) as exc:
            if progress is not None:
                progress.close()
            print(f"fql test: {exc}", file=err)
            return EXIT_ERROR
        for index, case in enumerate(cases):
            name = f"{path}::{case.get('name', index) if isinstance(case, dict) else index}"
            try:
                if not isinstance(case, dict):
                    raise InvalidTest("a test case is an object")
                verdict, output = outcome(case, path.parent, extensions=args.extensions)
                expect = case["expect"]
                ok = output is not None and strict_equal(output, expect["output"]) \
                    if isinstance(expect, dict) else verdict == expect
                if coverage is not None:
                    coverage.record(str(path), case, path.parent, verdict, output)
            except (InvalidTest, FqlError, OSError, ValueError) as exc:
                print(f"ERROR {name}: {exc}", file=out)
                errors += 1
                continue
            if isinstance(expect, dict) and output is None:
                detail = f"  expected an output, got {verdict!r}\n"
            elif isinstance(expect, dict):
                diff = difflib.unified_diff(_pretty(expect["output"]), _pretty(output),
                                            "expected", "actual")
                detail = "".join(line if line.endswith("\n") else line + "\n"
                                 for line in diff)
            else:
                detail = f"  expected {expect!r}, got {verdict!r}\n"
            if ok:
                passed += 1
                print(f"PASS {name}", file=out)
            else:
                failed += 1
                print(f"FAIL {name}\n{detail}", file=out, end="")
    if progress is not None:
        progress.close()
    summary = f"{passed} passed, {failed} failed"
    print(summary + (f", {errors} error{'s' if errors != 1 else ''}" if errors else ""),
          file=out)
    if coverage is not None:
        report.write(coverage.report(args.coverage_format))
    return EXIT_FINDINGS if failed or errors else EXIT_OK
