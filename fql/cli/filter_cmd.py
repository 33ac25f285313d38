"""fql filter [EXPR] [INPUT...]: stream JSON Lines through an FQL expression, a trigger
or a destination-filter file and write the events that pass.

The rule is an FQL expression (the first argument), --trigger TEXT (a Destination
Actions trigger, read as FQL reads it unless --trigger-mode segment; a note says when
Segment's trigger parser reads it differently), or --filters FILE (the Public API's
destination-filter JSON). Kept events go to stdout (or --output); --dropped FILE
receives the others as {"file": ..., "line": N, "reason": ..., "event": ...}. A
malformed line (not JSON, not UTF-8, not an object) is reported on stderr with its line
number and counted as invalid (and written to --dropped with its reason); --fail-fast
stops at the first one instead. A summary line (read / kept / dropped / invalid) ends
the run on stderr; a progress bar (lines, rate, elapsed, share of the input bytes) is
drawn on stderr when it is a terminal. A kept event is written as the very bytes of its
input line (only destination filters that remove fields write a new event). With an FQL
expression or a trigger (and no --dropped), only the top-level fields it reads are
decoded, the rest of the line validated and skipped (msgspec, the [fast] extra), with a
full decode for any line that path cannot answer exactly. Memory stays constant: lines
are read as bytes and evaluated in small batches through the rule's batch entry point.
Exit 0, or 1 when some line was invalid, 2 on usage errors.

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
from .jsonio import Stream, Writer, missing_input

NAME = "filter"
HELP = "Keep the JSON Lines events that pass an FQL rule, a trigger or destination filters."

#: (keep?, reason when dropped, the event to write when it is not the input line itself)
Decide = Callable[[Any], tuple[bool, str | None, Any | None]]
#: Many events at once (a kernel's batch entry point), or None when the rule has none.
DecideMany = Callable[[list[Any]], list[bool]] | None

#: Lines decoded and evaluated together through a batch entry point. Small: a batch
#: keeps its events alive, and many live young objects make the collector's passes
#: cost more than the batch saves (512 doubled the time per line).
BATCH = 64


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql filter`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
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


def _decider(args: argparse.Namespace, err: TextIO) -> tuple[Decide, DecideMany, Any]:
    """Compile the rule once; the returned functions run per event (and per batch), and
    a partial decoder when the rule is an FQL expression or a trigger and no
    ``--dropped`` output needs whole events: only the top-level fields it reads are
    decoded."""
    if args.filters is not None:
        from ..filters import FilterList

        filters = FilterList.load(load_json(args.filters.read_text(encoding="utf-8")),
                                  strict=args.strict)
        for problem in filters.errors:  # an invalid filter fails closed: say so
            print(f"{args.filters}: warning: {problem.code} {problem.message} (an enabled "
                  "invalid filter drops every event; --strict makes this an error)", file=err)

        def by_filters(event: Any) -> tuple[bool, str | None, Any | None]:
            result = filters.apply(event)
            if result.dropped:
                assert result.reason is not None  # a dropped result always names its reason
                return (False, f"{result.reason.value}: {result.filter_title or ''}"
                        .rstrip(": "), None)
            # A filter that removed fields changed the event: write the new one.
            return True, None, result.event if result.event is not event else None

        return by_filters, None, None
    if args.trigger is not None:
        from ..jsontext import FieldDecoder
        from .trigger_reading import parse

        trigger = parse(args.trigger, args.trigger_mode)
        partial = None if args.dropped else FieldDecoder(trigger.fields).decode
        return ((lambda event: (trigger.matches(event), "no match", None)),
                trigger.matches_many, partial)
    from .. import compile as compile_fql
    from ..jsontext import FieldDecoder

    expr = compile_fql(args.expression)
    partial = None if args.dropped else FieldDecoder(expr.fields).decode
    return (lambda event: (expr.matches(event), "no match", None)), expr.matches_many, partial


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
    """Run ``fql filter`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    problem = split_arguments(args)
    if problem is not None:
        print(f"fql filter: {problem}", file=err)
        return EXIT_ERROR
    try:
        decide, decide_many, partial = _decider(args, err)
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
    counts = {"kept": 0, "dropped": 0}
    with contextlib.ExitStack() as stack:
        kept_out = Writer(stack.enter_context(args.output.open("wb"))
                          if args.output else out)
        dropped_out = Writer(stack.enter_context(args.dropped.open("wb"))) \
            if args.dropped else None
        stream = Stream(args.inputs, err, rejected=dropped_out, fail_fast=args.fail_fast,
                        partial=partial)
        try:
            _stream(stream, decide, decide_many, kept_out, dropped_out, counts)
        finally:
            stream.close()
            kept_out.flush()
    print(f"read {stream.read}, kept {counts['kept']}, dropped {counts['dropped']}, "
          f"invalid {stream.invalid}", file=err)
    return EXIT_FINDINGS if stream.invalid else EXIT_OK


def _stream(stream: Stream, decide: Decide, decide_many: DecideMany, kept_out: Writer,
            dropped_out: Writer | None, counts: dict[str, int]) -> None:
    """The loop: events in batches of :data:`BATCH` lines through the rule's batch entry
    point when it has one (one by one when a batch holds an event the rule cannot
    read), each kept event written as its input line's own bytes."""
    batch: list[tuple[str, int, bytes, dict[str, Any]]] = []
    for item in stream.events():
        batch.append(item)
        if len(batch) >= BATCH or stream.fail_fast:
            _decide_batch(stream, batch, decide, decide_many, kept_out, dropped_out, counts)
            batch.clear()
            if stream.stopped:
                return
    _decide_batch(stream, batch, decide, decide_many, kept_out, dropped_out, counts)


def _decide_batch(stream: Stream, batch: list[tuple[str, int, bytes, dict[str, Any]]],
                  decide: Decide, decide_many: DecideMany, kept_out: Writer,
                  dropped_out: Writer | None, counts: dict[str, int]) -> None:
    answers: list[bool] | None = None
    if decide_many is not None and len(batch) > 1:
        try:
            answers = decide_many([item[3] for item in batch])
        except FqlError:
            answers = None  # someone in the batch is bad: decide one by one
    reason: str | None
    for i, (name, number, line, event) in enumerate(batch):
        if answers is not None:
            keep, reason, changed = answers[i], "no match", None
        else:
            try:
                keep, reason, changed = decide(event)
            except FqlError as exc:
                stream.reject(name, number, line, exc)
                if stream.stopped:
                    return
                continue
        if keep:
            counts["kept"] += 1
            if changed is None:
                kept_out.raw(line)
            else:
                kept_out.json(changed)
        else:
            counts["dropped"] += 1
            if dropped_out is not None:
                dropped_out.json({"file": name, "line": number, "reason": reason,
                                  "event": event})
