"""``fql filter RULE [INPUT...]``: stream JSON Lines through an FQL expression, a trigger
or a destination-filter file and write the events that pass.

``RULE`` is an FQL expression, ``--trigger TEXT`` a Destination Actions trigger, or
``--filters FILE`` a destination-filter file (the Public API JSON). Kept events go to
stdout (or ``--output``); ``--dropped FILE`` receives the others as
``{"file": ..., "line": N, "reason": ..., "event": ...}``. A malformed line (not JSON,
not UTF-8, not an object) is reported on stderr with its line number and counted as
invalid; ``--fail-fast`` stops at the first one instead. A summary line (read / kept /
dropped / invalid) ends the run on stderr; a progress bar (share of the input bytes
read) is drawn on stderr when it is a terminal and the input is files. Memory stays
constant: lines are read as bytes, one at a time, and handed to the JSON parser as they
are. Exit 0, or 1 when some line was invalid, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .. import FqlError
from ..datafile import load_json
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import dumps, input_lines, is_stdin, loads, missing_input

NAME = "filter"
HELP = "Keep the JSON Lines events that pass an FQL rule, a trigger or destination filters."

Decide = Callable[[Any], tuple[Any | None, str | None]]  # (event to write, or None + reason)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", nargs="?", help="an FQL expression")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files (default stdin)")
    parser.add_argument("--trigger", help="a Destination Actions trigger instead of FQL")
    parser.add_argument("--filters", type=Path, help="a destination-filter JSON file instead")
    parser.add_argument("--output", "-o", type=Path, help="write kept events here")
    parser.add_argument("--dropped", type=Path, help="write dropped events with reasons here")
    parser.add_argument("--fail-fast", action="store_true", help="stop at a malformed line")
    parser.add_argument("--strict", action="store_true",
                        help="with --filters: an invalid filter is an error (exit 2), not a "
                             "warning")


def _decider(args: argparse.Namespace, err: TextIO) -> Decide:
    """Compile the rule once; the returned function runs per event. An invalid filter
    in a filter file is a warning on ``err`` (it fails closed: the events it would
    apply to are dropped), or with ``--strict`` the error that ends the run."""
    if args.filters is not None:
        from ..filters import FilterList

        filters = FilterList.load(load_json(args.filters.read_text(encoding="utf-8")),
                                  strict=args.strict)
        for problem in filters.errors:
            print(f"{args.filters}: warning: {problem.code} {problem.message} (an enabled "
                  "invalid filter drops every event; --strict makes this an error)", file=err)

        def by_filters(event: Any) -> tuple[Any | None, str | None]:
            result = filters.apply(event)
            if result.dropped:
                return None, f"{result.reason.value}: {result.filter_title or ''}".rstrip(": ")
            return result.event, None

        return by_filters
    if args.trigger is not None:
        from actions import Trigger

        trigger = Trigger.parse(args.trigger)
        return lambda event: (event, None) if trigger.matches(event) else (None, "no match")
    from .. import compile as compile_fql

    expr = compile_fql(args.expression)
    return lambda event: (event, None) if expr.matches(event) else (None, "no match")


class _Progress:
    """A one-line bar on stderr: the share of the input bytes read so far."""

    WIDTH = 30
    EVERY = 4096  # lines between redraws: drawing is cheap, but not per line

    def __init__(self, stream: TextIO, total_bytes: int) -> None:
        self.stream = stream
        self.total = max(1, total_bytes)
        self.done = self.lines = 0

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        self.lines += 1
        if self.lines % self.EVERY == 0:
            share = min(1.0, self.done / self.total)
            filled = int(share * self.WIDTH)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                              f"{share:4.0%} {self.lines:,} lines")
            self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\x1b[K")  # leave the line to the summary


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.filters is None and args.trigger is None and args.expression is None:
        print("fql filter: give an FQL expression, --trigger or --filters", file=err)
        return EXIT_ERROR
    if (args.filters is not None or args.trigger is not None) and args.expression is not None:
        args.inputs.insert(0, Path(args.expression))  # the positional was an input file
    try:
        decide = _decider(args, err)
    except FqlError as exc:
        print(exc.render("<rule>"), file=err)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"fql filter: {exc}", file=err)
        return EXIT_ERROR
    missing = missing_input(args.inputs)
    if missing is not None:
        print(f"fql filter: no such file: {missing}", file=err)
        return EXIT_ERROR
    progress = _Progress(err, sum(p.stat().st_size for p in args.inputs if not is_stdin(p))) \
        if err.isatty() and args.inputs else None
    with contextlib.ExitStack() as stack:
        kept_out = stack.enter_context(args.output.open("w", encoding="utf-8")) \
            if args.output else out
        dropped_out = stack.enter_context(args.dropped.open("w", encoding="utf-8")) \
            if args.dropped else None
        counts = _stream(args, decide, kept_out, dropped_out, err, progress)
    if progress is not None:
        progress.close()
    print(f"read {counts['read']}, kept {counts['kept']}, dropped {counts['dropped']}, "
          f"invalid {counts['invalid']}", file=err)
    return EXIT_FINDINGS if counts["invalid"] else EXIT_OK


def _stream(args: argparse.Namespace, decide: Decide, kept_out: TextIO,
            dropped_out: TextIO | None, err: TextIO, progress: _Progress | None,
            ) -> dict[str, int]:
    """The per-line loop: one event in memory at a time."""
    counts = {"read": 0, "kept": 0, "dropped": 0, "invalid": 0}
    for name, number, line in input_lines(args.inputs):
        if progress is not None:
            progress.advance(len(line))
        if not line.strip():
            continue
        counts["read"] += 1
        try:
            event = loads(line)
            kept, reason = decide(event)
        except (ValueError, FqlError) as exc:
            counts["invalid"] += 1
            print(f"{name}:{number}: invalid line: {exc}", file=err)
            if args.fail_fast:
                break
            continue
        if kept is not None:
            counts["kept"] += 1
            kept_out.write(dumps(kept) + "\n")
        else:
            counts["dropped"] += 1
            if dropped_out is not None:
                dropped_out.write(dumps({"file": name, "line": number, "reason": reason,
                                         "event": event}) + "\n")
    return counts
