"""fql.js, the JavaScript value core that triggers, mappings, tsub and filters share.

The first tests pin two bugs that came from each layer having its own copy of a JS rule:
array indexes read with ``str.isdigit`` (true for ``"²"`` and ``"١"``), and a
``JSON.stringify`` that kept Python's key order and did not escape lone surrogates.
"""

from __future__ import annotations

import json
import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fql.tsub
from actions import compile_mapping
from actions.mapping import runtime
from actions.trigger import matcher
from fql import js
from fql.filters import FilterList
from fql.filters import paths as filter_paths

from .strategies import json_values

EVENT = {"properties": {"items": [{"sku": "A", "price": 1}, {"sku": "B", "price": 2}]}}


@pytest.mark.parametrize("segment", ["²", "١", "٠", "𝟙", "01", "-1", "1.0", " 1", "4294967295"])
def test_only_canonical_ascii_decimals_index_an_array(segment: str) -> None:
    assert js.array_index(segment) == -1
    assert filter_paths.child(["a", "b"], segment) is js.UNDEFINED
    assert matcher.walk({"a": ["x", "y"]}, ("a", segment)) is js.UNDEFINED
    assert runtime.prop(["x", "y"], segment) is js.UNDEFINED


@pytest.mark.parametrize(("segment", "index"), [("0", 0), ("1", 1), ("12", 12),
                                                ("4294967294", 4294967294)])
def test_canonical_indexes(segment: str, index: int) -> None:
    assert js.array_index(segment) == index


@pytest.mark.parametrize("segment", ["²", "١"])
def test_a_filter_field_with_a_unicode_digit_names_no_element(segment: str) -> None:
    """``properties.items.²`` raised a bare ValueError out of ``FilterList.apply`` and
    ``properties.items.١`` indexed element 1; JS reads both as a missing property."""
    filters = FilterList.load([{"if": "all", "actions": [
        {"type": "DROP_PROPERTIES", "fields": {f"properties.items.{segment}": ["price"]}}]}])
    result = filters.apply(EVENT)
    assert result.event == EVENT
    assert result.removed_fields == ()


def test_a_tsub_write_to_a_unicode_digit_key_is_not_an_array_write() -> None:
    rule = [{"type": "map_properties", "config": {"map": {
        "properties.items.١": {"set": "x"}}}}]
    out = fql.tsub.transform(EVENT, rule)
    assert out is not None
    assert out["properties"]["items"] == EVENT["properties"]["items"]


def test_json_stringify_uses_js_key_order_everywhere() -> None:
    value = {"b": 1, "1": 2, "a": [{"10": 0, "2": 1, "x": None}]}
    expected = '{"1":2,"b":1,"a":[{"2":1,"10":0,"x":null}]}'
    assert js.js_json(value) == expected
    assert runtime.json_stringify(value, 10) == expected
    mapping = compile_mapping({"out": {"@json": {"mode": "encode", "value": {"@path": "$.v"}}}})
    assert mapping.apply({"v": value}) == {"out": expected}


def test_json_stringify_escapes_lone_surrogates() -> None:
    assert js.js_json("a\ud800b") == '"a\\ud800b"'
    assert js.js_json({"k\udc00": "😀"}) == '{"k\\udc00":"😀"}'


@given(json_values)
def test_js_json_is_json_and_round_trips_through_a_json_parser(value: object) -> None:
    text = js.js_json(value)
    assert text == runtime.json_stringify(value, 200)
    parsed = json.loads(text)
    assert js.js_json(parsed) == text


@pytest.mark.parametrize(("value", "text"), [
    (1e21, "1e+21"), (1e-7, "1e-7"), (-0.0, "0"),
    (123456789012345678901234567890, "1.2345678901234568e+29"),
    (10**400, "Infinity"), (-(10**400), "-Infinity"), (0.1, "0.1"), (100.0, "100"),
    (math.nan, "NaN"), (2**53 + 1, "9007199254740992"),
])
def test_js_number(value: float, text: str) -> None:
    assert js.js_number(value) == text


def test_js_string_and_json_refuse_deep_values_with_the_project_error() -> None:
    from fql.errors import FqlEventError

    deep: list = []
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(FqlEventError, match="nested too deeply"):
        js.js_string(deep)
    with pytest.raises(FqlEventError, match="nested too deeply"):
        js.js_json(deep)
    cyclic: dict = {}
    cyclic["self"] = cyclic
    with pytest.raises(FqlEventError):
        js.js_json(cyclic)


@given(st.one_of(json_values, st.just(js.UNDEFINED)))
def test_one_truthiness(value: object) -> None:
    """Every layer's truthiness is the core's."""
    expected = js.js_truthy(value)
    assert runtime.truthy(value) is expected
    assert filter_paths.js_truthy(value) is expected
    assert matcher._falsy(value) is not expected


def test_one_undefined() -> None:
    assert runtime.UNDEFINED is matcher.MISSING is filter_paths.MISSING is js.UNDEFINED
    assert pickle.loads(pickle.dumps(js.UNDEFINED)) is js.UNDEFINED
    assert not js.UNDEFINED and repr(js.UNDEFINED) == "undefined"


def test_utf16() -> None:
    assert js.utf16_len("a😀") == 3
    assert js.utf16_units("a😀") == ["a", "\ud83d", "\ude00"]
    assert js.utf16_text("a😀") == "a\ud83d\ude00"
    assert matcher.units("a😀") == js.utf16_text("a😀")
