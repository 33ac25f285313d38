"""``python -m fql.spark.example``: the engine on Spark, on a laptop.

Starts a local-mode session, reads the bundled example events (JSON Lines) into a
DataFrame of JSON text, and runs each function once: an FQL filter, a mapping behind a
trigger, a destination's filters, and the whole workspace's routing with reasons. Run
it from a source checkout (the files are in ``examples/``) or point it at your own:

    python -m fql.spark.example --events my.jsonl --config workspace.yaml \\
        --filters filters.json --mapping mapping.json

``main(argv) -> int`` prints what it did; ``--master`` runs the same on a cluster.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fql.spark.example",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=Path, default=EXAMPLES / "events.jsonl")
    parser.add_argument("--config", type=Path, default=EXAMPLES / "workspace.yaml")
    parser.add_argument("--filters", type=Path, default=EXAMPLES / "filters.json")
    parser.add_argument("--mapping", type=Path, default=EXAMPLES / "mapping.json")
    parser.add_argument("--rule", default='type = "track" and properties.revenue > 100')
    parser.add_argument("--trigger", default='type = "track"')
    parser.add_argument("--master", help="a cluster's master URL (default: local[2])")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the example with ``argv`` (the command line when ``None``) and return the exit code:
    0 after printing each function's result, 2 when an input file is missing (checked before
    Spark starts, so the message comes quickly).
    """
    args = _arguments(argv)
    missing = [p for p in (args.events, args.config, args.filters, args.mapping)
               if not p.is_file()]
    if missing:
        print(f"no such file: {missing[0]} (run from a source checkout, or pass "
              "--events/--config/--filters/--mapping)", file=sys.stderr)
        return 2

    import fql.spark  # here, so that --help works without Spark

    if args.master:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.master(args.master).appName("fql-example").getOrCreate()
    else:
        spark = fql.spark.local_session(app_name="fql-example")
    try:
        lines = args.events.read_text(encoding="utf-8").splitlines()
        df = spark.createDataFrame([(line,) for line in lines if line.strip()],
                                   "value string")
        total = df.count()
        print(f"{total} events from {args.events}")

        kept = fql.spark.filter(df, args.rule)
        print(f"\nfql.spark.filter({args.rule!r}): {kept.count()} of {total} events")

        mapping = json.loads(args.mapping.read_text(encoding="utf-8"))
        payloads = df.select(fql.spark.apply_mapping(mapping, "value", trigger=args.trigger)
                             .alias("payload")).where("payload IS NOT NULL")
        print(f"\nfql.spark.apply_mapping(..., trigger={args.trigger!r}): "
              f"{payloads.count()} payloads; the first:")
        first = payloads.first()
        assert first is not None  # the bundled events include ones the trigger matches
        print("  " + first["payload"])

        filters = json.loads(args.filters.read_text(encoding="utf-8"))
        filtered = fql.spark.apply_filters(df, filters, keep_dropped=True)
        print("\nfql.spark.apply_filters: events by reason")
        for row in filtered.groupBy("reason").count().orderBy("reason").collect():
            print(f"  {row['reason'] or 'kept unchanged':<16} {row['count']}")

        routed = fql.spark.route(df, args.config, reasons=True)
        print(f"\nfql.spark.route({args.config.name}, reasons=True): rows by destination "
              "and reason")
        for row in routed.groupBy("destination", "reason").count() \
                .orderBy("destination", "reason").collect():
            print(f"  {row['destination']:<26} {row['reason'] or 'sent':<30} {row['count']}")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
