"""fql filter [EXPR] [INPUT...]: stream JSON Lines through an FQL expression, a trigger
or a destination-filter file and write the events that pass.

The rule is an FQL expression (the first argument), --trigger TEXT (a Destination
Actions trigger, read as FQL reads it unless --trigger-mode segment; a note says when
Segment's trigger parser reads it differently), or --filters FILE (the Public API's
destination-filter JSON). Kept events go to stdout (or --output); --dropped FILE
receives the others as {"file": ..., "line": N, "reason": ..., "event": ...}. A
malformed line (not JSON, not UTF-8, not an object) is reported on stderr with its line
number and counted as invalid; --fail-fast stops at the first one instead. A summary
line (read / kept / dropped / invalid) ends the run on stderr; a progress bar is drawn
on stderr when it is a terminal and the input is files. Memory stays constant. Exit 0,
or 1 when some line was invalid, 2 on usage errors.

examples:
  fql filter 'type = "track" and properties.revenue > 100' examples/events.jsonl
  fql filter --trigger 'type = "track"' examples/events.jsonl > tracks.jsonl
  fql filter --filters examples/filters.json --dropped dropped.jsonl examples/events.jsonl
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
    # One positional list, split in :func:`split_arguments`: two positionals (an
    # optional expression, then files) cannot take files given after an option.
    parser.add_argument("arguments", nargs="*", metavar="[EXPR] FILE",
                        help="an FQL expression (unless --trigger or --filters is given), "
                             "then JSON Lines files (default stdin)")
    parser.add_argument("--trigger", help="a Destination Actions trigger instead of FQL")
    parser.add_argument("--trigger-mode", choices=("default", "segment"), default="default",
                        help="read the trigger as FQL does (default) or as Segment's "
                             "trigger parser does")
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
        from .trigger_reading import parse

        trigger = parse(args.trigger, args.trigger_mode)
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


def split_arguments(args: argparse.Namespace) -> str | None:
    """Set ``args.expression`` and ``args.inputs`` from the positional arguments; the
    usage error, if any. With --trigger or --filters every positional is a file;
    otherwise the first is the expression, and a first argument that names a file is
    a forgotten expression, not FQL."""
    positional = list(args.arguments)
    rule_option = args.filters is not None or args.trigger is not None
    if rule_option:
        args.expression = None
        if args.filters is not None and args.trigger is not None:
            return "give --trigger or --filters, not both"
        missing = next((a for a in positional if not Path(a).exists()), None)
        if missing is not None and not missing.endswith((".json", ".jsonl")) and \
                any(c in missing for c in "=<>!( "):
            return (f"{missing!r} looks like an FQL expression, but --trigger or --filters "
                    "gives the rule: give one or the other")
    else:
        if not positional:
            return "give an FQL expression, --trigger or --filters"
        args.expression = positional.pop(0)
        if Path(args.expression).is_file() or args.expression.endswith((".json", ".jsonl")):
            return (f"{args.expression!r} is a file: give the FQL expression first "
                    f"(fql filter 'type = \"track\"' {args.expression}), or --trigger / "
                    "--filters")
    args.inputs = [Path(a) for a in positional]
    return None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problem = split_arguments(args)
    if problem is not None:
        print(f"fql filter: {problem}", file=err)
        return EXIT_ERROR
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
    if args.trigger is not None:
        from .trigger_reading import reading_notes

        for note in reading_notes(args.trigger, args.trigger_mode):
            print(note, file=err)
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
