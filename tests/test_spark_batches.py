"""What a Spark worker runs on one Arrow batch (``fql.spark.batches``) and what a job
ships to it (``fql.spark.rules``), driven with plain pyarrow data: no Spark session, so
these run on both backends in every CI run where the ``[spark]`` extra is installed."""

from __future__ import annotations

import datetime
import json
import pickle
import random
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("pyspark")

import actions  # noqa: E402
import fql  # noqa: E402
from benchmarks.events import generate  # noqa: E402
from fql.filters import FilterList  # noqa: E402
from fql.filters.errors import RuleError  # noqa: E402
from fql.routing import INVALID_EVENT, Router, load_config  # noqa: E402
from fql.spark import batches, rules  # noqa: E402

EVENTS = generate(300, seed=5)
TEXTS = [json.dumps(e) for e in EVENTS]


def invalid(entry: Any) -> bool:
    return isinstance(entry, batches.Invalid)


def test_text_rows_read_as_json_loads_reads_them() -> None:
    texts = [None, "{", "[1]", "5", '{"a": NaN}', '{"n": 123456789012345678901234567890}',
             '{"n": 18446744073709551616, "s": "\\ud800"}', '{"x": 1e400}', '{"a": 1}']
    for kind in (pa.string(), pa.large_string()):
        read = batches.read_events(pa.array(texts, kind))
        assert [invalid(e) for e in read] == [True] * 4 + [False] * 5
        assert read[0].message == "the event is null"
        assert read[1].message.startswith("not JSON")
        assert read[2].message == "an event is a JSON object, not list"
        for entry, text in zip(read[4:], texts[4:], strict=True):
            assert repr(entry) == repr(json.loads(text))  # exact ints, NaN, inf, surrogates
    as_bytes = batches.read_events(pa.array([b'{"a": 1}', b"\xff"], pa.binary()))
    assert as_bytes[0] == {"a": 1} and invalid(as_bytes[1])


def test_struct_rows_leave_null_fields_out() -> None:
    kind = pa.struct([("type", pa.string()), ("userId", pa.string()),
                      ("traits", pa.struct([("plan", pa.string())])),
                      ("prefs", pa.map_(pa.string(), pa.bool_())),
                      ("tags", pa.list_(pa.string()))])
    array = pa.array([{"type": "track", "userId": None, "traits": {"plan": None},
                       "prefs": [("ads", True)], "tags": ["a", None]}, None], kind)
    read = batches.read_events(array)
    assert read[0] == {"type": "track", "traits": {}, "prefs": {"ads": True},
                       "tags": ["a", None]}
    assert invalid(read[1])
    with pytest.raises(TypeError, match="JSON text or a struct"):
        batches.read_events(pa.array([1, 2]))


def test_matches_compiles_once_per_worker_and_answers_every_batch() -> None:
    rule = 'type = "track" and properties.revenue > 100 and event != "batches-test"'
    spec = rules.match_spec(rule)
    before = rules.compilations
    expr = fql.compile(rule)
    for start in range(0, len(TEXTS), 50):  # six batches
        chunk = TEXTS[start:start + 50]
        got = batches.matches_array(spec, pa.array(chunk)).to_pylist()
        assert got == [expr.matches(json.loads(t)) for t in chunk]
    assert rules.compilations - before == 1
    assert rules.compiled(spec) is rules.compiled(spec)


def test_a_row_the_rule_cannot_read_answers_null_and_the_others_still_answer() -> None:
    kind = pa.struct([("type", pa.string()), ("at", pa.timestamp("us"))])
    array = pa.array([{"type": "track", "at": None},
                      {"type": "track", "at": datetime.datetime(2024, 1, 1)},
                      {"type": "page", "at": None}], kind)
    spec = rules.match_spec('type = "track" and at = null')
    assert batches.matches_array(spec, array).to_pylist() == [True, None, False]
    with pytest.raises(fql.FqlEventError):  # what the library says about that row
        fql.compile('type = "track" and at = null').matches(
            {"type": "track", "at": datetime.datetime(2024, 1, 1)})


