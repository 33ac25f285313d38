"""``fql route --config FILE [INPUT...]``: route JSON Lines events through a workspace
configuration and write one line per (destination, payload):
``{"line": N, "destination": ..., "payload": {...}}``. With ``--reasons`` a line is also
written for every destination that sends nothing, with its reason. A summary of reasons
per destination ends the run on stderr. Exit 0, 1 when some line was invalid, 2 for an
invalid configuration (every error printed at its place, rules included).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TextIO

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
    summary: Counter[tuple[str, str]] = Counter()
    invalid = 0
    for name, number, line in input_lines(args.inputs):
        if not line.strip():
            continue
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
    for (destination, reason), count in sorted(summary.items()):
        print(f"{destination}: {reason}: {count}", file=err)
    if invalid:
        print(f"invalid lines: {invalid}", file=err)
    return EXIT_FINDINGS if invalid else EXIT_OK
