"""Routing throughput: one event to 20 destinations × 5 Actions mappings whose
triggers share fields (``type``, ``event``, ``properties.revenue``, ``traits.email``).

Usage: ``python -m benchmarks.compare_routing [--rounds R] [--events N]``.

Two measurements, each a median ratio over rounds (lower is better for the router):

* trigger stage: the router's :class:`~fql.routing.triggers.TriggerSet` answering all
  100 mappings against a naive loop calling ``trigger.matches`` 100 times;
* whole route: ``Router.route`` against the same router evaluating every trigger
  separately, and against a bare loop of ``trigger.matches`` + ``mapping.apply`` that
  skips every routing stage (consent, integrations object, filters, result records).

Every variant's answers are checked equal before timing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import actions
from fql.routing import Router
from fql.routing.triggers import TriggerSet

from .events import EVENT_NAMES, generate

TRIGGERS = [
    *(f'type = "track" and event = "{name}"' for name in EVENT_NAMES),
    'type = "page"',
    'type = "screen" or type = "page"',
    'type = "identify" and traits.email != null',
    'type = "group"',
    'type = "track" and properties.revenue > 100',
    'type = "track" and event = "Order Completed" and properties.revenue > 50',
    'type = "track" and (event = "Product Added" or event = "Product Removed")',
]
DESTINATIONS, MAPPINGS = 20, 5


def workspace() -> dict[str, Any]:
    """Mapping k of destination i uses trigger (7i + k) mod n: every trigger text is
    used several times, and they share fields."""
    return {"destinations": [
        {"name": f"dest-{i}", "mappings": [
            {"name": f"m{k}", "trigger": TRIGGERS[(7 * i + k) % len(TRIGGERS)],
             "mapping": {"id": {"@path": "$.messageId"}, "k": k}} for k in range(MAPPINGS)]}
        for i in range(DESTINATIONS)]}


def mapping_triggers(config: dict[str, Any]) -> list[Any]:
    return [actions.Trigger.parse(m["trigger"])
            for d in config["destinations"] for m in d["mappings"]]


def naive_triggers(triggers: list[Any]) -> Callable[[dict[str, Any]], list[bool]]:
    def answer(event: dict[str, Any]) -> list[bool]:
        return [t.matches(event) for t in triggers]

    return answer


def shared_triggers(triggers: list[Any]) -> Callable[[dict[str, Any]], list[bool | str]]:
    shared = TriggerSet()
    ids = [shared.add(t) for t in triggers]

    def answer(event: dict[str, Any]) -> list[bool | str]:
        answers = shared.answers(event)
        return [answers.get(i) for i in ids]

    return answer


def bare_loop(config: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    compiled = [(d["name"], [(actions.Trigger.parse(m["trigger"]),
                              actions.compile_mapping(m["mapping"])) for m in d["mappings"]])
                for d in config["destinations"]]

    def route(event: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(name, [m.apply(event) for t, m in pairs if t.matches(event)])
                for name, pairs in compiled]

    return route


def ratio(fast: Callable[[Any], Any], slow: Callable[[Any], Any], events: list[Any],
          rounds: int) -> float:
    def timed(fn: Callable[[Any], Any]) -> float:
        start = time.perf_counter()
        for event in events:
            fn(event)
        return time.perf_counter() - start

    return statistics.median(timed(fast) / timed(slow) for _ in range(rounds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)
    config = workspace()
    triggers = mapping_triggers(config)
    naive, shared = naive_triggers(triggers), shared_triggers(triggers)
    router, separate = Router(config), Router(config, share_triggers=False)
    loop = bare_loop(config)
    events = generate(args.events)
    for event in events:
        assert shared(event) == naive(event)
        ours = [(d.destination, list(d.payloads)) for d in router.route(event).deliveries]
        assert ours == loop(event)
    evaluations = statistics.mean(router.route(e).trigger_evaluations for e in events)
    print(f"{DESTINATIONS} destinations x {MAPPINGS} mappings, "
          f"{len(set(map(str, triggers)))} distinct trigger texts, {len(events)} events, "
          f"median of {args.rounds} rounds")
    print(f"trigger evaluations per event: shared {evaluations:.2f}, naive "
          f"{len(triggers)}")
    print(f"trigger stage, shared / naive loop of trigger.matches x {len(triggers)}: "
          f"{ratio(shared, naive, events, args.rounds):.2f}")
    print(f"route, shared / each trigger separately: "
          f"{ratio(router.route, separate.route, events, args.rounds):.2f}")
    print(f"route / bare loop without routing stages: "
          f"{ratio(router.route, loop, events, args.rounds):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
