"""Hostile input to the library's entry points (issue: bounded time and memory, a clear
error, nothing lost): constants handed out, IR text nested to exhaust the JSON parser,
event errors of the documented class, array writes far past the end."""

from __future__ import annotations

import json

import pytest

import fql
import fql.tsub as tsub
from fql.filters import FilterList
from fql.filters.errors import ARRAY_GROWTH, RuleError, RuleEventError
from fql.limits import DEFAULT_FILTER_LIMITS, DEFAULT_LIMITS
from fql.values import json_text_depth


def test_a_constant_list_from_evaluate_is_a_copy():
    # The text is cached by fql.compile, so a shared constant would leak between callers.
    first = fql.compile('["a", ["b"]]').evaluate({})
    first.append("c")
    first[1].append("d")
    assert fql.compile('["a", ["b"]]').evaluate({}) == ["a", ["b"]]
    folded = fql.from_ir({"value": [{"value": "x"}]})
    folded.evaluate({}).clear()
    assert folded.evaluate({}) == ["x"]


def test_a_constant_list_still_checks_the_event():
    with pytest.raises(fql.FqlEventError):
        fql.compile('["a"]').evaluate(["not", "an", "object"])


def _nots(n: int) -> list:
    ir: object = "userId"
    for _ in range(n):
        ir = ["!", ir]
    return ir  # type: ignore[return-value]


@pytest.mark.parametrize("as_text", [False, True])
def test_ir_depth_limit_passes_at_the_limit_and_fails_past_it(as_text):
    limit = DEFAULT_LIMITS.max_depth
    at, past = _nots(limit), _nots(limit + 1)
    fql.from_ir(json.dumps(at) if as_text else at)
    with pytest.raises(fql.FqlIRError) as info:
        fql.from_ir(json.dumps(past) if as_text else past)
    assert info.value.code == "FQL504"
    assert "max_depth" in info.value.message


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 5000 + "]" * 5000,
                                  '{"value":' * 5000 + "1" + "}" * 5000])
def test_deep_ir_text_is_refused_before_it_is_parsed(text):
    with pytest.raises(fql.FqlIRError) as info:
        fql.from_ir(text)
    assert info.value.code == "FQL504"
    with pytest.raises(RuleError):
        tsub.matches({}, {"type": "fql", "ir": text})
    with pytest.raises(RuleError):
        tsub.RuleSet.load([{"matchers": [{"type": "fql", "ir": text}],
                            "transformers": [[{"type": "drop"}]]}])


def test_deep_or_cyclic_ir_data_is_an_ir_error():
    cyclic: list = []
    cyclic.append(cyclic)
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    for ir in (cyclic, [cyclic], deep, {"value": cyclic}, {"no value": deep}):
        with pytest.raises(fql.FqlIRError):
            fql.from_ir(ir)


def test_json_text_depth_ignores_brackets_in_strings():
    assert json_text_depth('["[[[{", {"a": "]]"}]') == 2
    assert json_text_depth(r'["\"[[", []]') == 2
    assert json_text_depth(b"[[[]]]") == 3
    assert json_text_depth("1") == 0


def test_filter_list_raises_the_documented_event_error():
    cyclic: list = []
    cyclic.append(cyclic)
    filters = FilterList.load([{"if": "string(properties.x) = 'a'",
                                "actions": [{"type": "DROP"}]}])
    with pytest.raises(RuleEventError) as info:
        filters.apply({"properties": {"x": cyclic}})
    assert info.value.code == "FLT300"
    with pytest.raises(RuleEventError):
        filters.apply({"properties": {"x": {1, 2}}})


def _write_index(index: int, items: list) -> dict | None:
    return tsub.transform({"properties": {"items": items}}, [
        {"type": "map_properties",
         "config": {"map": {f"properties.items.{index}": {"set": 1}}}}])


def test_map_properties_array_growth_limit():
    growth = DEFAULT_FILTER_LIMITS.max_array_growth
    out = _write_index(growth, [])  # `growth` holes, then the value
    assert out is not None
    assert len(out["properties"]["items"]) == growth + 1
    assert _write_index(growth + 1, ["a"]) is not None  # counted from the array's end
    with pytest.raises(RuleEventError) as info:
        _write_index(growth + 1, [])
    assert info.value.code == ARRAY_GROWTH
    assert "max_array_growth" in info.value.message


def test_map_properties_to_the_largest_array_index_allocates_nothing():
    # 2**32 - 2 is the largest JS array index: a dense list would need 32 GB.
    with pytest.raises(RuleEventError):
        _write_index(2**32 - 2, [])
    # a key that is no array index is a property JSON never shows: nothing to allocate
    assert _write_index(2**32 - 1, [])["properties"]["items"] == []


def _deep_list(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("value", [_deep_list(1000), "cyclic"])
def test_string_of_a_deep_or_cyclic_value_is_an_event_error(backend, value):
    if value == "cyclic":
        value = []
        value.append(value)
    program = backend.program(fql.compile("string(a)"))
    with pytest.raises(fql.FqlEventError):
        program.evaluate({"a": value})


def test_string_of_a_number_beyond_the_double_range(backend):
    program = backend.program(fql.compile("string(a)"))
    assert program.evaluate({"a": 10**400}) == "Infinity"
    assert program.evaluate({"a": -(10**400)}) == "-Infinity"


@pytest.mark.parametrize("value", [[1], {}, None, 5, b"type = 'a'"])
def test_compile_of_a_non_string_is_an_fql_error(value):
    with pytest.raises(fql.FqlSyntaxError) as info:
        fql.compile(value)
    assert info.value.code == "FQL100"


def test_json_encode_of_a_non_string_key_is_an_input_error(backend):
    import actions
    from actions.mapping import MappingInputError

    mapping = actions.compile_mapping(
        {"x": {"@json": {"mode": "encode", "value": {"@path": "$.p"}}}})
    with pytest.raises(MappingInputError):
        backend.mapping(mapping).apply({"p": {1: "a"}})


def test_a_long_string_mapping_is_refused_before_it_spreads():
    import actions
    from fql.limits import DEFAULT_MAPPING_LIMITS

    limit = DEFAULT_MAPPING_LIMITS.max_mapping_values
    assert len(actions.compile_mapping("x" * (limit - 1)).apply({})) == limit - 1
    with pytest.raises(actions.MappingError) as info:
        actions.compile_mapping("x" * 1_000_000)
    assert "max_mapping_values" in str(info.value)
