"""JavaScript's number-to-text rules (``String(n)``) wherever a number is printed the way
Segment's JavaScript would print it: ``fql.js.js_number`` itself, generated trigger
text, ``@template``, ``@json`` and ``@liquid``.

The authority is ``tests/golden/js_number_text.json``: 1,016 doubles (edge cases, every
power of ten from 1e-30 to 1e30, random bit patterns, integers of every size, short
decimals at every scale) with the text Node prints for each
(``tests/generators/js_number_text.mjs`` writes it). Property tests then check the
rules on doubles hypothesis draws: shortest round-trip digits and JS's layout.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actions
from actions import Trigger
from fql.js import js_json, js_number, js_string

TABLE: list[tuple[str, str]] = [
    (bits, text) for bits, text in json.loads(
        (Path(__file__).parent / "golden" / "js_number_text.json").read_text())
]


def double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


FINITE = [(double(bits), text) for bits, text in TABLE if math.isfinite(double(bits))]


def test_table_is_complete() -> None:
    assert len(TABLE) == 1016
    texts = {text for _, text in TABLE}
    assert {"-0", "0", "1e+21", "1e-7", "NaN", "-Infinity", "5e-324"} & texts == {
        "0", "1e+21", "1e-7", "NaN", "-Infinity", "5e-324"}  # -0 prints as 0


@pytest.mark.parametrize(("bits", "text"), TABLE, ids=[b for b, _ in TABLE])
def test_js_number_matches_node(bits: str, text: str) -> None:
    value = double(bits)
    assert js_number(value) == text
    if math.isfinite(value) and value == int(value):
        assert js_number(int(value)) == text  # a Python int is the same double first
    assert js_string(value) == text


def test_json_text_of_numbers_matches_node() -> None:
    """``JSON.stringify`` prints finite numbers with the same text, others as null."""
    for bits, text in TABLE:
        value = double(bits)
        assert js_json(value) == (text if math.isfinite(value) else "null")


_MAPPING = actions.compile_mapping({
    "template": {"@template": "n={{properties.n}}"},
    "json": {"@json": {"mode": "encode", "value": {"@path": "$.properties.n"}}},
    "liquid": {"@liquid": "{{ properties.n }}"},
})


def test_mapping_directives_print_numbers_as_node() -> None:
    """``@template`` (``String()``), ``@json`` (``JSON.stringify``) and ``@liquid``
    (liquidjs writes numbers with ``String()``) on every finite table value."""
    for value, text in FINITE:
        out = _MAPPING.apply({"properties": {"n": value}})
        assert out == {"template": f"n={text}", "json": text, "liquid": text}, value


def test_generated_trigger_text_prints_numbers_as_node() -> None:
    for value, text in FINITE[::7]:
        tree = {"type": "group", "operator": "and", "children": [
            {"type": "event-property", "name": "n", "operator": ">", "value": value}]}
        assert Trigger.from_conditions(tree).fql == f"properties.n > {text}"


def _layout_is_javascripts(value: float, text: str) -> None:
    magnitude = abs(value)
    exponent_form = "e" in text
    if value == 0:
        assert text == "0"
    else:
        assert exponent_form == (magnitude >= 1e21 or magnitude < 1e-6), text
    if exponent_form:
        mantissa, exp = text.lstrip("-").split("e")
        assert exp[0] in "+-" and exp[1:].isdigit() and exp[1] != "0"
        assert "." not in mantissa or not mantissa.endswith("0")
    elif "." in text:
        assert not text.endswith("0") and not text.endswith(".")


@settings(max_examples=400, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_double_prints_shortest_round_trip_digits_in_js_layout(value: float) -> None:
    text = js_number(value)
    assert float(text) == value  # round trip (-0 prints 0, which is == -0.0)
    _layout_is_javascripts(value, text)
    digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    assert len(digits) <= len(repr(abs(value)).split("e")[0].replace(".", "").strip("0"))


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-(2**80), max_value=2**80))
def test_integers_print_as_their_double(value: Any) -> None:
    assert js_number(value) == js_number(float(value))
    if abs(value) < 2**53:
        assert js_number(value) == str(value)
