"""Print engine/hand-written time ratios for W1-W4 and compile times, in one process.

Usage: ``python -m benchmarks.compare [--events N] [--rounds R] [--parse json|orjson]``

Each ratio is the median over ``R`` rounds of (engine time / hand-written time), both
timed in the same round over the same generated events (each timing repeats its pass
over the events until it lasts about 20 ms). Per-event calls are driven by
``collections.deque(map(fn, events), 0)`` so neither side pays a Python loop; the batch
rows compare ``matches_many(events)`` with the hand-written function called in a Python
list comprehension, as a user would write it. Ratios below 1 mean the engine is faster.

The default, 1,000 events (about 2.4 MB of objects), stays within the last-level cache
of the machine in RESULTS.md though not within its per-core L2 (1 MB), close to an event
just parsed from a request in a service. Fewer events (``--events 100``, within L2)
lower the ratios of the field-heavy workloads; tens of thousands of long-lived events
make every field read a cache miss that both sides pay alike and the ratios drift
toward 1 (``--events 20000``).
Both backends are timed in this one process: the pure-Python twin and the kernel are
built from the same plan directly, whatever ``FQL_PUREPYTHON`` says. Compile times are
absolute: best and median of the rounds.

As ``timeit`` does, the cyclic garbage collector is off while a pass is timed (and runs
between passes): a full collection costs time in proportion to every object alive, the
events included, and would land on whichever side happened to trigger it. Neither side
makes reference cycles, so nothing is left for the collector to find.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import actions
import fql
from actions.mapping.mapping import Mapping, PythonRunner, with_runner
from actions.trigger.plan import compile_tree
from actions.trigger.trigger import matchers
from fql.backend import build_python, kernel_builder, load_kernel
from fql.compiler import to_plan

from .events import generate
from .workloads import FQL_WORKLOADS, TRIGGER_WORKLOADS, W4, hand_w4


def _time(fn: Callable[[], Any], number: int = 1) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def ratio(engine: Callable[[], Any], baseline: Callable[[], Any], rounds: int) -> float:
    """Median over rounds of engine/baseline, the two timed back to back."""
    number = max(1, round(0.02 / max(_time(baseline), 1e-6)))  # also the warm-up
    engine()
    return statistics.median(_time(engine, number) / _time(baseline, number)
                             for _ in range(rounds))


def mapping_backends(source: dict[str, Any]) -> list[tuple[str, Mapping]]:
    """The compiled mapping once per backend: the pure-Python runner, and the kernel's
    when it was built (whatever ``FQL_PUREPYTHON`` says)."""
    kernel = load_kernel("_mapping")
    result = []
    compiled = actions.compile_mapping(source)
    for backend, run in [("python", PythonRunner)] + (
            [("cython", kernel.build)] if kernel else []):
        result.append((backend, with_runner(compiled, run)))
    return result


def fifty_field_mapping() -> dict[str, Any]:
    return {f"f{i}": {"@path": f"$.properties.p{i}"} if i % 3 else
            {"@template": "{{properties.a}}-{{context.page.path}}"} for i in range(50)}


def five_kb_fql() -> str:
    clause = ('(type = "track" and properties.revenue > {n} and '
              'match(context.page.path, "/products/*") and !contains(userId, "test{n}"))')
    parts: list[str] = []
    n = 0
    while len(" or ".join(parts)) < 5000:
        parts.append(clause.format(n=n))
        n += 1
    return " or ".join(parts[:-1])


def compile_times(fn: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Best and median milliseconds of one call, each round averaging several calls."""
    number = max(1, round(0.02 / max(_time(fn), 1e-6)))
    times = [_time(fn, number) / number * 1000 for _ in range(rounds)]
    return min(times), statistics.median(times)


def parsed(events: list[dict[str, Any]], parser: str | None) -> list[dict[str, Any]]:
    """``events`` as ``parser`` reads them back from JSON text. The generator builds
    events from Python literals, so their keys are the interned strings the kernels'
    plans hold, and a dict probe finds them by identity; the standard ``json`` module
    makes new key strings in every document (equal, not identical: the probe compares
    hash and text, as CPython's lookup does), and orjson reuses one string per key
    across documents."""
    if parser is None:
        return events
    if parser == "orjson":
        import orjson
        return [orjson.loads(orjson.dumps(event)) for event in events]
    return [json.loads(json.dumps(event)) for event in events]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--parse", choices=["json", "orjson"],
                        help="round-trip the events through this JSON parser first, as a "
                             "service reading them would have them")
    args = parser.parse_args(argv)
    events = parsed(generate(args.events), args.parse)
    rounds = args.rounds
    kernel = kernel_builder()
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {len(events)} events"
          f"{f' parsed by {args.parse}' if args.parse else ''}, median of {rounds} rounds")
    print("workload  backend  per-event  batch")
    for name, (text, hand) in FQL_WORKLOADS.items():
        plan = to_plan(fql.parse(text))
        builders = [("python", build_python)] + ([("cython", kernel)] if kernel else [])
        for backend, build in builders:
            program = build(plan)
            single = ratio(lambda p=program: deque(map(p.matches, events), 0),
                           lambda h=hand: deque(map(h, events), 0), rounds)
            batch = ratio(lambda p=program: p.matches_many(events),
                          lambda h=hand: [h(e) for e in events], rounds)
            print(f"{name:<9} {backend:<8} {single:9.2f}  {batch:5.2f}")
    trigger_kernel = load_kernel("_trigger")
    for name, (text, hand) in TRIGGER_WORKLOADS.items():
        plan = compile_tree(actions.Trigger.parse(text).conditions)
        kernels = [("python", None)] + ([("cython", trigger_kernel)] if trigger_kernel else [])
        for backend, kernel_module in kernels:
            match, many = matchers(plan, kernel_module)
            single = ratio(lambda m=match: deque(map(m, events), 0),
                           lambda h=hand: deque(map(h, events), 0), rounds)
            batch = ratio(lambda m=many: m(events), lambda h=hand: [h(e) for e in events],
                          rounds)
            print(f"{name:<9} {backend:<8} {single:9.2f}  {batch:5.2f}")
    for backend, mapping in mapping_backends(W4):
        single = ratio(lambda m=mapping: deque(map(m.apply, events), 0),
                       lambda: deque(map(hand_w4, events), 0), rounds)
        batch = ratio(lambda m=mapping: m.apply_batch(events),
                      lambda: [hand_w4(e) for e in events], rounds)
        print(f"{'W4':<9} {backend:<8} {single:9.2f}  {batch:5.2f}")
    text = five_kb_fql()
    best, median = compile_times(lambda: fql.Expression(fql.parse(text), text), rounds)
    print(f"compile {len(text)}-byte FQL: best {best:.2f} ms, median {median:.2f} ms")
    fields = fifty_field_mapping()
    best, median = compile_times(lambda: actions.compile_mapping(fields), rounds)
    print(f"compile 50-field mapping: best {best:.2f} ms, median {median:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
