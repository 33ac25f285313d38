"""Column and DataFrame functions, and Spark SQL functions, over events in a column.

Each function checks its rule on the driver (:mod:`fql.spark.rules`: an invalid rule
raises the library's error here, when the job is defined) and returns a lazy Column or
DataFrame whose Python work runs in :mod:`fql.spark.batches` on Arrow batches:

* column functions are Arrow UDFs (``arrow_udf``): Spark sends only the event column to
  Python, a batch at a time, and joins the answers back;
* ``filter`` is ``df.where(matches(...))`` for the same reason;
* ``apply_filters`` and ``route`` change which rows exist, so they are ``mapInArrow``
  over the whole row (the other columns travel along and are repeated or dropped with
  their event).

The rejected alternative is a row-at-a-time Python UDF: Spark pickles every row across,
and the rule runs outside the kernels' batch loops (``benchmarks/compare_spark.py``
measures both in one run).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pyarrow as pa
from pyspark import TaskContext
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    ShortType,
    StringType,
    StructField,
    StructType,
)

import actions
import fql
from fql.errors import FqlError
from fql.filters import FilterList, FilterOrder
from fql.routing import Router, WorkspaceConfig

from . import batches, rules

#: Leaf types a struct event column may hold: the JSON types as Spark writes them.
_JSON_LEAVES = (StringType, BooleanType, ByteType, ShortType, IntegerType, LongType,
                FloatType, DoubleType, NullType)


class EventColumnError(FqlError, TypeError):
    """The event column does not exist, or holds something that is not an event: JSON
    text (string or binary) or a struct/map of JSON types. Raised when the job is
    defined. ``path`` names the offending field."""

    code = "SPK101"

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message, hint="cast the field to string (or double) first"
                         if path else None)
        self.path = path


def _non_json_field(kind: DataType, path: str) -> tuple[str, DataType] | None:
    """The first field under ``kind`` whose type is not a JSON type, with its path."""
    if isinstance(kind, StructType):
        for field in kind.fields:
            found = _non_json_field(field.dataType, f"{path}.{field.name}" if path
                                    else field.name)
            if found:
                return found
        return None
    if isinstance(kind, ArrayType):
        return _non_json_field(kind.elementType, f"{path}[]")
    if isinstance(kind, MapType):
        if not isinstance(kind.keyType, StringType):
            return path or "<map keys>", kind.keyType
        return _non_json_field(kind.valueType, f"{path}.*" if path else "*")
    return None if isinstance(kind, _JSON_LEAVES) else (path, kind)


def event_column(df: DataFrame, column: str) -> int:
    """The index of ``column`` in ``df``, after checking it holds events."""
    names = df.schema.names
    if column not in names:
        raise EventColumnError(f"no column {column!r} among {names}")
    kind = df.schema[column].dataType
    if isinstance(kind, (StringType, BinaryType)):
        return names.index(column)
    if not isinstance(kind, (StructType, MapType)):
        raise EventColumnError(f"column {column!r} holds {kind.simpleString()}, not JSON "
                               "text or a struct")
    found = _non_json_field(kind, "")
    if found is not None:
        path, leaf = found
        raise EventColumnError(f"column {column!r}: field {path} is {leaf.simpleString()},"
                               " not a JSON type", path=path)
    return names.index(column)


def _column(col: Column | str) -> Column:
    return F.col(col) if isinstance(col, str) else col


def _arrow(function: Any, kind: DataType) -> Any:
    """``function`` (``pa.Array``s in, a ``pa.Array`` out, per batch; its type hints say
    so) as an Arrow UDF."""
    # The stubs want an explicit functionType; Spark infers it from the hints at run time.
    return F.arrow_udf(function, kind)  # type: ignore[call-overload]


# --- column functions --------------------------------------------------------------


def matches(rule: str | fql.Expression | actions.Trigger, col: Column | str) -> Column:
    """Whether each row's event matches ``rule`` (FQL text, an ``fql.Expression`` or an
    ``actions.Trigger``): true only when the library's ``matches`` is; null for a row
    with no valid event."""
    spec = rules.match_spec(rule)

    def fql_match(values: pa.Array) -> pa.Array:
        return batches.matches_array(spec, values)

    return _arrow(fql_match, BooleanType())(_column(col))


def evaluate(rule: str | fql.Expression, col: Column | str) -> Column:
    """The FQL value of ``rule`` for each row's event, as JSON text (``null`` for FQL's
    null); a null row for a row with no valid event."""
    spec = rules.expression_spec(rule)

    def fql_evaluate(values: pa.Array) -> pa.Array:
        return batches.evaluate_array(spec, values)

    return _arrow(fql_evaluate, StringType())(_column(col))


def apply_mapping(mapping: Any, col: Column | str,
                  trigger: str | actions.Trigger | None = None, *,
                  extensions: bool = False) -> Column:
    """Each row's payload as JSON text: ``mapping`` (an ``actions.Mapping``, its JSON
    data or text) applied to the event; null where ``trigger`` (text or an
    ``actions.Trigger``) does not match, where the mapping yields nothing, or where the
    row has no valid event."""
    mapping_spec = rules.mapping_spec(mapping, extensions=extensions)
    trigger_spec = None if trigger is None else rules.trigger_spec(trigger)

    def fql_map(values: pa.Array) -> pa.Array:
        return batches.map_array(mapping_spec, trigger_spec, values)

    return _arrow(fql_map, StringType())(_column(col))


# --- DataFrame functions -----------------------------------------------------------


def filter(df: DataFrame, rule: str | fql.Expression | actions.Trigger,
           column: str = "value") -> DataFrame:
    """The rows of ``df`` whose event (in ``column``) matches ``rule``, unchanged."""
    event_column(df, column)
    return df.where(matches(rule, df[column]))


def _free(df: DataFrame, names: tuple[str, ...], event: str | None = None) -> None:
    taken = [n for n in names if n in df.schema.names and n != event]
    if taken:
        raise EventColumnError(f"the result adds columns {list(names)}; rename "
                               f"{taken} first")


def apply_filters(df: DataFrame, filters: FilterList | Any, column: str = "value", *,
                  order: FilterOrder = FilterOrder.ACTION_TYPE, keep_dropped: bool = False,
                  seed: int | None = None) -> DataFrame:
    """A destination's filters (a ``FilterList`` or the data ``FilterList.load`` takes)
    on each row, in Segment's order: the rows kept, their event with the properties the
    filters remove left out (JSON text, or a struct of the same type with those fields
    null), and a ``reason`` column (``fields_removed`` or null). ``keep_dropped`` keeps
    the other rows too, with a null event and the reason (``dropped``, ``sampled_out``,
    ``invalid_rule``, ``invalid_event``).

    ``SAMPLE`` with a ``path`` keeps exactly the rows the library keeps. A random
    ``SAMPLE`` draws from the ``random`` module, as the library does; with ``seed`` each
    partition draws from its own generator derived from it, so a job's answer is
    reproducible (though not the rows one process would keep)."""
    spec = rules.filters_spec(filters, order)
    index = event_column(df, column)
    _free(df, ("reason",))
    fields = [StructField(f.name, f.dataType, True) if i == index else f
              for i, f in enumerate(df.schema.fields)]
    schema = StructType([*fields, StructField("reason", StringType(), True)])

    def fql_filters(inputs: Any) -> Any:
        context = TaskContext.get()
        assert context is not None  # set in every task, and this runs in one
        filter_list = batches.task_filters(spec, seed, context.partitionId())
        for batch in inputs:
            yield batches.filter_batch(filter_list, batch, index, keep_dropped=keep_dropped)

    return df.mapInArrow(fql_filters, schema)


def route(df: DataFrame, config: Router | WorkspaceConfig | Any, column: str = "value",
          reasons: bool = False) -> DataFrame:
    """Each row's event routed through a workspace (a ``Router``, a
    ``WorkspaceConfig``, its data or a JSON/YAML path): one row per payload sent, with
    ``destination`` and ``payload`` (JSON text) after the row's other columns (the event
    column is left out). ``reasons=True`` adds a row per destination not sent to, with a
    null payload, ``reason`` (the library's wording, "Invalid event" for a row with no
    valid event) and ``detail``."""
    spec = rules.workspace_spec(config)
    index = event_column(df, column)
    added = ("destination", "payload") + (("reason", "detail") if reasons else ())
    _free(df, added, column)
    fields = [f for i, f in enumerate(df.schema.fields) if i != index]
    schema = StructType([*fields, StructField("destination", StringType(), False),
                         StructField("payload", StringType(), True),
                         *([StructField("reason", StringType(), True),
                            StructField("detail", StringType(), True)] if reasons else [])])

    def fql_route(inputs: Any) -> Any:
        for batch in inputs:
            yield batches.route_batch(spec, batch, index, reasons=reasons)

    return df.mapInArrow(fql_route, schema)


# --- Spark SQL ---------------------------------------------------------------------


def fql_match(rule_texts: pa.Array, values: pa.Array) -> pa.Array:
    """SQL ``fql_match(rule, value)``."""
    return batches.match_by_rule(rule_texts, values)


def fql_map(mappings: pa.Array, values: pa.Array) -> pa.Array:
    """SQL ``fql_map(mapping_json, value)``."""
    return batches.map_by_rule(mappings, values)


def register(spark: SparkSession) -> None:
    """Add ``fql_match(rule, value)`` (FQL text, boolean) and ``fql_map(mapping_json,
    value)`` (the payload as JSON text) to ``spark``'s SQL functions. In SQL a rule is
    data, so an invalid one fails the query when it runs, with the library's error."""
    spark.udf.register("fql_match", _arrow(fql_match, BooleanType()))
    spark.udf.register("fql_map", _arrow(fql_map, StringType()))


# --- a local session ----------------------------------------------------------------


def local_session(cores: int = 2, app_name: str = "fql", **conf: str) -> SparkSession:
    """A local-mode session for laptops, tests and the example: ``cores`` threads, the
    web UI off, few shuffle partitions, bound to 127.0.0.1, its Python workers run by
    this interpreter (so they import the same ``fql``). ``conf`` adds settings."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(f"local[{cores}]").appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(cores))
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1"))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


__all__ = [
    "EventColumnError",
    "apply_filters",
    "apply_mapping",
    "evaluate",
    "event_column",
    "filter",
    "local_session",
    "matches",
    "register",
    "route",
]

