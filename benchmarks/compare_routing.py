"""Routing throughput: one event to 20 destinations × 5 mappings whose triggers share
fields (and texts).

Usage: ``python -m benchmarks.compare_routing [--rounds R]``. Prints two ratios, each
(router with shared triggers / baseline): against the same router evaluating every
mapping's trigger separately (the cost of the sharing itself), and against a bare loop
of trigger.matches + mapping.apply with none of the routing stages (consent,
integrations object, filters, result records). All produce the same payloads (checked
before timing).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import actions
from fql.routing import Router

from .events import generate

TRIGGERS = [
    'type = "track" and event = "Order Completed"',
    'type = "track" and match(event, "Product *")',
    'type = "page"',
    'type = "identify" and traits.email != null',
    'type = "track" and properties.revenue > 100',
]


def workspace() -> dict[str, Any]:
    return {"destinations": [
        {"name": f"dest-{i}", "mappings": [
            {"name": f"m{j}", "trigger": TRIGGERS[(i + j) % len(TRIGGERS)],
             "mapping": {"id": {"@path": "$.messageId"}, "n": j}} for j in range(5)]}
        for i in range(20)]}


def naive(config: dict[str, Any]) -> Any:
    compiled = [(d["name"], [(actions.Trigger.parse(m["trigger"]),
                              actions.compile_mapping(m["mapping"])) for m in d["mappings"]])
                for d in config["destinations"]]

    def route(event: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(name, [m.apply(event) for t, m in pairs if t.matches(event)])
                for name, pairs in compiled]

    return route


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)
    config = workspace()
    router = Router(config)
    unshared = Router(config, share_triggers=False)
    loop = naive(config)
    events = generate(args.events)
    for event in events:
        ours = [(d.destination, list(d.payloads)) for d in router.route(event).deliveries]
        assert ours == loop(event)

    def timed(fn: Any) -> float:
        start = time.perf_counter()
        for event in events:
            fn(event)
        return time.perf_counter() - start

    against_unshared = [timed(router.route) / timed(unshared.route) for _ in range(args.rounds)]
    against_loop = [timed(router.route) / timed(loop) for _ in range(args.rounds)]
    evaluations = statistics.mean(router.route(e).trigger_evaluations for e in events)
    separate = statistics.mean(unshared.route(e).trigger_evaluations for e in events)
    print(f"20 destinations x 5 mappings, {len(TRIGGERS)} distinct triggers, "
          f"{len(events)} events, median of {args.rounds} rounds")
    print(f"trigger evaluations per event: shared {evaluations:.1f}, separate {separate:.1f}")
    print(f"router / router evaluating each trigger separately: "
          f"{statistics.median(against_unshared):.2f}")
    print(f"router / bare loop without routing stages: {statistics.median(against_loop):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
