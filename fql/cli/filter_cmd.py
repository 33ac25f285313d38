"""``fql filter RULE [INPUT...]``: stream JSON Lines through an FQL expression, a trigger
or a destination-filter file and write the events that pass.

``RULE`` is an FQL expression, ``--trigger TEXT`` a Destination Actions trigger, or
``--filters FILE`` a destination-filter file (the Public API JSON). Kept events go to
stdout (or ``--output``); ``--dropped FILE`` receives the others as
``{"line": N, "reason": ..., "event": ...}``. A malformed line is reported on stderr with
its line number and counted as invalid; ``--fail-fast`` stops at the first one instead.
A summary line (read / kept / dropped / invalid) ends the run on stderr; a progress
counter is shown on stderr when it is a terminal and the input is a file. Memory stays
constant: one line at a time. Exit 0, or 1 when some line was invalid, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .. import FqlError
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import dumps, loads

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


def _decider(args: argparse.Namespace) -> Decide:
    """Compile the rule once; the returned function runs per event."""
    if args.filters is not None:
        from ..filters import FilterList

        filters = FilterList.load(loads(args.filters.read_text(encoding="utf-8")))

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


def _lines(inputs: list[Path]) -> Iterator[tuple[str, int, str]]:
    if not inputs:
        for number, line in enumerate(sys.stdin, start=1):
            yield "<stdin>", number, line
        return
    for path in inputs:
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                yield str(path), number, line


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.filters is None and args.trigger is None and args.expression is None:
        print("fql filter: give an FQL expression, --trigger or --filters", file=err)
        return EXIT_ERROR
    if (args.filters is not None or args.trigger is not None) and args.expression is not None:
        args.inputs.insert(0, Path(args.expression))  # the positional was an input file
    try:
        decide = _decider(args)
    except FqlError as exc:
        print(exc.render("<rule>"), file=err)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"fql filter: {exc}", file=err)
        return EXIT_ERROR
    progress = err.isatty() and bool(args.inputs)
    counts = {"read": 0, "kept": 0, "dropped": 0, "invalid": 0}
    with contextlib.ExitStack() as stack:
        kept_out = stack.enter_context(args.output.open("w", encoding="utf-8")) \
            if args.output else out
        dropped_out = stack.enter_context(args.dropped.open("w", encoding="utf-8")) \
            if args.dropped else None
        for name, number, line in _lines(args.inputs):
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
                    dropped_out.write(dumps({"line": number, "reason": reason,
                                             "event": event}) + "\n")
            if progress and counts["read"] % 10_000 == 0:
                err.write(f"\r{counts['read']:,} lines")
                err.flush()
    if progress:
        err.write("\r")
    print(f"read {counts['read']}, kept {counts['kept']}, dropped {counts['dropped']}, "
          f"invalid {counts['invalid']}", file=err)
    return EXIT_FINDINGS if counts["invalid"] else EXIT_OK
