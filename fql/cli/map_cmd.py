"""fql map MAPPING [INPUT...]: apply a Destination Actions mapping (a JSON file) to each
JSON Lines event and write the payloads, one per line.

--trigger TEXT maps only the events the trigger matches (the others are counted as
skipped); it is read as FQL reads it unless --trigger-mode segment, and a note says
when Segment's trigger parser reads it differently. A malformed line, or an event the
mapping throws on (as Segment's kit would), is reported with its line number and
counted; the run goes on. Exit 0, 1 when some line failed, 2 for an invalid mapping or
trigger.

examples:
  fql map examples/mapping.json examples/events.jsonl
  fql map --trigger 'type = "track"' examples/mapping.json examples/events.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .. import FqlError
from ..datafile import load_json
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import dumps, input_lines, loads, missing_input

NAME = "map"
HELP = "Apply a Destination Actions mapping to JSON Lines events."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mapping", type=Path, help="the mapping JSON file")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files (default stdin)")
    parser.add_argument("--trigger", help="map only events this trigger matches")
    parser.add_argument("--trigger-mode", choices=("default", "segment"), default="default",
                        help="read the trigger as FQL does (default) or as Segment's "
                             "trigger parser does")
    parser.add_argument("--extensions", action="store_true",
                        help="allow the non-portable extensions (JSONPath, @coalesce)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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
    for name, number, line in input_lines(args.inputs):
        if not line.strip():
            continue
        try:
            event = loads(line)
            if trigger is not None and not trigger.matches(event):
                skipped += 1
                continue
            out.write(dumps(mapping.apply(event)) + "\n")
            mapped += 1
        except (ValueError, actions.MappingError, FqlError) as exc:
            failed += 1
            print(f"{name}:{number}: {exc}", file=err)
    print(f"mapped {mapped}, skipped {skipped}, failed {failed}", file=err)
    return EXIT_FINDINGS if failed else EXIT_OK
