"""Decoding only the fields a rule reads (``fql.jsontext.FieldDecoder``) gives the answers
of a full decode: on generated events, on hostile mutations of their text, and through
``fql filter`` (whose ``--dropped`` output turns the partial path off)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions
import fql
from fql.cli import main
from fql.jsontext import FieldDecoder, FqlJsonError, loads_event

from .strategies import events as json_events

pytest.importorskip("msgspec")

RULES = ['type = "track" and event = "Order Completed"', "userId != null",
         "length(properties) > 1 or a = 1", "all", "context.a = traits",
         'trigger:type = "track" and properties.a > 1',
         'trigger:event = "x" or context.page.path = "/cart" or traits.n < 3']


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal keys and values, types and reprs included (``1`` is not ``1.0`` here)."""
    return sorted((k, repr(v)) for k, v in a.items()) == \
        sorted((k, repr(v)) for k, v in b.items())


def full(line: bytes) -> Any:
    try:
        return loads_event(line)
    except FqlJsonError as exc:
        return exc


mutations = st.tuples(st.one_of(st.just(1), st.integers(0, 200)), st.sampled_from(
    [b"", b",", b"]", b"{", b'"', b"\\", b"\xff", b"\xed\xa0\x80", b"NaN", b"1e400",
     b"\\ud800", b"\x01", b" ", b"01", b"\xef\xbb\xbf", b'"type":"track",', b"}",
     ]), st.integers(0, 3))
#: Whole members, inserted after the opening brace: JSON that only a careful reader
#: refuses (or reads differently), in a field a rule may or may not read.
members = st.sampled_from([
    b'"k":"\xff",', b'"k":"\xed\xa0\x80",', b'"k":NaN,', b'"k":1e400,', b'"k":"\\ud800",',
    b'"k":' + b"[" * 3 + b"]" * 3 + b",", b'"type":1e400,', b'"type":"\xff",',
    b'"event":18446744073709551616,', b'"type":"a","type":"track",', b'"k":"\x01",'])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_events, st.booleans(), st.lists(mutations, max_size=2), st.sampled_from(RULES),
       st.sampled_from([b""]) | members)
def test_partial_decode_answers_as_the_full_decode(
        event: dict[str, Any], ascii_only: bool, edits: list[tuple[int, bytes, int]],
        rule: str, member: bytes) -> None:
    event.setdefault("type", "track")
    line = json.dumps(event, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    line = line[:1] + member + line[1:]
    for at, insert, cut in edits:  # hostile edits of the text
        at = min(at, len(line))
        line = line[:at] + insert + line[at + cut:]
    expr: Any = fql.compile(rule) if not rule.startswith("trigger:") else \
        actions.Trigger.parse(rule.removeprefix("trigger:"))
    partial = FieldDecoder(expr.fields).decode(line)
    reference = full(line)
    if partial is None:
        return  # the caller decodes in full: the same answer by construction
    assert not isinstance(reference, FqlJsonError), (line, reference)
    assert same(partial, {k: v for k, v in reference.items() if k in expr.fields})
    try:
        expected: Any = expr.matches(reference)
    except (fql.FqlError, ValueError) as exc:
        expected = type(exc).__name__, str(exc)
    try:
        got: Any = expr.matches(partial)
    except (fql.FqlError, ValueError) as exc:
        got = type(exc).__name__, str(exc)
    assert got == expected


def test_big_numbers_and_duplicates_in_read_fields_are_exact() -> None:
    decode = FieldDecoder(frozenset({"id", "type"})).decode
    assert decode(b'{"id":18446744073709551616,"x":[1e400],"type":"a","type":"b"}') == \
        {"id": 18446744073709551616, "type": "b"}
    assert repr(decode(b'{"id":-0.0}')["id"]) == "-0.0"
    for refused in (b'{"id":1e400}', b"[1]", b'{"x":"\xff"}', b'{"x":NaN}',
                    b'{"id":"\\ud800"}', b"\xef\xbb\xbf{}"):
        assert decode(refused) is None  # the full decode decides


def test_fql_filter_keeps_the_same_lines_with_and_without_the_partial_path(
        tmp_path: Path) -> None:
    from benchmarks.events import generate

    lines = [json.dumps(e) for e in generate(2000)]
    lines[5] = "[1,2]"
    lines[9] = '{"type":"track","event":"Order Completed","x":"\\ud800"}'
    lines[11] = '{"type":"track","event":"Order Completed","n":1e400}'
    lines[12] = '{"type":"track","event":"Order Completed","n":NaN}'
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    rule = 'type = "track" and event = "Order Completed"'
    for argv in ([rule], ["--trigger", rule]):
        outs = []
        for extra in ([], ["--dropped", str(tmp_path / "d.jsonl")]):
            out, err = io.StringIO(), io.StringIO()
            main(["filter", *argv, str(source), *extra], out, err)
            outs.append((out.getvalue(), err.getvalue()))
        assert outs[0] == outs[1]
        assert outs[0][0].count("\n") > 10 and "invalid 2" in outs[0][1]
