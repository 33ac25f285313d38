"""Spark throughput in local mode: ``fql.spark.filter`` and ``fql.spark.route`` against
a plain Python UDF that calls the library row by row, in the same session and run.

Usage: ``python -m benchmarks.compare_spark [--events N] [--rounds R] [--cores C]``.

The events are the generated ones (``benchmarks/events.py``: mixed types, missing and
null fields, revenue sent as a string), as JSON text in a cached DataFrame of ``cores``
partitions. Each job writes every column of its result to Spark's ``noop`` sink, so
nothing is pruned and nothing is written. The baselines are what a user writes without
``fql.spark``:

* filter: ``udf(lambda v: fql.compile(RULE).matches(json.loads(v)))`` in ``where``
  (``fql.compile`` answers from its cache after the first row);
* route: a UDF returning ``array<struct<destination, payload>>`` from
  ``Router.route(json.loads(v))`` (the Router built once per worker), exploded.

Both sides are checked to give the same rows before timing. Reported: rows per second
of input for each, the median over rounds, and their ratio (above 1: ``fql.spark`` is
faster). The first line, a UDF that does no work on each path (Arrow, row by row), is
the floor: what Spark itself costs per row (scan, transfer to Python and back, filter),
which bounds every ratio below it.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

import fql
import fql.spark
from fql.routing import Router, load_config

from .events import generate
from .workloads import W1, W2, W3

WORKSPACE = Path(__file__).resolve().parent.parent / "examples" / "workspace.yaml"

_ROUTERS: dict[str, tuple[Router, list[str]]] = {}


def _baseline_router(path: str) -> tuple[Router, list[str]]:
    """The baseline's router, built once per Python worker (never per row)."""
    if path not in _ROUTERS:
        config = load_config(path)
        _ROUTERS[path] = Router(config), [d.name for d in config.destinations]
    return _ROUTERS[path]


def baseline_filter(df: DataFrame, rule: str) -> DataFrame:
    def matches(value):  # type: ignore[no-untyped-def]  # hints would make it an Arrow UDF
        return None if value is None else fql.compile(rule).matches(json.loads(value))

    return df.where(F.udf(matches, "boolean")("value"))


def baseline_route(df: DataFrame, path: str) -> DataFrame:
    def route(value):  # type: ignore[no-untyped-def]  # (see matches above)
        if value is None:
            return []
        router, names = _baseline_router(path)
        result = router.route(json.loads(value))
        return [(name, json.dumps(p)) for name in names for p in result[name].payloads]

    udf = F.udf(route, "array<struct<destination: string, payload: string>>")
    return df.select(F.explode(udf("value")).alias("d")).select("d.destination", "d.payload")


def _all_true(values: pa.Array) -> pa.Array:
    return pa.array([True] * len(values), pa.bool_())


def floor_arrow(df: DataFrame) -> DataFrame:
    """The Arrow path doing no work: what Spark and the transport cost per row."""
    return df.where(F.arrow_udf(_all_true, "boolean")("value"))


def floor_row(df: DataFrame) -> DataFrame:
    """The row-by-row path doing no work."""
    return df.where(F.udf(lambda value: True, "boolean")("value"))


def _seconds(job: Callable[[], DataFrame]) -> float:
    start = time.perf_counter()
    job().write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def _same_rows(engine: DataFrame, baseline: DataFrame, columns: list[str]) -> int:
    def canonical(rows: list[Any]) -> list[tuple[Any, ...]]:
        return sorted(tuple(json.loads(v) if c == "payload" else v
                            for c, v in zip(columns, r, strict=True)).__repr__()
                      for r in rows)

    got = canonical(engine.select(*columns).collect())
    expected = canonical(baseline.select(*columns).collect())
    if got != expected:
        raise SystemExit(f"answers differ: {len(got)} rows against {len(expected)}")
    return len(got)


def measure(name: str, engine: Callable[[], DataFrame], baseline: Callable[[], DataFrame],
            columns: list[str], events: int, rounds: int) -> tuple[str, float, float]:
    out_rows = _same_rows(engine(), baseline(), columns)
    fast, slow = [], []
    for _ in range(rounds):  # interleaved, so a change in the machine's load hits both
        fast.append(_seconds(engine))
        slow.append(_seconds(baseline))
    fast_rate, slow_rate = events / statistics.median(fast), events / statistics.median(slow)
    print(f"{name:<10} {out_rows:>8} {fast_rate:>14,.0f} {slow_rate:>14,.0f} "
          f"{fast_rate / slow_rate:>7.2f}x", flush=True)
    return name, fast_rate, slow_rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args(argv)

    spark = fql.spark.local_session(args.cores, "fql-benchmark")
    texts = [json.dumps(e) for e in generate(args.events)]
    df = spark.createDataFrame([(t,) for t in texts], "value string") \
        .repartition(args.cores).cache()
    df.count()
    print(f"fql.spark benchmark: {args.events:,} events in {args.cores} partitions, "
          f"local[{args.cores}], median of {args.rounds} rounds; backend {fql.BACKEND}; "
          f"Python {platform.python_version()}, PySpark {spark.version}")
    print(f"{'job':<10} {'out rows':>8} {'fql.spark /s':>14} {'row UDF /s':>14} {'ratio':>8}")
    measure("no-op UDF", lambda: floor_arrow(df), lambda: floor_row(df), ["value"],
            args.events, args.rounds)
    for label, rule in (("filter W1", W1), ("filter W2", W2), ("filter W3", W3)):
        measure(label, lambda r=rule: fql.spark.filter(df, r),
                lambda r=rule: baseline_filter(df, r), ["value"], args.events, args.rounds)
    path = str(WORKSPACE)
    measure("route", lambda: fql.spark.route(df, path),
            lambda: baseline_route(df, path), ["destination", "payload"], args.events,
            args.rounds)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
