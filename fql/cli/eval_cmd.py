"""fql eval EXPR [FILE|-]: evaluate an FQL expression against one JSON event, or each
line of a JSON Lines file, and print the value and whether it matches.

Exit codes: 0 when every event matches, 1 when some event does not (so a shell can
write fql eval 'type = "track"' event.json && ...), 2 for an invalid expression or
input. A bad line (malformed, too deep, not an object, or an event the expression
cannot read) is reported with its line number, as by fql filter, and the other lines
are still evaluated and printed; the exit code is then 2.

examples:
  fql eval 'type = "track" and properties.revenue > 100' examples/event.json
  fql eval 'lowercase(event)' examples/events.jsonl
  echo '{"type": "page"}' | fql eval 'type = "track"' -
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO

from .. import FqlError, compile
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import FqlJsonError, dumps, loads_event

NAME = "eval"
HELP = "Evaluate an FQL expression against JSON events."


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql eval`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("expression", help="the FQL expression")
    parser.add_argument("file", nargs="?", default="-",
                        help="a JSON event, or JSON Lines (one event per line); '-' for stdin")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql eval`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    try:
        expr = compile(args.expression)
    except FqlError as exc:
        print(exc.render("<expression>"), file=err)
        return EXIT_ERROR
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"fql eval: {exc}", file=err)
        return EXIT_ERROR
    invalid = shown = 0
    all_match = True
    # The first event's output waits for a second event: alone, it has no line number.
    first: tuple[int, str] | None = None
    with stream:
        for line, event in _events(stream):
            try:
                if isinstance(event, FqlJsonError):
                    raise event
                value = expr.evaluate(event)
            except FqlError as exc:  # one bad line is reported; the others are printed
                invalid += 1
                print(f"{args.file}:{line}: invalid line: {exc.code} {exc.message}", file=err)
                continue
            matched = value is True
            all_match &= matched
            text = f"{dumps(value)}\t{'match' if matched else 'no match'}"
            shown += 1
            if shown == 1:
                first = (line, text)
                continue
            if first is not None:
                print(f"{first[0]}: {first[1]}", file=out)
                first = None
            print(f"{line}: {text}", file=out)
    if first is not None:
        print(first[1] if invalid == 0 else f"{first[0]}: {first[1]}", file=out)
    if invalid:
        return EXIT_ERROR
    return EXIT_OK if all_match else EXIT_FINDINGS


def _events(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """The events of ``stream``: JSON Lines, read a line at a time (memory stays
    constant), or one JSON document spread over several lines (read whole: it is one
    event). A line that is not an event stands as its error, reported in its place.
    Bytes, so a line that is not UTF-8 is one bad line, not the end of the run."""
    lines = enumerate(stream, start=1)
    start = next(((n, text) for n, text in lines if text.strip()), None)
    if start is None:
        return
    number, line = start
    try:
        yield number, loads_event(line)
    except FqlJsonError as exc:
        if exc.kind != "malformed":
            yield number, exc
        else:  # the start of a pretty-printed document, or a bad first line
            text = line + stream.read()
            yield from _document_or_lines(text, number)
            return
    for number, line in lines:
        if line.strip():
            try:
                yield number, loads_event(line)
            except FqlJsonError as exc:
                yield number, exc


def _document_or_lines(text: bytes, first: int) -> Iterator[tuple[int, Any]]:
    """One document spread over lines, or (when it is not one) JSON Lines whose first
    line is bad."""
    try:
        yield first, loads_event(text)
        return
    except FqlJsonError as exc:
        if text.count(b"\n") <= 1 or exc.kind != "malformed":
            yield first, exc
            return
    for number, line in enumerate(text.splitlines(), start=first):
        if line.strip():
            try:
                yield number, loads_event(line)
            except FqlJsonError as exc:
                yield number, exc
