"""fql fmt FILE|DIR|- ...: rewrite .fql files in canonical form (fql.format).

Comment lines (#) at the top of a file are kept; the expression below them is printed
canonically on one line; a comment after it (at the end of its last line, or on a line
below it) is kept there. A file with comments between the lines of its expression is left alone and
reported, since the one-line form has nowhere to put them. A directory stands for the
.fql files under it; - reads the expression from stdin and writes the canonical text
to stdout. --check changes nothing and exits 1 when a file would change; --diff prints
the changes.

examples:
  fql fmt examples/rules/
  fql fmt --check examples/rules/big-orders.fql
  echo "type='track'" | fql fmt -
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import TextIO

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

NAME = "fmt"
HELP = "Rewrite .fql files in canonical form."
STDIN = Path("-")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql fmt`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("files", nargs="+", type=Path,
                        help=".fql files, directories of them, or - for stdin")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument("--diff", action="store_true", help="print a diff instead of writing")


def formatted(text: str) -> str | None:
    """The canonical file text, or None when comments sit between the expression's
    lines. The leading comment lines stay; a comment after the expression (on its last
    line or below it) stays after the one-line canonical form."""
    from .. import format_node, parse
    from ..lint.sources import split_comments

    code, comments = split_comments(text)
    lines, code_lines = text.split("\n"), code.split("\n")
    head = 0
    while head < len(lines) and not code_lines[head].strip():
        head += 1  # blank lines and whole-line comments before the expression
    last = 1 + max((n for n, line in enumerate(code_lines) if line.strip()), default=head)
    body = [c for c in comments if c.line > head]
    if len(body) > 1 or (body and (body[0].line < last or (
            body[0].line == last and body[0].own_line))):
        return None
    # The head's lines stay as blank lines, so syntax errors name the file's line.
    canonical = format_node(parse(code))
    prefix = "".join(line + "\n" for line in lines[:head] if line.strip())
    tail = "" if not body else f"\n{body[0].text}" if body[0].own_line else f"  {body[0].text}"
    return f"{prefix}{canonical}{tail}\n"


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.fql")) if p.is_file())
        else:
            found.append(path)
    return found


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql fmt`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    from .. import FqlError

    changed = failed = 0
    for path in _files(args.files):
        name = "<stdin>" if path == STDIN else str(path)
        try:
            text = sys.stdin.read() if path == STDIN else path.read_text(encoding="utf-8")
            new = formatted(text)
        except FqlError as exc:
            print(exc.render(name), file=err)
            failed += 1
            continue
        except (OSError, UnicodeDecodeError) as exc:
            print(f"fql fmt: {name}: {exc}", file=err)
            failed += 1
            continue
        if new is None:
            print(f"{name}: comments inside the expression; not formatted", file=err)
            if path == STDIN:
                out.write(text)
            continue
        if path == STDIN and not (args.check or args.diff):
            out.write(new)
            continue
        if new == text:
            continue
        changed += 1
        if args.diff:
            out.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                name, f"{name} (formatted)"))
        elif args.check:
            print(f"would reformat {name}", file=out)
        else:
            path.write_text(new, encoding="utf-8")
            print(f"reformatted {name}", file=out)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if changed and (args.check or args.diff) else EXIT_OK
