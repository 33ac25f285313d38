"""``fql fmt FILE...``: rewrite ``.fql`` files in canonical form (``fql.format``).

Comment lines (``#``) at the top of a file are kept; the expression below them is
printed canonically on one line. A file with comments inside its expression is left
alone and reported, since the canonical form has nowhere to put them. ``--check``
changes nothing and exits 1 when a file would change; ``--diff`` prints the changes.
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import TextIO

from .. import FqlError, format_node, parse
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

NAME = "fmt"
HELP = "Rewrite .fql files in canonical form."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument("--diff", action="store_true", help="print a diff instead of writing")


def formatted(text: str) -> str | None:
    """The canonical file text, or None when comments sit inside the expression."""
    lines = text.split("\n")
    head = []
    while lines and (lines[0].lstrip().startswith("#") or not lines[0].strip()):
        head.append(lines.pop(0))
    if any(line.lstrip().startswith("#") for line in lines):
        return None
    # The head's lines stay as blank lines, so syntax errors name the file's line.
    body = "\n" * len(head) + "\n".join(lines)
    prefix = "".join(line + "\n" for line in head if line.strip())
    return prefix + format_node(parse(body)) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    changed = failed = 0
    for path in args.files:
        try:
            text = path.read_text(encoding="utf-8")
            new = formatted(text)
        except FqlError as exc:
            print(exc.render(str(path)), file=err)
            failed += 1
            continue
        except (OSError, UnicodeDecodeError) as exc:
            print(f"fql fmt: {path}: {exc}", file=err)
            failed += 1
            continue
        if new is None:
            print(f"{path}: comments inside the expression; not formatted", file=err)
            continue
        if new == text:
            continue
        changed += 1
        if args.diff:
            out.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                f"{path}", f"{path} (formatted)"))
        elif args.check:
            print(f"would reformat {path}", file=out)
        else:
            path.write_text(new, encoding="utf-8")
            print(f"reformatted {path}", file=out)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if changed and (args.check or args.diff) else EXIT_OK