def test_evaluate_writes_fql_null_as_text_and_no_event_as_null() -> None:
    spec = rules.expression_spec("traits.plan")
    got = batches.evaluate_array(spec, pa.array(['{"traits": {"plan": "pro"}}', "{}",
                                                 None, "x"])).to_pylist()
    assert got == ['"pro"', "null", None, None]


def test_map_array_applies_only_where_the_trigger_matches() -> None:
    # Keys out of order: a payload's keys come in the mapping's order, as in the library.
    mapping = {"z": {"@path": "$.type"}, "event": {"@path": "$.event"},
               "missing": {"@path": "$.nope"}}
    trigger = actions.Trigger.parse('type = "track"')
    got = batches.map_array(rules.mapping_spec(mapping), rules.trigger_spec(trigger),
                            pa.array([*TEXTS, None, "[]"])).to_pylist()
    compiled = actions.compile_mapping(mapping)
    expected = [json.dumps(compiled.apply(e), separators=(",", ":"))
                if trigger.matches(e) else None for e in EVENTS] + [None, None]
    assert got == expected
    assert sum(p is not None for p in got) > 100
    root = batches.map_array(rules.mapping_spec({"@path": "$.nope"}), None,
                             pa.array(["{}"])).to_pylist()
    assert root == [None]  # JS undefined: no payload


def test_dumps_always_writes_valid_json_text() -> None:
    assert batches.dumps({"a": float("nan"), "b": [float("inf")]}) == '{"a":null,"b":[null]}'
    big = {"n": 2**70, "x": float("nan"), "s": "é\ud800"}
    text = batches.dumps(big)
    text.encode("utf-8")  # valid UTF-8
    assert json.loads(text) == {"n": 2**70, "x": None, "s": "é\ud800"}
    assert batches.dumps({"ü": "✓"}) == '{"ü":"✓"}'


def test_filter_batch_keeps_the_struct_type_and_nulls_removed_fields() -> None:
    kind = pa.struct([("userId", pa.string()),
                      ("properties", pa.struct([("email", pa.string()),
                                                ("plan", pa.string())]))])
    batch = pa.RecordBatch.from_arrays(
        [pa.array([1, 2, 3]), pa.array([{"userId": "u", "properties": {"email": "e",
                                                                         "plan": "p"}},
                                         {"userId": None, "properties": None}, None], kind)],
        names=["id", "value"])
    spec = rules.filters_spec([
        {"if": "length(userId) < 1", "actions": [{"type": "DROP"}]},
        {"if": "all", "actions": [{"type": "DROP_PROPERTIES",
                                   "fields": {"properties": ["email"]}}]}])
    filters = batches.task_filters(spec, None, 0)
    out = batches.filter_batch(filters, batch, 1, keep_dropped=True)
    assert out.schema.field("value").type == kind
    assert out.to_pylist() == [
        {"id": 1, "value": {"userId": "u", "properties": {"email": None, "plan": "p"}},
         "reason": "fields_removed"},
        {"id": 2, "value": None, "reason": "dropped"},
        {"id": 3, "value": None, "reason": "invalid_event"}]
    kept = batches.filter_batch(filters, batch, 1, keep_dropped=False)
    assert kept.column(0).to_pylist() == [1]


def test_seeded_random_sampling_is_the_same_per_partition_and_differs_between() -> None:
    spec = rules.filters_spec([{"if": "all", "actions": [{"type": "SAMPLE", "percent": 0.5}]}])
    batch = pa.RecordBatch.from_arrays([pa.array(TEXTS)], names=["value"])

    def kept(seed: int | None, partition: int) -> list[str]:
        filters = batches.task_filters(spec, seed, partition)
        return batches.filter_batch(filters, batch, 0, keep_dropped=False) \
            .column(0).to_pylist()

    assert kept(1, 0) == kept(1, 0)
    assert kept(1, 0) != kept(1, 1)
    assert 100 < len(kept(1, 0)) < 200
    # Without a random SAMPLE the worker's compiled filters serve every task.
    by_path = rules.filters_spec([{"if": "all", "actions": [
        {"type": "SAMPLE", "percent": 0.5, "path": "userId"}]}])
    assert batches.task_filters(by_path, 1, 0) is batches.task_filters(by_path, 1, 3)
    library = FilterList.load([{"if": "all", "actions": [
        {"type": "SAMPLE", "percent": 0.5, "path": "userId"}]}], rng=random.Random(0))
    got = batches.filter_batch(batches.task_filters(by_path, None, 0), batch, 0,
                               keep_dropped=False).column(0).to_pylist()
    assert [json.loads(t) for t in got] == [e for e in EVENTS
                                            if library.apply(e).event is not None]


