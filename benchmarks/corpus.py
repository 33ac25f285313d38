"""A benchmark corpus on mixed-shape events: kernel/twin speedups over many rules.

Usage: ``python -m benchmarks.corpus [--events N] [--rounds R]``

The W1-W4 events of :mod:`benchmarks.events` come from one well-behaved source. Real
streams interleave sources and carry noise, which is where a kernel that hands odd
values to Python loses its edge. :func:`mixed_events` interleaves five sources' shapes
(web track and page calls, a mobile SDK, server-side identify calls, a warehouse
import) with fields missing or null at realistic rates (``context.page`` absent from
about 40% of events, ``traits.plan`` missing or null in most), numbers sent as strings,
strings sent as numbers, Unicode text, lists of objects and the occasional big list.

Over these events the script times, per rule, the pure-Python twin and the kernel built
from the same plan in this one process and prints the speedup (twin time / kernel
time, median over rounds) of

* :data:`FQL_CORPUS`: 150+ everyday FQL expressions (each comparison, function and
  shape on fields that are present, absent, null or of another type);
* :data:`TRIGGER_CORPUS`: 50 Destination Actions triggers;
* :data:`MAPPING_CORPUS`: one mapping per directive;

then their distribution (min, median), and the W1-W4 rows against the hand-written
functions of :mod:`benchmarks.workloads` on the same mixed events, per event and in
batch. Timings follow :mod:`benchmarks.compare` (its ``ratio`` helper).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
from collections import deque
from collections.abc import Callable
from typing import Any

import actions
import fql
from actions.mapping.mapping import PythonRunner, with_runner
from actions.trigger.plan import compile_tree
from actions.trigger.trigger import matchers
from fql.backend import build_python, kernel_builder, load_kernel
from fql.compiler import to_plan

from .compare import ratio
from .workloads import FQL_WORKLOADS, TRIGGER_WORKLOADS, W4, hand_w4

SOURCES = ["web", "web_page", "ios", "server", "warehouse"]
PATHS = ["/", "/cart", "/checkout", "/pricing", "/blog/post", "/products/42", "/é/über"]
PLANS = ["free", "pro", "premium", "Premium", "PREMIUM", "entreprise"]
EVENTS = ["Order Completed", "Product Viewed", "Product Added", "Signed Up", "Café Ordered"]


def _maybe(rng: random.Random, rate: float, value: Any) -> Any:
    """``value``, or (with probability ``rate``) absent (``...``) or null."""
    if rng.random() < rate:
        return ... if rng.random() < 0.6 else None
    return value


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not ...:
        target[key] = value


def mixed_event(rng: random.Random, i: int) -> dict[str, Any]:
    """One event of a random source (see the module docstring)."""
    source = rng.choices(SOURCES, [4, 2, 2, 1, 1])[0]
    event: dict[str, Any] = {"messageId": f"m{i}"}
    if source in ("web", "ios", "warehouse"):
        event["type"] = "track"
        event["event"] = rng.choice(EVENTS)
    elif source == "web_page":
        event["type"] = "page"
        event["name"] = rng.choice(["Home", "Pricing", "Cart", None])
    else:
        event["type"] = "identify"
    user = rng.random()
    if user < 0.6:
        event["userId"] = f"user-{rng.randrange(5000)}"
    elif user < 0.7:
        event["userId"] = ""
    elif user < 0.75:
        event["userId"] = rng.randrange(10**6)  # a number where a string is expected
    elif user < 0.8:
        event["userId"] = None
    event["timestamp"] = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z"
    if rng.random() < 0.5:
        event["sentAt"] = f"2024-{1 + (i + 1) % 12:02d}-01T00:00:00Z"
    if source in ("web", "web_page"):
        context: dict[str, Any] = {"library": {"name": "analytics.js", "version": "2.11.1"}}
        if rng.random() < 0.75:  # with the warehouse and server shapes: ~40% without
            context["page"] = {"path": rng.choice(PATHS), "title": rng.choice(["Shop", "Ça"]),
                               "url": f"https://shop.example.com{rng.choice(PATHS)}"}
        event["context"] = context
    elif source == "ios":
        event["context"] = {"device": {"type": "ios", "model": rng.choice(["iPhone15,2", None])},
                            "os": {"name": "iOS", "version": rng.choice(["17.1", 17.1])},
                            "app": {"version": "v1.2", "build": 301}}
    elif source == "server":
        event["context"] = {"library": {"name": "analytics-python", "version": 2}}
    if event["type"] == "track":
        revenue: Any = round(rng.uniform(1, 400), 2)
        noise = rng.random()
        if noise < 0.15:
            revenue = str(revenue)
        elif noise < 0.2:
            revenue = None
        count = rng.choice([0, 1, 2, 3, 3, 40]) if source != "warehouse" else 200
        properties: dict[str, Any] = {
            "currency": rng.choice(["USD", "EUR", "usd"]),
            "products": [{"product_id": f"p{k}", "price": rng.choice([round(rng.uniform(1, 90), 2),
                                                                       "9.99", 5]),
                          "name": rng.choice(["Shoe", "Chaussure à talon", "靴"])}
                         for k in range(count)],
            "tags": rng.sample(["sale", "new", "vip", "ß"], rng.randrange(0, 4)),
        }
        _put(properties, "revenue", _maybe(rng, 0.1, revenue))
        _put(properties, "plan", _maybe(rng, 0.6, rng.choice(PLANS)))
        event["properties"] = properties
    traits: dict[str, Any] = {}
    _put(traits, "plan", _maybe(rng, 0.5, rng.choice(PLANS)))
    _put(traits, "email", _maybe(rng, 0.3, f"person{i}@example.com"))
    _put(traits, "age", _maybe(rng, 0.5, rng.choice([30, "41", 27.5])))
    if traits or event["type"] == "identify":
        event["traits"] = traits
    return event


def mixed_events(n: int, seed: int = 20261202) -> list[dict[str, Any]]:
    """``n`` mixed-shape events, the same ones for the same seed."""
    rng = random.Random(seed)
    return [mixed_event(rng, i) for i in range(n)]


_SUBJECTS = ["userId", "traits.plan", "context.page.path", "properties.revenue",
             "properties.products.0.price", "event", "context.os.version", "traits.age"]
_SHAPES = [
    '{f} = "premium"', '{f} != "premium"', "{f} = 2", "{f} = null", "{f} != null",
    "{f} > 100", "{f} <= 9.99", '{f} > "2024-06-01"', 'lowercase({f}) = "premium"',
    'uppercase({f}) = "PREMIUM"', "length({f}) > 0", "length({f}) = 0",
    '{f} in ["/cart", "/checkout", "premium"]', "{f} in [1, 2, 3]",
    'contains({f}, "re")', 'match({f}, "Pre*")', 'match({f}, "v1.?")', 'match({f}, "[abc]*")',
    "typeof({f}) = \"string\"", 'snakecase({f}) = "a_b"', 'kebabcase({f}) = "a-b"',
    'titlecase({f}) = "Premium"', 'string({f}) = "2"', "number({f}) > 10", "bool({f})",
]
#: Everyday FQL expressions: every shape on every subject, plus whole rules.
FQL_CORPUS: list[str] = [shape.format(f=field) for shape in _SHAPES for field in
                         _SUBJECTS[:6]] + [
    'type = "track" and event = "Order Completed"',
    'type = "track" and properties.revenue > 100 and properties.currency = "USD"',
    "timestamp > \"2024-06-01\"", "timestamp >= sentAt", "receivedAt >= sentAt",
    'context.page.path in ["/checkout", "/cart", "/"] or (length(userId) > 0 and '
    'lowercase(traits.plan) = "premium")',
    '!(type = "identify") and !contains(userId, "test")',
    'event = "Order Completed" or match(event, "Product *")',
    "properties.tags = [\"sale\"]", 'typeof(properties.products) = "list"',
    'context.os.version = "17.1" or context.os.version = 17.1',
    'match(context.page.url, "https://*.example.com/*")',
]
assert len(FQL_CORPUS) >= 150

_TRIGGER_FIELDS = ["userId", "traits.plan", "properties.revenue", "context.page.path",
                   "event"]
#: Destination Actions triggers (the FQL subset Segment's UI writes).
TRIGGER_CORPUS: list[str] = [shape.format(f=field) for shape in (
    '{f} = "premium"', '{f} != "premium"', "{f} > 100", 'contains({f}, "re")',
    'match({f}, "Pre*")', "{f} = null", "{f} != null", 'type = "track" and {f} = "premium"',
    'type = "identify" or {f} = "/cart"', 'match({f}, "*ium")') for field in _TRIGGER_FIELDS]
assert len(TRIGGER_CORPUS) == 50

#: One mapping per directive (the registry's list), reading fields of mixed events.
MAPPING_CORPUS: dict[str, Any] = {
    "@path": {"plan": {"@path": "$.traits.plan"}},
    "@template": {"@template": "{{userId}} on {{context.page.path}}"},
    "@if": {"@if": {"exists": {"@path": "$.traits.plan"}, "then": {"@path": "$.traits.plan"},
                    "else": "none"}},
    "@case": {"@case": {"operator": "lower", "value": {"@path": "$.traits.plan"}}},
    "@replace": {"@replace": {"pattern": "-", "replacement": "_",
                              "value": {"@path": "$.userId"}}},
    "@arrayPath": {"@arrayPath": ["$.properties.products", {"id": {"@path": "$.product_id"}}]},
    "@literal": {"@literal": {"k": [1, 2]}},
    "@flatten": {"@flatten": {"value": {"@path": "$.context"}, "separator": "."}},
    "@json": {"@json": {"mode": "encode", "value": {"@path": "$.traits"}}},
    "@merge": {"@merge": {"objects": [{"@path": "$.traits"}, {"c": 1}], "direction": "right"}},
    "@transform": {"@transform": {"apply": {"y": {"@path": "$.traits"}},
                                  "mapping": {"z": {"@path": "$.y.plan"}}}},
    "@excludeWhenNull": {"@excludeWhenNull": {"k": {"@path": "$.traits.plan"}, "s": "v"}},
    "@liquid": {"@liquid": "{{ userId | upcase }}"},
    "@coalesce": {"@coalesce": [{"@path": "$.traits.plan"}, {"@path": "$.userId"}]},
}


def _speedup(twin: Callable[[], Any], kernel: Callable[[], Any], rounds: int) -> float:
    """Twin time / kernel time (above 1: the kernel is faster)."""
    return 1 / ratio(kernel, twin, rounds)


def fql_speedups(events: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    kernel = kernel_builder()
    assert kernel is not None, "the kernels are not built"
    out = {}
    for text in FQL_CORPUS:
        plan = to_plan(fql.parse(text))
        twin, fast = build_python(plan), kernel(plan)
        out[text] = _speedup(lambda p=twin: p.matches_many(events),
                             lambda p=fast: p.matches_many(events), rounds)
    return out


def trigger_speedups(events: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    module = load_kernel("_trigger")
    out = {}
    for text in TRIGGER_CORPUS:
        plan = compile_tree(actions.Trigger.parse(text).conditions)
        (_, twin), (_, fast) = matchers(plan, None), matchers(plan, module)
        out[text] = _speedup(lambda m=twin: m(events), lambda m=fast: m(events), rounds)
    return out


def mapping_speedups(events: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    module = load_kernel("_mapping")
    assert module is not None
    out = {}
    for name, source in MAPPING_CORPUS.items():
        compiled = actions.compile_mapping({"out": source}, extensions=True)
        twin = with_runner(compiled, PythonRunner)
        fast = with_runner(compiled, module.build)
        out[name] = _speedup(lambda m=twin: m.apply_batch(events),
                             lambda m=fast: m.apply_batch(events), rounds)
    return out


def _distribution(name: str, speedups: dict[str, float], target: float) -> None:
    values = sorted(speedups.values())
    below = [(key, value) for key, value in speedups.items() if value < target]
    print(f"{name}: {len(values)} rules, kernel/twin speedup min {values[0]:.2f}, "
          f"median {statistics.median(values):.2f}, max {values[-1]:.2f}; "
          f"{len(below)} under {target}x")
    for key, value in sorted(below, key=lambda item: item[1]):
        print(f"    {value:5.2f}  {key}")


def w_rows(events: list[dict[str, Any]], rounds: int) -> None:
    """W1-W4 on the mixed events: engine time / hand-written time."""
    kernel = kernel_builder()
    print("workload  backend  per-event  batch   (engine / hand-written, mixed events)")
    for name, (text, hand) in FQL_WORKLOADS.items():
        plan = to_plan(fql.parse(text))
        for backend, build in [("python", build_python), ("cython", kernel)]:
            program = build(plan)  # type: ignore[misc]
            single = ratio(lambda p=program: deque(map(p.matches, events), 0),
                           lambda h=hand: deque(map(h, events), 0), rounds)
            batch = ratio(lambda p=program: p.matches_many(events),
                          lambda h=hand: [h(e) for e in events], rounds)
            print(f"{name:<9} {backend:<8} {single:9.2f}  {batch:5.2f}")
    for name, (text, hand) in TRIGGER_WORKLOADS.items():
        plan = compile_tree(actions.Trigger.parse(text).conditions)
        for backend, module in [("python", None), ("cython", load_kernel("_trigger"))]:
            match, many = matchers(plan, module)
            single = ratio(lambda m=match: deque(map(m, events), 0),
                           lambda h=hand: deque(map(h, events), 0), rounds)
            batch = ratio(lambda m=many: m(events), lambda h=hand: [h(e) for e in events],
                          rounds)
            print(f"{name:<9} {backend:<8} {single:9.2f}  {batch:5.2f}")
    compiled = actions.compile_mapping(W4)
    for backend, run in [("python", PythonRunner), ("cython", load_kernel("_mapping").build)]:  # type: ignore[union-attr]
        mapping = with_runner(compiled, run)
        single = ratio(lambda m=mapping: deque(map(m.apply, events), 0),
                       lambda: deque(map(hand_w4, events), 0), rounds)
        batch = ratio(lambda m=mapping: m.apply_batch(events),
                      lambda: [hand_w4(e) for e in events], rounds)
        print(f"{'W4':<9} {backend:<8} {single:9.2f}  {batch:5.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["fql", "triggers", "mappings", "w"])
    args = parser.parse_args(argv)
    events = mixed_events(args.events)
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {len(events)} mixed-shape events, median of "
          f"{args.rounds} rounds")
    if args.only in (None, "w"):
        w_rows(events, args.rounds)
    if args.only in (None, "fql"):
        _distribution("FQL", fql_speedups(events, args.rounds), 3.0)
    if args.only in (None, "triggers"):
        _distribution("triggers", trigger_speedups(events, args.rounds), 2.5)
    if args.only in (None, "mappings"):
        _distribution("mappings", mapping_speedups(events, args.rounds), 3.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
