"""fql lint PATH...: lint FQL files, triggers and JSON/YAML rule files.

Directories are searched for .fql, .trigger, .json, .yaml and .yml files; JSON and YAML
files found there that hold no rules (events, package manifests) are skipped, while a
file named on the command line is reported (LNT002). In .fql files, # starts a comment
and # fql: ignore[CODE] silences a warning on its line and the next (errors are never
silenced). Exit codes: 0 no findings, 1 findings (unless --exit-zero), 2 usage or
internal error. --select/--ignore take code prefixes (FQL3, TRG101), in any case,
repeated or as comma lists; one that names no code is a usage error (a typo must not
turn a CI job green). --explain CODE prints a code's documentation with an example.

examples:
  fql lint examples/rules/
  fql lint --format github --ignore FQL306,FQL307 rules/
  fql lint --explain FQL302
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

NAME = "lint"
HELP = "Lint FQL, trigger, mapping, filter and device-mode rule files."
SUFFIXES = (".fql", ".trigger", ".json", ".yaml", ".yml")
#: The output formats (``fql.lint.formatters.FORMATTERS``, named here so that building
#: the command line does not import the linter).
FORMATS = ("github", "json", "sarif", "text")
#: Every code starts with one of these (docs/lint-rules.md).
PREFIXES = ("FQL", "TRG", "MAP", "FLT", "RTE", "LNT")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql lint`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--select", action="append", default=[], metavar="PREFIX",
                        help="only report codes starting with PREFIX (repeatable, or a "
                             "comma list: FQL3,TRG101)")
    parser.add_argument("--ignore", action="append", default=[], metavar="PREFIX",
                        help="never report codes starting with PREFIX (repeatable, or a "
                             "comma list)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--extensions", action="store_true",
                        help="mappings may use the non-portable extensions (JSONPath, "
                             "@coalesce): report them as MAP201/MAP202, not as invalid")
    parser.add_argument("--explain", metavar="CODE", help="print the documentation of CODE")


def _files(paths: list[Path]) -> list[tuple[Path, bool]]:
    """Each file to lint, and whether it was named explicitly."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found.extend((p, False) for p in sorted(path.rglob("*"))
                         if p.suffix.lower() in SUFFIXES and p.is_file())
        else:
            found.append((path, True))
    return found


def selectors(values: list[str], known: list[str]) -> tuple[str, ...]:
    """The code prefixes of ``--select``/``--ignore`` values, upper-cased and split at
    commas. Raises ValueError naming the first one that is the prefix of no code."""
    found: list[str] = []
    for value in values:
        for item in value.split(","):
            prefix = item.strip().upper()
            if not prefix:
                continue
            if not any(code.startswith(prefix) for code in known):
                raise ValueError(f"{item.strip()!r} names no code; codes start with "
                                 f"{', '.join(PREFIXES)} (fql lint --explain CODE)")
            found.append(prefix)
    return tuple(found)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql lint`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    from ..lint import explain, lint_path
    from ..lint.codes import code_docs
    from ..lint.formatters import FORMATTERS
    from ..lint.sources import NOT_A_RULE_FILE

    if args.explain:
        doc = explain(args.explain)
        if doc is None:
            print(f"fql lint: unknown code {args.explain!r}", file=err)
            return EXIT_ERROR
        out.write(doc)
        return EXIT_OK
    if not args.paths:
        print("fql lint: give at least one file or directory", file=err)
        return EXIT_ERROR
    try:
        select = selectors(args.select, list(code_docs()))
        ignore = selectors(args.ignore, list(code_docs()))
    except ValueError as exc:
        print(f"fql lint: {exc}", file=err)
        return EXIT_ERROR
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"fql lint: no such file or directory: {missing[0]}", file=err)
        return EXIT_ERROR

    def wanted(code: str, explicit: bool) -> bool:
        if code == NOT_A_RULE_FILE and not explicit:
            return False
        if select and not code.startswith(select):
            return False
        return not (ignore and code.startswith(ignore))

    findings = [f for path, explicit in _files(args.paths)
                for f in lint_path(path, extensions=args.extensions)
                if wanted(f.diagnostic.code, explicit)]
    out.write(FORMATTERS[args.format]().format(findings))
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_OK
