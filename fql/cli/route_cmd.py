"""fql route --config FILE [INPUT...]: route JSON Lines events through a workspace
configuration and write one line per (destination, payload):
{"line": N, "destination": ..., "payload": {...}}. With --reasons a line is also written
for every destination that sends nothing, with its reason. A summary ends the run on
stderr: the events read, then the reasons per destination. Exit 0, 1 when some line was
invalid, 2 for an invalid configuration (every error printed at its place, rules
included).

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
from pathlib import Path
from typing import Any, TextIO

from .. import FqlError
from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .jsonio import dumps, input_lines, loads

NAME = "route"
HELP = "Route JSON Lines events to every destination of a workspace configuration."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="workspace JSON/YAML")
    parser.add_argument("inputs", nargs="*", type=Path, help="JSON Lines files (default stdin)")
    parser.add_argument("--reasons", action="store_true",
                        help="also write a line for each destination that sends nothing")
    parser.add_argument("--explain", action="store_true",
                        help="explain how one event goes through each destination's stages")
    parser.add_argument("--line", type=int, default=1, metavar="N",
                        help="with --explain: the event on line N of the input (default 1)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..routing import Router, RoutingError, load_config

    try:
        router = Router(load_config(args.config))
    except RoutingError as exc:
        for problem in exc.problems:
            print(f"{args.config}: {problem}", file=err)
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"fql route: {exc}", file=err)
        return EXIT_ERROR
    if args.explain:
        return _explain(router, args, out, err)
    summary: Counter[tuple[str, str]] = Counter()
    invalid = read = 0
    for name, number, line in input_lines(args.inputs):
        if not line.strip():
            continue
        read += 1
        try:
            result = router.route(loads(line))
        except (ValueError, FqlError) as exc:
            invalid += 1
            print(f"{name}:{number}: invalid line: {exc}", file=err)
            continue
        for delivery in result.deliveries:
            for payload in delivery.payloads:
                out.write(dumps({"line": number, "destination": delivery.destination,
                                 "payload": payload}) + "\n")
            summary[(delivery.destination, delivery.reason or "sent")] += (
                len(delivery.payloads) or 1)
            if args.reasons and not delivery.payloads:
                out.write(dumps({"line": number, "destination": delivery.destination,
                                 "reason": delivery.reason, "detail": delivery.detail}) + "\n")
    print(f"read {read} event{'s' if read != 1 else ''}", file=err)
    for (destination, reason), count in sorted(summary.items()):
        print(f"{destination}: {reason}: {count}", file=err)
    if invalid:
        print(f"invalid lines: {invalid}", file=err)
    return EXIT_FINDINGS if invalid else EXIT_OK


def _explain(router: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..routing.explain import explain_route

    if len(args.inputs) > 1:
        print("fql route: --explain reads one input (the event's file)", file=err)
        return EXIT_ERROR
    where, event = None, None
    if args.inputs:
        try:  # a file holding one (pretty-printed) event
            event, where = loads(args.inputs[0].read_bytes()), str(args.inputs[0])
        except ValueError:
            event = None
        except OSError as exc:
            print(f"fql route: {exc}", file=err)
            return EXIT_ERROR
    if where is None:
        for name, number, line in input_lines(args.inputs):
            if number == args.line:
                try:
                    event, where = loads(line), f"{name}:{number}"
                except ValueError as exc:
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
