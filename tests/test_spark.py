"""``fql.spark`` in local mode (``local[2]``): every function gives the library's answer
on 10,000 generated events plus null, malformed and hostile rows, for a column of JSON
text and for a struct column; invalid rules and columns fail when the job is defined.

One Spark session for the module, and few jobs: each test collects one DataFrame and
compares it row by row (keyed by ``id``) with the library run in this process. The
struct column is what ``from_json`` makes of the text with a fixed schema; its expected
answers come from the rows Spark itself holds (``Row.asDict``, null fields left out, as
``to_json`` writes them: docs/semantics/spark.md).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java", allow_module_level=True)

from pyspark.errors import PythonException
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

import actions
import fql
import fql.spark
from benchmarks.events import generate
from fql.filters import FilterList
from fql.filters.errors import RuleError
from fql.routing import INVALID_EVENT, Router, RoutingError, load_config

pytestmark = pytest.mark.spark

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
N_GENERATED = 10_000

#: Rows no generator would write: null, not JSON, JSON that is not an object, values
#: orjson refuses but json reads, wrong types, unicode, nesting deeper than the filters
#: follow, nesting deeper than the parser follows.
HOSTILE: list[str | None] = [
    None, "", "{", "not json", "[1, 2]", "5", "null", '"text"',
    '{"type": "track", "event": "Order Completed", "properties": {"revenue": NaN}}',
    '{"type": "track", "userId": "u", "properties": {"revenue": 123456789012345678901234567890}}',
    '{"type": "track", "event": "Ünïcødé ✓ \\ud800", "userId": "ü"}',
    '{"type": 5, "event": ["x"], "userId": {"a": 1}, "properties": "text", "traits": []}',
    '{"type": "track", "userId": "u1", "properties": ' + '{"a": ' * 300 + "1" + "}" * 300 + "}",
    '{"type": "track", "properties": ' + "[" * 5000 + "]" * 5000 + "}",
]

SCHEMA = (
    "type string, event string, name string, userId string, anonymousId string, "
    "messageId string, timestamp string, "
    "context struct<library: struct<name: string, version: string>, "
    "page: struct<path: string, url: string, title: string>, "
    "device: struct<type: string, model: string, manufacturer: string>, "
    "consent: struct<categoryPreferences: map<string, boolean>>>, "
    "properties struct<revenue: double, currency: string, email: string, title: string, "
    "products: array<struct<product_id: string, sku: string, price: double, quantity: long>>>, "
    "traits struct<email: string, plan: string>"
)

FQL_RULE = 'type = "track" and (properties.revenue > 100 or match(event, "Product *"))'
EVALUATED = 'lowercase(traits.plan)'
TRIGGER = actions.Trigger.parse('type = "track" and event = "Order Completed"')
MAPPING = json.loads((EXAMPLES / "mapping.json").read_text())
FILTERS = json.loads((EXAMPLES / "filters.json").read_text())
WORKSPACE = EXAMPLES / "workspace.yaml"


def _texts() -> list[str | None]:
    generated = [json.dumps(e, ensure_ascii=False) for e in generate(N_GENERATED, seed=18)]
    # Interleave the hostile rows so they land in different batches and partitions.
    out: list[str | None] = []
    for i, text in enumerate(generated):
        out.append(text)
        if i % 700 == 0:
            out.extend(HOSTILE)
    return out


TEXTS = _texts()


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def json_event(text: str | None) -> dict[str, Any] | None:
    """The event the library gets from ``text`` (``json.loads``), or None."""
    if text is None:
        return None
    try:
        event = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return event if type(event) is dict else None


def struct_event(row: Row | None) -> dict[str, Any] | None:
    return None if row is None else _strip(row.asDict(recursive=True))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value - value != 0:
        return None  # NaN and infinities are written as null (JSON has no such numbers)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """One text per JSON value, to compare a payload with the library's."""
    return json.dumps(_finite(value), sort_keys=True)


