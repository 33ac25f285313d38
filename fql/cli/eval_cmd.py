"""fql eval EXPR [FILE|-]: evaluate an FQL expression against one JSON event, or each
line of a JSON Lines file, and print the value and whether it matches.

Exit codes: 0 when every event matches, 1 when some event does not (so a shell can
write fql eval 'type = "track"' event.json && ...), 2 for an invalid expression or
input.

examples:
  fql eval 'type = "track" and properties.revenue > 100' examples/event.json
  fql eval 'lowercase(event)' examples/events.jsonl
  echo '{"type": "page"}' | fql eval 'type = "track"' -
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .. import FqlError, compile
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import dumps, loads

NAME = "eval"
HELP = "Evaluate an FQL expression against JSON events."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help="the FQL expression")
    parser.add_argument("file", nargs="?", default="-",
                        help="a JSON event, or JSON Lines (one event per line); '-' for stdin")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        expr = compile(args.expression)
    except FqlError as exc:
        print(exc.render("<expression>"), file=err)
        return EXIT_ERROR
    try:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"fql eval: {exc}", file=err)
        return EXIT_ERROR
    with stream:
        text = stream.read()
    events = _events(text, args.file, err)
    if events is None:
        return EXIT_ERROR
    all_match = True
    for line, event in events:
        try:
            value = expr.evaluate(event)
        except FqlError as exc:
            print(f"{args.file}:{line}: {exc.code} {exc.message}", file=err)
            return EXIT_ERROR
        matched = value is True
        all_match &= matched
        prefix = f"{line}: " if len(events) > 1 else ""
        print(f"{prefix}{dumps(value)}\t{'match' if matched else 'no match'}", file=out)
    return EXIT_OK if all_match else EXIT_FINDINGS


def _events(text: str, name: str, err: TextIO) -> list[tuple[int, object]] | None:
    """One JSON document, or JSON Lines when the text is not a single document."""
    try:
        return [(1, loads(text))]
    except ValueError:
        pass
    events: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append((number, loads(line)))
        except ValueError as exc:
            print(f"{name}:{number}: invalid JSON: {exc}", file=err)
            return None
    return events