def test_route_batch_repeats_the_other_columns_per_destination() -> None:
    config = load_config("examples/workspace.yaml")
    names = [d.name for d in config.destinations]
    texts = [*TEXTS[:40], "nope"]
    batch = pa.RecordBatch.from_arrays([pa.array(range(len(texts))), pa.array(texts)],
                                       names=["id", "value"])
    spec = rules.workspace_spec(config)
    out = batches.route_batch(spec, batch, 1, reasons=True)
    assert out.schema.names == ["id", "destination", "payload", "reason", "detail"]
    rows = out.to_pylist()
    assert len(rows) >= len(texts) * len(names)
    router = Router(config)
    for row in rows[:-len(names)]:
        delivery = router.route(EVENTS[row["id"]])[row["destination"]]
        if row["payload"] is None:
            assert (row["reason"], row["detail"]) == (delivery.reason, delivery.detail)
        else:
            assert json.loads(row["payload"]) in [json.loads(json.dumps(p))
                                                  for p in delivery.payloads]
    assert [(r["id"], r["destination"], r["reason"]) for r in rows[-len(names):]] == [
        (40, name, INVALID_EVENT) for name in names]
    assert rows[-1]["detail"].startswith("not JSON")
    sent = batches.route_batch(spec, batch, 1, reasons=False)
    assert sent.schema.names == ["id", "destination", "payload"]
    assert sent.num_rows == sum(r["payload"] is not None for r in rows)


def test_sql_rules_are_grouped_per_batch() -> None:
    texts = pa.array(['type = "track"', 'type = "page"', None, 'type = "track"'])
    values = pa.array(['{"type": "track"}', '{"type": "track"}', '{"type": "track"}',
                       '{"type": "page"}'])
    assert batches.match_by_rule(texts, values).to_pylist() == [True, False, None, False]
    with pytest.raises(fql.FqlSyntaxError):
        batches.match_by_rule(pa.array(["type =="]), pa.array(["{}"]))
    mapping = pa.array([json.dumps({"t": {"@path": "$.type"}})] * 2)
    assert batches.map_by_rule(mapping, values[:2]).to_pylist() == ['{"t":"track"}'] * 2


def test_specs_are_checked_on_the_driver_and_travel_as_plain_data() -> None:
    with pytest.raises(fql.FqlSyntaxError):
        rules.match_spec("type = ")
    with pytest.raises(actions.MappingError):
        rules.mapping_spec({"a": {"@path": 5}})
    with pytest.raises(RuleError):
        rules.filters_spec(FilterList.load([{"if": "(", "actions": [{"type": "DROP"}]}]))
    with pytest.raises(TypeError):
        rules.expression_spec(actions.Trigger.parse('type = "x"'))  # type: ignore[arg-type]
    from_ir = fql.from_ir('["=", "type", {"value": "track"}]')
    assert rules.match_spec(from_ir).compile().matches({"type": "track"})
    router = Router(load_config("examples/workspace.yaml"))
    specs = [rules.match_spec(actions.Trigger.parse('event = "a"', mode="segment")),
             rules.mapping_spec(actions.compile_mapping({"a": 1})),
             rules.filters_spec(json.loads(Path("examples/filters.json").read_text())),
             rules.workspace_spec(router)]
    for spec in specs:
        again = pickle.loads(pickle.dumps(spec))
        assert again == spec and hash(again) == hash(spec)
    assert rules.compiled(specs[0]).matches({"event": "a"})
    assert rules.compiled(specs[3])[1] == tuple(d.name for d in router.config.destinations)


def test_the_example_says_which_file_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    from fql.spark import example

    assert example.main(["--events", "no/such/events.jsonl"]) == 2
    assert "no such file: no/such/events.jsonl" in capsys.readouterr().err