def answer(function: Callable[[Any], Any], event: Any) -> Any:
    """The library's answer, or None when it has none (no event, or it raises)."""
    if event is None:
        return None
    try:
        return function(event)
    except Exception:
        return None


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = fql.spark.local_session(**{"spark.sql.execution.arrow.maxRecordsPerBatch":
                                         "2000"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def frame(spark: SparkSession) -> DataFrame:
    df = spark.createDataFrame(list(enumerate(TEXTS)), "id long, value string")
    return df.select("id", "value", F.from_json("value", SCHEMA).alias("s")) \
        .repartition(4).cache()


@pytest.fixture(scope="module")
def events(frame: DataFrame) -> dict[str, dict[int, Any]]:
    """Per column (``value``, ``s``): id -> the event the library sees (or None)."""
    rows = frame.select("id", "s").collect()
    assert len(rows) == len(TEXTS)
    return {"value": {i: json_event(t) for i, t in enumerate(TEXTS)},
            "s": {r.id: struct_event(r.s) for r in rows}}


def test_dataset_has_every_kind_of_row(events: dict[str, dict[int, Any]]) -> None:
    valid = [e for e in events["value"].values() if e is not None]
    assert len(valid) > N_GENERATED  # the generated ones plus the readable hostile ones
    assert sum(e is None for e in events["value"].values()) >= 7 * 14
    assert {e["type"] for e in valid if isinstance(e.get("type"), str)} >= {
        "track", "page", "screen", "identify", "group"}
    assert any(e.get("userId") is None for e in valid)


@pytest.mark.parametrize("column", ["value", "s"])
def test_column_functions_match_the_library(frame: DataFrame,
                                            events: dict[str, dict[int, Any]],
                                            column: str) -> None:
    expr = fql.compile(FQL_RULE)
    mapping = actions.compile_mapping(MAPPING)
    rows = frame.select(
        "id",
        fql.spark.matches(FQL_RULE, column).alias("text"),
        fql.spark.matches(expr, frame[column]).alias("compiled"),
        fql.spark.matches(TRIGGER, column).alias("trigger"),
        fql.spark.evaluate(EVALUATED, column).alias("value"),
        fql.spark.apply_mapping(MAPPING, column, trigger=TRIGGER).alias("payload"),
        fql.spark.apply_mapping(mapping, column).alias("untriggered"),
    ).collect()
    assert len(rows) == len(TEXTS)
    evaluated = fql.compile(EVALUATED)
    seen = {"true": 0, "payload": 0}
    for row in rows:
        event = events[column][row.id]
        expected = answer(expr.matches, event)
        assert row.text is expected and row.compiled is expected, (row.id, event)
        assert row.trigger is answer(TRIGGER.matches, event), (row.id, event)
        value = answer(lambda e: canonical(evaluated.evaluate(e)), event)
        assert (None if row.value is None else canonical(json.loads(row.value))) == value
        payload = answer(lambda e: canonical(mapping.apply(e)) if TRIGGER.matches(e)
                         else None, event)
        assert (None if row.payload is None else canonical(json.loads(row.payload))) \
            == payload, (row.id, event)
        assert (None if row.untriggered is None
                else canonical(json.loads(row.untriggered))) \
            == answer(lambda e: canonical(mapping.apply(e)), event)
        seen["true"] += row.text is True
        seen["payload"] += row.payload is not None
    # The answers are not all one value (a test that could not fail).
    assert 1000 < seen["true"] < len(rows) - 1000
    assert seen["payload"] > 100


@pytest.mark.parametrize("column", ["value", "s"])
def test_filter_keeps_the_rows_the_library_keeps(frame: DataFrame,
                                                 events: dict[str, dict[int, Any]],
                                                 column: str) -> None:
    kept = fql.spark.filter(frame, FQL_RULE, column=column)
    assert kept.columns == frame.columns
    ids = sorted(r.id for r in kept.select("id").collect())
    expr = fql.compile(FQL_RULE)
    assert ids == sorted(i for i, e in events[column].items() if answer(expr.matches, e))


def _expected_filters(filters: FilterList, event: Any) -> tuple[str | None, str | None]:
    """(the kept event as canonical JSON or None, the reason) as the library gives."""
    if event is None:
        return None, "invalid_event"
    try:
        result = filters.apply(event)
    except Exception:
        return None, "invalid_event"
    return (None if result.event is None else canonical(result.event),
            None if result.reason is None else result.reason.value)


def test_apply_filters_on_json_text(frame: DataFrame, events: dict[str, dict[int, Any]]
                                    ) -> None:
    out = fql.spark.apply_filters(frame.select("id", "value"), FILTERS, keep_dropped=True)
    assert out.columns == ["id", "value", "reason"]
    got = {r.id: (None if r.value is None else canonical(json.loads(r.value)), r.reason)
           for r in out.collect()}
    library = FilterList.load(FILTERS)
    expected = {i: _expected_filters(library, e) for i, e in events["value"].items()}
    assert got == expected
    reasons = {reason for _, reason in got.values()}
    assert reasons == {None, "fields_removed", "dropped", "sampled_out", "invalid_event"}


def test_apply_filters_on_a_struct_column(frame: DataFrame,
                                          events: dict[str, dict[int, Any]]) -> None:
    out = fql.spark.apply_filters(frame.select("id", "s"), FilterList.load(FILTERS),
                                  column="s")
    assert out.schema["s"].dataType == frame.schema["s"].dataType
    got = {r.id: (canonical(struct_event(r.s)), r.reason) for r in out.collect()}
    library = FilterList.load(FILTERS)
    expected = {i: _expected_filters(library, e) for i, e in events["s"].items()}
    assert got == {i: kept for i, kept in expected.items() if kept[0] is not None}
    assert any(reason == "fields_removed" for _, reason in got.values())


def test_random_sampling_with_a_seed_is_reproducible(frame: DataFrame) -> None:
    half = [{"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5}]}]
    source = frame.select("id", "value")
    first = {r.id for r in fql.spark.apply_filters(source, half, seed=7).collect()}
    again = {r.id for r in fql.spark.apply_filters(source, half, seed=7).collect()}
    valid = sum(json_event(t) is not None for t in TEXTS)
    assert first == again
    assert abs(len(first) - valid / 2) < 4 * (valid / 4) ** 0.5  # 4 standard deviations


def _expected_route(router: Router, names: list[str], i: int, event: Any
                    ) -> list[tuple[Any, ...]]:
    if event is None:
        return [(i, name, None, INVALID_EVENT) for name in names]
    result = router.route(event)
    rows = []
    for name in names:
        delivery = result[name]
        rows.extend((i, name, canonical(p), None) for p in delivery.payloads)
        if not delivery.payloads:
            rows.append((i, name, None, delivery.reason))
    return rows


@pytest.mark.parametrize("column", ["value", "s"])
def test_route_sends_what_the_router_sends(frame: DataFrame,
                                           events: dict[str, dict[int, Any]],
                                           column: str) -> None:
    config = load_config(WORKSPACE)
    names = [d.name for d in config.destinations]
    router = Router(config)
    reasons = column == "value"
    out = fql.spark.route(frame.select("id", column), WORKSPACE, column=column,
                          reasons=reasons)
    assert out.columns == ["id", "destination", "payload"] + (
        ["reason", "detail"] if reasons else [])
    got = sorted((r.id, r.destination,
                  None if r.payload is None else canonical(json.loads(r.payload)),
                  r.reason if reasons else None) for r in out.collect())
    expected = sorted(row for i, e in events[column].items()
                      for row in _expected_route(router, names, i, e)
                      if reasons or row[2] is not None)
    assert got == expected
    assert len({row[1] for row in got if row[2] is not None}) == len(names)


def test_sql_functions(spark: SparkSession, frame: DataFrame,
                       events: dict[str, dict[int, Any]]) -> None:
    fql.spark.register(spark)
    frame.createOrReplaceTempView("events")
    mapping_text = json.dumps({"event": {"@path": "$.event"}, "plan": {"@path": "$.traits.plan"}})
    rows = spark.sql(
        "SELECT id, fql_match(:rule, value) AS m, fql_match(:rule, s) AS ms, "
        "fql_match(IF(id % 2 = 0, :rule, 'type = \"page\"'), value) AS mixed, "
        "fql_match(NULL, value) AS none, fql_map(:mapping, value) AS p FROM events",
        args={"rule": FQL_RULE, "mapping": mapping_text}).collect()
    expr, page = fql.compile(FQL_RULE), fql.compile('type = "page"')
    mapping = actions.compile_mapping(json.loads(mapping_text))
    assert len(rows) == len(TEXTS)
    for row in rows:
        json_ev, struct_ev = events["value"][row.id], events["s"][row.id]
        assert row.m is answer(expr.matches, json_ev)
        assert row.ms is answer(expr.matches, struct_ev)
        assert row.mixed is answer((expr if row.id % 2 == 0 else page).matches, json_ev)
        assert row.none is None
        assert (None if row.p is None else canonical(json.loads(row.p))) == answer(
            lambda e: canonical(mapping.apply(e)), json_ev)


def test_an_invalid_rule_in_sql_fails_the_query_with_the_library_error(
        spark: SparkSession) -> None:
    fql.spark.register(spark)
    with pytest.raises(PythonException, match="FqlSyntaxError"):
        spark.sql("""SELECT fql_match('type == "track"', '{}')""").collect()


# --- errors when the job is defined (no job runs) -------------------------------------


def test_invalid_rules_fail_when_the_job_is_defined(frame: DataFrame) -> None:
    with pytest.raises(fql.FqlSyntaxError) as caught:
        fql.spark.matches('type == "track"', "value")
    with pytest.raises(fql.FqlSyntaxError) as direct:
        fql.compile('type == "track"')
    assert caught.value.code == direct.value.code
    with pytest.raises(fql.FqlSyntaxError):
        fql.spark.filter(frame, "type = ", column="value")
    with pytest.raises(actions.MappingError):
        fql.spark.apply_mapping({"x": {"@path": "$.a", "@template": "b"}}, "value")
    with pytest.raises(actions.TriggerError):
        fql.spark.apply_mapping(MAPPING, "value", trigger="type = ")
    with pytest.raises(RuleError, match="filter 0"):
        fql.spark.apply_filters(frame, [{"if": "type = ", "actions": [{"type": "DROP"}]}])
    lenient = FilterList.load([{"if": "type = ", "actions": [{"type": "DROP"}]}])
    with pytest.raises(RuleError):
        fql.spark.apply_filters(frame, lenient)
    broken = {"destinations": [{"name": "A", "mappings": [
        {"trigger": "type = ", "mapping": {"a": 1}}]}]}
    with pytest.raises(RoutingError, match=r"destinations\[0\]\.mappings\[0\]\.trigger"):
        fql.spark.route(frame, broken)


def test_event_columns_are_checked_when_the_job_is_defined(spark: SparkSession,
                                                           frame: DataFrame) -> None:
    with pytest.raises(fql.spark.EventColumnError, match="no column 'nope'"):
        fql.spark.filter(frame, "true", column="nope")
    with pytest.raises(fql.spark.EventColumnError, match="holds bigint"):
        fql.spark.route(frame, WORKSPACE, column="id")
    timed = spark.sql("SELECT named_struct('type', 'track', 'at', "
                      "named_struct('t', current_timestamp())) AS value")
    with pytest.raises(fql.spark.EventColumnError, match=r"field at\.t is timestamp") as err:
        fql.spark.apply_filters(timed, FILTERS)
    assert err.value.code == "SPK101" and err.value.path == "at.t"
    with pytest.raises(fql.spark.EventColumnError, match="rename"):
        fql.spark.apply_filters(frame.withColumn("reason", F.lit(1)), FILTERS)
