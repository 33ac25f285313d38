"""What a Spark Python worker runs on one Arrow batch: events in, answers out.

Every function here takes Arrow data (a column, or a record batch for the DataFrame
functions), reads the events once, hands them to the compiled rule's *batch* entry point
(``Expression.matches_many``, ``Trigger.matches_many``, ``Mapping.apply_batch``; the
loop runs in the kernel) and builds the Arrow result. The rule comes from
:func:`fql.spark.rules.compiled`, so it is compiled once per worker process, not per
batch or row. Nothing here imports pyspark: the tests drive these functions with plain
pyarrow data as well as through Spark.

Reading events (docs/semantics/spark.md):

* a string (or binary) column holds JSON text. It is parsed with orjson when installed,
  falling back to ``json.loads`` for what orjson refuses or reads differently (``NaN``,
  ``1e400``, integers beyond 64 bits, lone surrogates), so every row reads as
  ``json.loads`` reads it;
* a struct (or map) column holds the event itself. A null field reads as a *missing*
  field, as Spark's ``to_json`` writes it: a Spark schema cannot tell the two apart, and
  the schema gives every row every field;
* a null row, text that is not JSON, or JSON that is not an object is an invalid event:
  its answer is null (``matches``, ``evaluate``, ``apply_mapping``), the filters drop it
  with reason ``invalid_event``, routing gives every destination "Invalid event". A rule
  that raises for one event (an event nested deeper than the limits, a value that is not
  JSON in a struct, a mapping Segment's kit throws on) answers null for that row. One
  bad row never fails the batch or the job.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain
from typing import Any

import pyarrow as pa

from fql.filters import FilterList, FilterOrder, FilterResult
from fql.routing import INVALID_EVENT

from .rules import Kind, RuleSpec, compiled

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the [fast] extra
    orjson = None  # type: ignore[assignment]  # the extra is optional: None means absent

#: The ``reason`` of a row whose event cannot be read (``apply_filters``).
INVALID_EVENT_REASON = "invalid_event"


class Invalid:
    """A row that holds no event, and why (the ``detail`` of an "Invalid event")."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_NULL_ROW = Invalid("the event is null")


# --- reading events ----------------------------------------------------------------


#: Every byte to itself but the digits, which become ``0``: a run of 19 zeros in the
#: translated text marks a number orjson may read differently from ``json.loads`` (an
#: integer beyond 64 bits, which orjson turns into a float). Digits inside strings
#: match too; they only cost the slower parser.
_DIGITS_AS_ZERO = bytes(ord("0") if b in b"0123456789" else b for b in range(256))
_NINETEEN_DIGITS = b"0" * 19


def _long_digit_rows(texts: list[bytes | None]) -> set[int]:
    """The rows whose text holds 19 digits in a row. One translation and search over
    the joined chunk (two C-level passes), not one per row: the common chunk has none."""
    joined = b"\n".join(t or b"" for t in texts).translate(_DIGITS_AS_ZERO)
    found = joined.find(_NINETEEN_DIGITS)
    if found < 0:
        return set()
    starts = list(accumulate((len(t or b"") + 1 for t in texts[:-1]), initial=0))
    rows = set()
    while found >= 0:
        row = bisect_right(starts, found) - 1
        rows.add(row)
        found = joined.find(_NINETEEN_DIGITS, starts[row + 1] if row + 1 < len(starts)
                            else len(joined))
    return rows


