"""Routing at workspace scale, and the command line's JSON Lines throughput.

Usage: ``python -m benchmarks.scale_routing [--rounds R] [--events N] [--lines L]
[--sizes 10,100,1000,5000] [--skip-cli]``.

1. **Scaling.** Generated workspaces of 10, 100, 1000 and 5000 destinations: Actions
   destinations with 1-3 mappings each, every 10th with a destination filter, every 4th
   bound to a consent category, one source-scoped transformation, and 3 classic
   destinations with filters. Whatever the size, each event can match the same few
   destinations: 8 Actions destinations whose triggers name the generator's event names
   (and one on ``type = "page"``); the others' triggers name events that never occur.
   Per size: ``Router.route`` in µs per event (payloads read, as a caller would), against
   a plain loop over every destination's compiled triggers + mapping (no consent,
   integrations, filters or result records: a lower bound on the work of a naive
   router); and the construction time per destination (one build, strict).
2. **Actions only.** The same at 1000 destinations without classic destinations,
   filters or consent: the "≤ 50 µs per event" target.
3. **CLI throughput** (each a separate process; CPU time of the process, start-up
   included): ``fql filter W1`` and ``fql route --config examples/workspace.yaml`` over
   generated JSON Lines, against, in this process, a loop of ``orjson.loads`` + the
   hand-written W1 test writing kept lines, and a loop of ``orjson.loads`` alone.

Medians over rounds; the machine is shared, so only ratios measured in the same run
mean something.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import actions
from fql.routing import Router

from .events import EVENT_NAMES, generate
from .workloads import W1, hand_w1

ROOT = Path(__file__).resolve().parent.parent


def workspace(size: int, *, classic: bool = True, extras: bool = True) -> dict[str, Any]:
    """``size`` destinations (see the module doc)."""
    destinations: list[dict[str, Any]] = []
    live = [f'type = "track" and event = "{name}"' for name in EVENT_NAMES] + ['type = "page"']
    n_classic = 3 if classic else 0
    for i in range(size - n_classic):
        k = 1 + i % 3
        if i < len(live):
            triggers = [live[i]] + [f'type = "track" and event = "Never {i}-{j}"'
                                    for j in range(1, k)]
        else:
            triggers = [f'type = "track" and event = "Never {i}-{j}"' for j in range(k)]
        dest: dict[str, Any] = {"name": f"actions-{i}", "id": f"a{i}", "mappings": [
            {"name": f"m{j}", "trigger": t,
             "mapping": {"id": {"@path": "$.messageId"}, "user": {"@path": "$.userId"},
                         "revenue": {"@path": "$.properties.revenue"}, "k": j, "dest": i}}
            for j, t in enumerate(triggers)]}
        if extras and i % 10 == 9:
            dest["filters"] = [{"if": "length(userId) < 1", "actions": [{"type": "DROP"}]}]
        if extras and i % 4 == 3:
            dest["consentCategories"] = ["advertising"]
        destinations.append(dest)
    for i in range(n_classic):
        destinations.append({"name": f"classic-{i}", "consentCategories": ["analytics"],
                             "filters": [{"if": "all", "actions": [
                                 {"type": "DROP_PROPERTIES",
                                  "fields": {"properties": ["email"]}}]}]})
    return {
        "consentCategories": [{"id": "analytics"}, {"id": "advertising"}],
        "transformations": [{"name": "rename", "sourceId": "web", "enabled": True,
                             "if": "event = 'order_completed'",
                             "newEventName": "Order Completed"}] if extras else [],
        "destinations": destinations,
    }


def plain_loop(config: dict[str, Any]) -> Any:
    compiled = [[(actions.Trigger.parse(m["trigger"]), actions.compile_mapping(m["mapping"]))
                 for m in d.get("mappings", [])] for d in config["destinations"]]

    def run(event: dict[str, Any]) -> int:
        sent = 0
        for pairs in compiled:
            for trigger, mapping in pairs:
                if trigger.matches(event):
                    mapping.apply(event)
                    sent += 1
        return sent

    return run


def route_all(router: Router) -> Any:
    def run(event: dict[str, Any]) -> int:
        return sum(len(d.payloads) for d in router.route(event).sending())

    return run


def per_event_us(fn: Any, events: list[dict[str, Any]], rounds: int) -> float:
    gc.collect()  # the previous workspace's garbage is not this one's cost
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for event in events:
            fn(event)
        times.append((time.perf_counter() - start) / len(events) * 1e6)
    return statistics.median(times)


def scaling(sizes: list[int], events: list[dict[str, Any]], rounds: int) -> list[str]:
    out = ["| destinations | build ms/destination | `route` µs/event | plain loop µs/event "
           "| route / plain | route / route at 10 | sent per event |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    base = None
    for size in sizes:
        config = workspace(size)
        builds = []
        for _ in range(3 if size <= 1000 else 1):
            start = time.perf_counter()
            router = Router.load(config)
            builds.append((time.perf_counter() - start) / size * 1e3)
        route = route_all(router)
        sent = sum(route(e) for e in events) / len(events)
        ours = per_event_us(route, events, rounds)
        plain = per_event_us(plain_loop(config), events, max(1, rounds // 2 if size > 1000
                                                               else rounds))
        base = base or ours
        out.append(f"| {size} | {statistics.median(builds):.3f} | {ours:.1f} | {plain:.1f} | "
                   f"{ours / plain:.3f} | {ours / base:.2f} | {sent:.2f} |")
    return out


def actions_only(events: list[dict[str, Any]], rounds: int) -> list[str]:
    out = []
    for size in (10, 1000):
        config = workspace(size, classic=False, extras=False)
        router = Router.load(config)
        ours = per_event_us(route_all(router), events, rounds)
        plain = per_event_us(plain_loop(config), events, rounds)
        out.append(f"| {size} Actions only | {ours:.1f} | {plain:.1f} | {ours / plain:.3f} |")
    return ["| workspace | `route` µs/event | plain loop µs/event | route / plain |",
            "|---|---:|---:|---:|", *out]


def cpu_of(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_in_process(fn: Any) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def cli(lines: int, rounds: int) -> list[str]:
    import orjson

    events = generate(lines, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "events.jsonl"
        source.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
        fql_bin = [sys.executable, "-m", "fql"]

        def orjson_w1() -> None:
            out = io.BytesIO()
            with source.open("rb") as stream:
                for line in stream:
                    if hand_w1(orjson.loads(line)):
                        out.write(line)

        def orjson_only() -> None:
            with source.open("rb") as stream:
                for line in stream:
                    orjson.loads(line)

        from fql.cli import main as fql_main

        def in_process(*argv: str) -> Any:
            return lambda: fql_main(list(argv), io.StringIO(), io.StringIO())

        filter_argv = ["filter", W1, str(source), "-o", os.devnull]
        route_argv = ["route", "--config", str(ROOT / "examples" / "workspace.yaml"),
                      str(source)]
        rows: dict[str, list[float]] = {k: [] for k in (
            "filter", "filter-in", "w1", "route", "route-in", "loads")}
        for _ in range(rounds):
            rows["filter"].append(cpu_of([*fql_bin, *filter_argv]))
            rows["filter-in"].append(cpu_in_process(in_process(*filter_argv)))
            rows["w1"].append(cpu_in_process(orjson_w1))
            rows["route"].append(cpu_of([*fql_bin, *route_argv]))
            rows["route-in"].append(cpu_in_process(in_process(*route_argv)))
            rows["loads"].append(cpu_in_process(orjson_only))
        rate = {k: lines / statistics.median(v) for k, v in rows.items()}
    return [
        "| command | lines/s (CPU) | comparison in the same run | ratio | target |",
        "|---|---:|---|---:|---:|",
        f"| `fql filter W1`, own process (start-up included) | {rate['filter']:,.0f} | "
        f"orjson.loads + hand-written W1: {rate['w1']:,.0f} | "
        f"{rate['filter'] / rate['w1']:.2f} | ≥ 2 |",
        f"| `fql filter W1`, in process (`main`) | {rate['filter-in']:,.0f} | same | "
        f"{rate['filter-in'] / rate['w1']:.2f} | ≥ 2 |",
        f"| `fql route` (examples/workspace.yaml), own process | {rate['route']:,.0f} | "
        f"orjson.loads alone: {rate['loads']:,.0f} | {rate['route'] / rate['loads']:.2f} "
        "| ≥ 0.5 |",
        f"| `fql route`, in process | {rate['route-in']:,.0f} | same | "
        f"{rate['route-in'] / rate['loads']:.2f} | ≥ 0.5 |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    events = json.loads(json.dumps(generate(args.events, seed=7)))  # as a parser gives them
    import fql

    print(f"backend {fql.BACKEND}, {args.events} events, median of {args.rounds} rounds")
    print("\n".join(scaling([int(s) for s in args.sizes.split(",")], events, args.rounds)))
    print()
    print("\n".join(actions_only(events, args.rounds)))
    if not args.skip_cli:
        print()
        print(f"{args.lines:,} lines, median of {args.rounds} rounds")
        print("\n".join(cli(args.lines, args.rounds)))


if __name__ == "__main__":
    main()
