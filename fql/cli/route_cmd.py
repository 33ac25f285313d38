"""fql route --config FILE [INPUT...]: route JSON Lines events through a workspace
configuration and write one line per (destination, payload):
{"line": N, "destination": ..., "payload": {...}}. With --reasons a line is also written
for every destination that sends nothing, with its reason. A summary of reasons per
destination and a "read N, routed N, invalid N" line end the run on stderr; a bad line
is reported with its line number and the stream goes on; a progress bar is drawn on
stderr when it is a terminal. Exit 0, 1 when some line was invalid, 2 for an invalid
configuration (every error printed at its place, rules included).

--explain prints, for one event (line --line N of the input, or a file holding one
JSON event), each destination's path through the stages: consent, the integrations
object, each filter with the value of its condition, transformations, and each
mapping's trigger with the part of it that decided.

examples:
  fql route --config examples/workspace.yaml examples/routing-events.jsonl
  fql route --config examples/workspace.yaml --reasons examples/routing-events.jsonl
  fql route --config examples/workspace.yaml --explain --line 3 examples/routing-events.jsonl
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .. import FqlError
from ..jsontext import loads
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import Stream, Writer, dumps, input_lines, missing_input

if TYPE_CHECKING:
    from ..routing import Delivery

NAME = "route"
HELP = "Route JSON Lines events to every destination of a workspace configuration."


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``fql route`` on its subcommand parser; the command table of
    :mod:`fql.cli` calls this once when it builds the parser.
    """
    parser.add_argument("--config", type=Path, required=True, help="workspace JSON/YAML")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files (default stdin)")
    parser.add_argument("--reasons", action="store_true",
                        help="also write a line for each destination that sends nothing")
    parser.add_argument("--explain", action="store_true",
                        help="explain how one event goes through each destination's stages")
    parser.add_argument("--line", type=int, default=1, metavar="N",
                        help="with --explain: the event on line N of the input (default 1)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``fql route`` with the parsed ``args``, writing results to ``out`` and problems to
    ``err``; returns the exit code of the module doc. It never calls ``sys.exit``, so tests
    and embedding programs can call it directly.
    """
    from ..routing import NO_MATCHING_MAPPING, Router, RoutingError

    try:
        router = Router.load(args.config)
    except RoutingError as exc:
        for problem in exc.problems:
            print(f"{args.config}: {problem}", file=err)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"fql route: {exc}", file=err)
        return EXIT_ERROR
    if args.explain:
        return _explain(router, args, out, err)
    missing = missing_input(args.inputs)
    if missing is not None:
        print(f"fql route: no such file: {missing}", file=err)
        return EXIT_ERROR
    summary: Counter[tuple[str, str]] = Counter()
    explicit: Counter[str] = Counter()  # events per destination not "No matching mapping"
    routed = 0
    writer = Writer(out)
    stream = Stream(args.inputs, err)
    try:
        for name, number, line in stream.lines():
            try:
                result = router.route_json(line)
                deliveries = result.deliveries if args.reasons else result.explicit()
                texts = [dumps(record)
                         for record in _records(deliveries, number, args.reasons)]
            except FqlError as exc:  # not an event, or a payload that cannot be written
                stream.reject(name, number, line, exc)
                continue
            for text in texts:
                writer.text(text)
            routed += 1
            for delivery in deliveries:
                if delivery.reason == NO_MATCHING_MAPPING:
                    continue  # counted below, from the others
                explicit[delivery.destination] += 1
                summary[(delivery.destination, delivery.reason or "sent")] += (
                    len(delivery.payload_views()) or 1)
    finally:
        stream.close()
        writer.flush()
    # Every Actions destination's event that got nothing else got "No matching mapping":
    # counted without visiting each destination for each event.
    for route in router.routes:
        unmatched = routed - explicit[route.config.name]
        if route.actions is not None and unmatched:
            summary[(route.config.name, NO_MATCHING_MAPPING)] += unmatched
    for (destination, reason), count in sorted(summary.items()):
        print(f"{destination}: {reason}: {count}", file=err)
    print(f"read {stream.read}, routed {routed}, invalid {stream.invalid}", file=err)
    return EXIT_FINDINGS if stream.invalid else EXIT_OK


def _records(deliveries: Sequence[Delivery], number: int,
             reasons: bool) -> list[dict[str, Any]]:
    """The output records of one routed event. Payloads are read as views (serialised
    here, never changed), so a classic destination's event is not copied for it."""
    records: list[dict[str, Any]] = []
    for delivery in deliveries:
        views = delivery.payload_views()
        for payload in views:
            records.append({"line": number, "destination": delivery.destination,
                            "payload": payload})
        if reasons and not views:
            records.append({"line": number, "destination": delivery.destination,
                            "reason": delivery.reason, "detail": delivery.detail})
    return records


def _explain(router: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..routing.explain import explain_route

    if len(args.inputs) > 1:
        print("fql route: --explain reads one input (the event's file)", file=err)
        return EXIT_ERROR
    where, event = None, None
    if args.inputs:
        try:  # a file holding one (pretty-printed) event
            event, where = loads(args.inputs[0].read_bytes()), str(args.inputs[0])
        except (ValueError, FqlError):
            event = None
        except OSError as exc:
            print(f"fql route: {exc}", file=err)
            return EXIT_ERROR
    if where is None:
        for name, number, line in input_lines(args.inputs):
            if number == args.line:
                try:
                    event, where = loads(line), f"{name}:{number}"
                except (ValueError, FqlError) as exc:
                    print(f"{name}:{number}: not a JSON event: {exc}", file=err)
                    return EXIT_ERROR
                break
        if where is None:
            print(f"fql route: the input has no line {args.line}", file=err)
            return EXIT_ERROR
    print(f"event {where}", file=out)
    explained = explain_route(router, event)
    for step in explained.source_steps:
        print(f"  {step}", file=out)
    for explanation in explained.destinations:
        print(f"{explanation.destination}: {explanation.outcome()}", file=out)
        for step in explanation.steps:
            print(f"  {step}", file=out)
    return EXIT_OK
