"""fql map MAPPING [INPUT...]: apply a Destination Actions mapping (a JSON file) to each
JSON Lines event and write the payloads, one per line.

--trigger TEXT maps only the events the trigger matches (the others are counted as
skipped); it is read as FQL reads it unless --trigger-mode segment, and a note says
when Segment's trigger parser reads it differently. An event the mapping throws on (as
Segment's kit would) is reported with its line number and counted as failed; a bad line
(malformed, too deep, not an object) is reported as by fql filter and counted as
invalid; the run goes on. The summary is "read N, mapped N, skipped N, failed N,
invalid N". Exit 0, 1 when some line failed or was invalid, 2 for an invalid mapping or
trigger.

examples:
  fql map examples/mapping.json examples/events.jsonl
  fql map --trigger 'type = "track"' examples/mapping.json examples/events.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from actions.mapping.errors import MappingRuntimeError

from .. import FqlError
from ..datafile import load_json
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import Stream, Writer, dumps, loads_event, missing_input

NAME = "map"
HELP = "Apply a Destination Actions mapping to JSON Lines events."


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql map`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("mapping", type=Path, help="the mapping JSON file")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files (default stdin)")
    parser.add_argument("--trigger", help="map only events this trigger matches")
    parser.add_argument("--trigger-mode", choices=("default", "segment"), default="default",
                        help="read the trigger as FQL does (default) or as Segment's "
                             "trigger parser does")
    parser.add_argument("--extensions", action="store_true",
                        help="allow the non-portable extensions (JSONPath, @coalesce)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql map`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    import actions

    from .trigger_reading import parse, reading_notes

    try:
        mapping = actions.compile_mapping(load_json(args.mapping.read_text(encoding="utf-8")),
                                          extensions=args.extensions)
        trigger = parse(args.trigger, args.trigger_mode) if args.trigger else None
    except (actions.MappingError, FqlError) as exc:
        print(f"{args.mapping}: {exc}", file=err)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"fql map: {exc}", file=err)
        return EXIT_ERROR
    missing = missing_input(args.inputs)
    if missing is not None:
        print(f"fql map: no such file: {missing}", file=err)
        return EXIT_ERROR
    for note in reading_notes(args.trigger, args.trigger_mode) if args.trigger else ():
        print(note, file=err)
    mapped = skipped = failed = 0
    writer = Writer(out)
    stream = Stream(args.inputs, err)
    try:
        for name, number, line in stream.lines():
            try:
                if trigger is not None:
                    event = loads_event(line)
                    if not trigger.matches(event):
                        skipped += 1
                        continue
                    payload = mapping.apply(event)
                else:
                    payload = mapping.apply_json(line)
                text = dumps(payload)
            except MappingRuntimeError as exc:  # the mapping throws, as Segment's kit
                failed += 1
                print(f"{name}:{number}: {exc}", file=err)
                continue
            except (actions.MappingError, FqlError) as exc:  # not an event it can read
                stream.reject(name, number, line, _as_fql(exc))
                continue
            writer.text(text)
            mapped += 1
    finally:
        stream.close()
        writer.flush()
    print(f"read {stream.read}, mapped {mapped}, skipped {skipped}, failed {failed}, "
          f"invalid {stream.invalid}", file=err)
    return EXIT_FINDINGS if failed or stream.invalid else EXIT_OK


def _as_fql(exc: Exception) -> FqlError:
    """A mapping's input error in the stream's wording (its code and message)."""
    if isinstance(exc, FqlError):
        return exc
    problems = getattr(exc, "problems", ())
    message = problems[0].message if problems else str(exc)
    return FqlError(message, code=getattr(exc, "code", "MAP302"))
