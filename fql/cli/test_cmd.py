"""``fql test FILE...``: run rule test files and report like a test runner.

A test file (JSON, or YAML with the ``[yaml]`` extra) holds ``tests``: a list of cases,
each with a ``name``, an ``event``, exactly one rule — ``fql`` (an expression),
``trigger`` (Actions trigger text), ``mapping`` (a mapping object, or a path to a JSON
file relative to the test file) or ``filters`` (destination filters, inline or a path) —
and ``expect``: ``match`` / ``no match`` (FQL, trigger), ``kept`` / ``dropped``
(filters), or ``{"output": ...}`` (the mapping's payload, or the filtered event).
Failures show a diff; exit 0 all passed, 1 a failure, 2 an invalid test file.
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path
from typing import Any, TextIO

from .. import FqlError
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

NAME = "test"
HELP = "Run rule test files (an event, a rule, the expected outcome)."
RULE_KINDS = ("fql", "trigger", "mapping", "filters")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path)


class InvalidTest(Exception):
    pass


def _load(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    cases = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise InvalidTest(f"{path}: a test file holds an object with a 'tests' list")
    return cases


def _data(value: Any, base: Path) -> Any:
    """Inline data, or a path (relative to the test file) to a JSON file."""
    if isinstance(value, str):
        return json.loads((base / value).read_text(encoding="utf-8"))
    return value


def outcome(case: dict[str, Any], base: Path) -> tuple[str, Any]:
    """What the rule does to the event: ("match"|"no match"|"kept"|"dropped", output)."""
    kinds = [k for k in RULE_KINDS if k in case]
    if len(kinds) != 1:
        raise InvalidTest(f"needs exactly one of {', '.join(RULE_KINDS)}")
    kind, event = kinds[0], case.get("event")
    if not isinstance(event, dict):
        raise InvalidTest("'event' must be a JSON object")
    if kind == "fql":
        from .. import compile as compile_fql

        return ("match" if compile_fql(case["fql"]).matches(event) else "no match"), None
    if kind == "trigger":
        from actions import Trigger

        return ("match" if Trigger.parse(case["trigger"]).matches(event) else "no match"), None
    if kind == "mapping":
        import actions

        return "mapped", actions.compile_mapping(_data(case["mapping"], base)).apply(event)
    from ..filters import FilterList

    result = FilterList.load(_data(case["filters"], base), strict=True).apply(event)
    return ("dropped", None) if result.dropped else ("kept", result.event)


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines(True)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    passed = failed = 0
    for path in args.files:
        try:
            cases = _load(path)
        except (OSError, ValueError, InvalidTest) as exc:
            print(f"fql test: {exc}", file=err)
            return EXIT_ERROR
        for index, case in enumerate(cases):
            name = f"{path}::{case.get('name', index) if isinstance(case, dict) else index}"
            try:
                if not isinstance(case, dict):
                    raise InvalidTest("a test case is an object")
                verdict, output = outcome(case, path.parent)
            except (InvalidTest, FqlError, OSError, ValueError) as exc:
                print(f"ERROR {name}: {exc}", file=out)
                failed += 1
                continue
            expect = case.get("expect")
            if isinstance(expect, dict) and "output" in expect:
                ok = output == expect["output"]
                detail = "".join(difflib.unified_diff(_pretty(expect["output"]), _pretty(output),
                                                      "expected", "actual"))
            else:
                ok = verdict == expect
                detail = f"  expected {expect!r}, got {verdict!r}\n"
            if ok:
                passed += 1
                print(f"PASS {name}", file=out)
            else:
                failed += 1
                print(f"FAIL {name}\n{detail}", file=out, end="")
    print(f"{passed} passed, {failed} failed", file=out)
    return EXIT_FINDINGS if failed else EXIT_OK