def _fast_loads(text: bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # it accepts a little more, or raises the same way


def _read_text(text: bytes | None, exact: bool = False) -> Any:
    """The event in ``text``: orjson's reading, or ``json.loads``'s where orjson would
    differ or refuses (``exact`` rows; ``NaN``, ``1e400``, lone surrogates)."""
    if text is None:
        return _NULL_ROW
    try:
        event = _fast_loads(text) if orjson is not None and not exact else json.loads(text)
    except (ValueError, RecursionError) as err:  # JSONDecodeError, bad UTF-8, too deep
        return Invalid(f"not JSON: {err}")
    if type(event) is not dict:
        return Invalid(f"an event is a JSON object, not {type(event).__name__}")
    return event


def _text_chunk(texts: list[bytes | None]) -> list[Any]:
    """The entries of a chunk of text rows. The common chunk (every row an object that
    orjson reads as ``json.loads`` does) is parsed in one ``map``; any other chunk row by
    row, each with the parser that reads it exactly."""
    if orjson is None:
        return [_read_text(t, True) for t in texts]
    exact = _long_digit_rows(texts)
    if not exact and None not in texts:
        try:
            events = list(map(orjson.loads, texts))  # type: ignore[arg-type]  # no None here
        except orjson.JSONDecodeError:
            pass
        else:
            if all(type(e) is dict for e in events):
                return events
    return [_read_text(t, i in exact) for i, t in enumerate(texts)]


def _without_nulls(value: Any) -> Any:
    """``value`` with every null object member left out (as ``to_json`` writes it)."""
    if type(value) is dict:
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if type(value) is list:
        return [_without_nulls(v) for v in value]
    return value


#: Rows parsed and answered together. Small on purpose: parsing a whole Arrow batch
#: (10,000 rows) before evaluating keeps every event alive at once, and the allocator
#: and the garbage collector then cost more than the kernels save (measured 3-5x slower
#: per event than 64 rows at a time, which run as fast as one row at a time while still
#: going through the batch entry points).
CHUNK_ROWS = 64


def _event_chunks(array: pa.Array) -> Iterator[list[Any]]:
    """The rows' entries (the event, a dict, or an :class:`Invalid`), :data:`CHUNK_ROWS`
    at a time, each chunk parsed when it is reached."""
    kind = array.type
    if pa.types.is_struct(kind) or pa.types.is_map(kind):
        for start in range(0, len(array), CHUNK_ROWS):
            rows = array.slice(start, CHUNK_ROWS).to_pylist(maps_as_pydicts="strict")
            yield [_NULL_ROW if row is None else _without_nulls(row) for row in rows]
        return
    if pa.types.is_string(kind) or pa.types.is_binary(kind):
        # The UTF-8 bytes as they are (a cast without a copy): both parsers take bytes.
        texts = array.cast(pa.binary()).to_pylist()
    elif pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
        texts = array.cast(pa.large_binary()).to_pylist()
    else:
        raise TypeError(f"an event column holds JSON text or a struct, not {kind}")
    for start in range(0, len(texts), CHUNK_ROWS):
        yield _text_chunk(texts[start:start + CHUNK_ROWS])


def iter_events(array: pa.Array) -> Iterator[Any]:
    """One entry per row, in order: the event (a dict) or an :class:`Invalid`."""
    return chain.from_iterable(_event_chunks(array))


def read_events(array: pa.Array) -> list[Any]:
    """Every row's entry of :func:`iter_events`, in a list."""
    return list(iter_events(array))


# --- writing values ----------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A read-only mapping or sequence a result may hold, as the dict or list JSON
    encoders take."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, Sequence)) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any) -> str:
    """Compact JSON text, keys in their order, non-ASCII kept, ``NaN`` and infinities
    written as ``null`` (as ``JSON.stringify`` does: JSON has no such numbers). What
    orjson refuses (integers beyond 64 bits, lone surrogates) goes to the exact encoder,
    which then escapes non-ASCII so that the text is always valid UTF-8."""
    if orjson is not None:
        try:
            return orjson.dumps(value, default=_plain).decode("utf-8")
        except TypeError:
            pass
    return json.dumps(_finite(value), separators=(",", ":"), default=_plain)


def _finite(value: Any) -> Any:
    if type(value) is float:
        return value if value - value == 0 else None  # NaN and infinities
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


# --- the batch loop ----------------------------------------------------------------

#: What a row gets when it has no answer (an invalid event, or a rule that raised).
NO_ANSWER: Any = object()


def _answers(events: list[Any], many: Callable[[list[Any]], list[Any]],
             one: Callable[[Any], Any], missing: Any = None) -> list[Any]:
    """``many`` over the rows that hold an event (one call: the kernel's loop),
    ``missing`` for the others. When ``many`` raises for some event, each row is asked
    alone and the rows that raise get ``missing``."""
    valid = [i for i, e in enumerate(events) if type(e) is dict]
    out: list[Any] = [missing] * len(events)
    if not valid:
        return out
    chosen = events if len(valid) == len(events) else [events[i] for i in valid]
    try:
        results = many(chosen)
    except Exception:  # one event the rule cannot read: find it, keep the rest
        results = []
        for event in chosen:
            try:
                results.append(one(event))
            except Exception:
                results.append(missing)
    for i, result in zip(valid, results, strict=True):
        out[i] = result
    return out


def matches_array(spec: RuleSpec, array: pa.Array) -> pa.Array:
    """``rule.matches`` for each row (FQL or a trigger); null for an invalid row."""
    rule = compiled(spec)
    out: list[bool | None] = []
    for events in _event_chunks(array):
        out += _answers(events, rule.matches_many, rule.matches)
    return pa.array(out, pa.bool_())


def evaluate_array(spec: RuleSpec, array: pa.Array) -> pa.Array:
    """The FQL value of each row as JSON text (``null`` for FQL's null); a null row
    where there is no value (an invalid event)."""
    evaluate = compiled(spec).evaluate
    out: list[str | None] = []
    for events in _event_chunks(array):
        values = _answers(events, lambda chunk: [evaluate(e) for e in chunk], evaluate,
                          NO_ANSWER)
        out += [None if v is NO_ANSWER else dumps(v) for v in values]
    return pa.array(out, pa.string())


def map_array(mapping_spec: RuleSpec, trigger_spec: RuleSpec | None,
              array: pa.Array) -> pa.Array:
    """Each row's payload as JSON text; null where the trigger does not match, the
    mapping yields nothing (JS ``undefined``), or the row has no event."""
    mapping = compiled(mapping_spec)
    trigger = None if trigger_spec is None else compiled(trigger_spec)

    def apply_one(event: Any) -> Any:
        return mapping.apply(event, missing=NO_ANSWER)

    def apply_many(events: list[Any]) -> list[Any]:
        return mapping.apply_batch(events, missing=NO_ANSWER)

    out: list[str | None] = []
    for events in _event_chunks(array):
        if trigger is not None:
            matched = _answers(events, trigger.matches_many, trigger.matches)
            events = [e if m is True else _NOT_TRIGGERED
                      for e, m in zip(events, matched, strict=True)]
        payloads = _answers(events, apply_many, apply_one, NO_ANSWER)
        out += [None if p is NO_ANSWER else dumps(p) for p in payloads]
    return pa.array(out, pa.string())


_NOT_TRIGGERED = Invalid("the trigger does not match")


def _by_rule(texts: pa.Array, array: pa.Array, kind: Kind,
             run: Callable[[RuleSpec, pa.Array], pa.Array], out_type: pa.DataType) -> pa.Array:
    """SQL functions take the rule as a column: ``run`` once per distinct rule text in
    the batch (usually one literal), each compiled once per worker. A null rule gives
    null rows; a rule that cannot be compiled raises the library's error."""
    rows: dict[str, list[int]] = {}
    for index, text in enumerate(texts.to_pylist()):
        if text is not None:
            rows.setdefault(text, []).append(index)
    if len(rows) == 1 and len(next(iter(rows.values()))) == len(array):
        return run(RuleSpec(kind, next(iter(rows))), array)
    out: list[Any] = [None] * len(array)
    for text, indices in rows.items():
        answers = run(RuleSpec(kind, text), array.take(pa.array(indices, pa.int64())))
        for index, answer in zip(indices, answers.to_pylist(), strict=True):
            out[index] = answer
    return pa.array(out, out_type)


def match_by_rule(texts: pa.Array, array: pa.Array) -> pa.Array:
    """SQL ``fql_match(rule, value)``: :func:`matches_array` with FQL text per row."""
    return _by_rule(texts, array, "fql", matches_array, pa.bool_())


def map_by_rule(mappings: pa.Array, array: pa.Array) -> pa.Array:
    """SQL ``fql_map(mapping_json, value)``: :func:`map_array` with mapping JSON per
    row (Segment's directives only; no trigger)."""
    return _by_rule(mappings, array, "mapping",
                    lambda spec, values: map_array(spec, None, values), pa.string())


# --- DataFrame functions: record batch in, record batch out ---------------------------


def _with_columns(batch: pa.RecordBatch, rows: Sequence[int], drop: int | None,
                  replace: tuple[int, pa.Array] | None,
                  extra: Iterable[tuple[str, pa.Array]]) -> pa.RecordBatch:
    """The ``rows`` of ``batch`` (in that order, repeats allowed), without column
    ``drop``, with column ``replace[0]`` replaced, and the ``extra`` columns after."""
    taken = batch.take(pa.array(rows, pa.int64()))
    names, arrays = [], []
    for index, name in enumerate(batch.schema.names):
        if index == drop:
            continue
        names.append(name)
        arrays.append(replace[1] if replace is not None and replace[0] == index
                      else taken.column(index))
    for name, array in extra:
        names.append(name)
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def task_filters(spec: RuleSpec, seed: int | None, partition: int) -> FilterList:
    """The filters one task applies. With a ``seed`` and a random (path-less)
    ``SAMPLE`` among them, the task loads its own copy with a generator derived from the
    seed and its partition, so a rerun of the task keeps the same rows; otherwise the
    worker's compiled filters (random samples then draw from the ``random`` module, as
    the library's do by default)."""
    if seed is None or not dict(spec.options)["random_sampling"]:
        return compiled(spec)
    return FilterList.load(json.loads(spec.source), strict=True,
                           order=FilterOrder(dict(spec.options)["order"]),
                           rng=random.Random(f"{seed}:{partition}"))


def filter_batch(filters: FilterList, batch: pa.RecordBatch, column: int, *,
                 keep_dropped: bool) -> pa.RecordBatch:
    """A destination's filters on each row's event: the kept rows, their event column
    holding the event the filters left (JSON text, or a struct of the same type), and a
    ``reason`` column (``fields_removed`` or null); with ``keep_dropped`` the dropped rows
    too, their event null and their reason the library's (``dropped``, ``sampled_out``,
    ``invalid_rule``) or ``invalid_event``."""
    source = batch.column(column)
    rows: list[int] = []
    kept: list[Any] = []
    reasons: list[str | None] = []
    for index, event in enumerate(iter_events(source)):
        if type(event) is dict:
            try:
                result: FilterResult | None = filters.apply(event)
            except Exception:  # an event the filters cannot read (nested too deeply...)
                result = None
        else:
            result = None
        if result is None:
            if keep_dropped:
                rows.append(index)
                kept.append(None)
                reasons.append(INVALID_EVENT_REASON)
            continue
        if result.event is None and not keep_dropped:
            continue
        rows.append(index)
        kept.append(result.event)
        reasons.append(None if result.reason is None else result.reason.value)
    kind = source.type
    events = (pa.array([None if e is None else dumps(e) for e in kept], kind)
              if pa.types.is_string(kind) or pa.types.is_large_string(kind)
              else pa.array([None if e is None else dumps(e).encode() for e in kept], kind)
              if pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
              else pa.array(kept, kind))
    return _with_columns(batch, rows, None, (column, events),
                         [("reason", pa.array(reasons, pa.string()))])


def route_batch(spec: RuleSpec, batch: pa.RecordBatch, column: int, *,
                reasons: bool) -> pa.RecordBatch:
    """Each row's event through the workspace: one output row per payload sent
    (``destination``, ``payload`` as JSON text), the row's other columns repeated and its
    event column left out; with ``reasons``, also one row per destination not sent to,
    with a null payload, its ``reason`` and ``detail``."""
    router, names = compiled(spec)
    rows: list[int] = []
    destinations: list[str] = []
    payloads: list[str | None] = []
    why: list[str | None] = []
    details: list[str | None] = []
    for index, event in enumerate(iter_events(batch.column(column))):
        if type(event) is not dict:
            if reasons:
                for name in names:
                    rows.append(index)
                    destinations.append(name)
                    payloads.append(None)
                    why.append(INVALID_EVENT)
                    details.append(event.message)
            continue
        result = router.route(event)
        for name in names:
            delivery = result[name]
            if delivery.payloads:
                for payload in delivery.payloads:
                    rows.append(index)
                    destinations.append(name)
                    payloads.append(dumps(payload))
                    why.append(None)
                    details.append(None)
            elif reasons:
                rows.append(index)
                destinations.append(name)
                payloads.append(None)
                why.append(delivery.reason)
                details.append(delivery.detail)
    extra = [("destination", pa.array(destinations, pa.string())),
             ("payload", pa.array(payloads, pa.string()))]
    if reasons:
        extra += [("reason", pa.array(why, pa.string())),
                  ("detail", pa.array(details, pa.string()))]
    return _with_columns(batch, rows, column, None, extra)
