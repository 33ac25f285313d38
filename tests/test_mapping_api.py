"""Validation (every problem, with paths), limits (boundary tests), input safety
(no aliasing, no mutation, non-JSON / deep / cyclic events), extensions, builders and
``check_mapping``."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

import actions
from actions import MappingError, check_mapping, coalesce, compile_mapping, flatten, replace
from actions.mapping import MappingInputError, MappingLimits, MappingRuntimeError
from actions.mapping import liquid as liquid_module

# --------------------------------------------------------------------------- validation


def test_every_problem_is_listed_with_its_path() -> None:
    mapping = {
        "user_id": {"@if": {"exists": {"@path": 5}, "then": 1}},
        "mixed": {"@path": "a", "b": 1},
        "two": {"@path": "a", "@template": "b"},
        "unknown": {"@nope": 1},
        "json": {"@json": {"mode": "yaml", "value": 1}},
        "plan": {"@replace": {"value": "x", "pattern": "", "replacement": "r" * 11}},
        "merge": {"@merge": {"objects": [{"a": 1}, 5]}},
    }
    with pytest.raises(MappingError) as caught:
        compile_mapping(mapping)
    found = [(p.path, p.message) for p in caught.value.problems]
    assert found == [
        (
            "/user_id/@if/exists/@path",
            "should be a string or a mapping directive but it is a number.",
        ),
        ("/mixed", "should only have one @-prefixed key but it has 2 keys."),
        ("/two", "should only have one @-prefixed key but it has 2 keys."),
        ("/unknown", "has an invalid directive: @nope."),
        ("/json/@json/mode", 'should be one of encode, decode but it is "yaml".'),
        ("/plan/@replace/pattern", "should be a string of length 1 or greater."),
        ("/plan/@replace/replacement", "should be a string of length 10 or less."),
        (
            "/merge/@merge/objects/1",
            "should be a object or a mapping directive but it is a number.",
        ),
    ]
    assert all(p.code == "MAP001" for p in caught.value.problems)
    assert str(caught.value).splitlines()[0].startswith("/user_id/@if/exists/@path should be")


def test_unvalidated_places_throw_at_run_time_like_segment() -> None:
    # Segment's validation does not look inside arrays: the bad directive runs, and throws
    mapping = compile_mapping({"a": [{"@path": 5}], "b": {"@literal": {"x": {"@nope": 1}}}})
    with pytest.raises(MappingRuntimeError) as caught:
        mapping.apply({})
    assert caught.value.path == "/a/0/@path"
    assert isinstance(caught.value, MappingError)


def test_root_directive_errors() -> None:
    with pytest.raises(MappingError, match="single directive"):
        compile_mapping({"__segment_internal_directive": {"@path": "a", "@template": "b"}})
    with pytest.raises(MappingError, match="must be an object"):
        compile_mapping({"__segment_internal_directive": {"@path": "a"}})
    with pytest.raises(MappingError):
        compile_mapping(None)


def test_non_json_mapping() -> None:
    with pytest.raises(MappingError) as caught:
        compile_mapping({"a": {1, 2}, 3: "x"})
    assert {p.code for p in caught.value.problems} == {"MAP003"}


# --------------------------------------------------------------------------- limits


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("field", "at_limit", "over_limit"),
    [
        ("max_mapping_depth", _nested(4), _nested(5)),
        ("max_mapping_values", {f"k{i}": i for i in range(3)}, {f"k{i}": i for i in range(4)}),
        ("max_template_length", {"t": {"@template": "x" * 8}}, {"t": {"@template": "x" * 9}}),
    ],
)
def test_mapping_limits(field: str, at_limit: Any, over_limit: Any) -> None:
    value = {"max_mapping_depth": 4, "max_mapping_values": 4, "max_template_length": 8}[field]
    limits = MappingLimits(**{field: value})
    compile_mapping(at_limit, limits=limits)
    with pytest.raises(MappingError) as caught:
        compile_mapping(over_limit, limits=limits)
    assert caught.value.problems[0].code == "MAP002"
    assert field in caught.value.problems[0].message


def test_cyclic_mapping_is_reported_not_a_crash() -> None:
    mapping: dict[str, Any] = {}
    mapping["self"] = mapping
    with pytest.raises(MappingError, match="max_mapping_depth"):
        compile_mapping(mapping)


def test_liquid_length_limit_boundary() -> None:
    at = "{{ a }}" + "x" * 993
    assert len(at) == 1000
    assert compile_mapping({"@liquid": at}).apply({"a": 1}) == "1" + "x" * 993
    with pytest.raises(MappingRuntimeError, match="1000"):
        compile_mapping({"@liquid": at + "x"}).apply({})
    short = MappingLimits(max_liquid_length=10)
    with pytest.raises(MappingRuntimeError, match="limited to 10"):
        compile_mapping({"@liquid": "x" * 11}, limits=short).apply({})


def test_liquid_output_and_time_limits() -> None:
    doubling = "{% assign s = 'xxxxxxxxxx' %}" + "{% assign s = s | append: s %}" * 20 + "{{ s }}"
    with pytest.raises(MappingRuntimeError, match="exceeds"):
        compile_mapping({"@liquid": doubling}).apply({})
    no_time = MappingLimits(liquid_render_ms=0)
    with pytest.raises(MappingRuntimeError, match="time limit"):
        compile_mapping({"@liquid": "{{ a | upcase }}"}, limits=no_time).apply({"a": "x"})


def test_liquid_missing_is_a_compile_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> Any:
        raise liquid_module.LiquidUnavailable("@liquid needs python-liquid")

    monkeypatch.setattr(liquid_module, "_environment", unavailable)
    with pytest.raises(MappingError) as caught:
        compile_mapping({"x": {"@liquid": "{{ a }}"}})
    assert caught.value.problems[0].code == "MAP004"


def test_value_depth_limit_boundary() -> None:
    limits = MappingLimits(max_value_depth=3)
    mapping = compile_mapping({"v": {"@path": "v"}}, limits=limits)
    assert mapping.apply({"v": _nested(2)}) == {"v": _nested(2)}
    with pytest.raises(MappingInputError, match="max_value_depth"):
        mapping.apply({"v": _nested(4)})


# --------------------------------------------------------------------------- input safety

EVENT = {
    "userId": "u1",
    "properties": {
        "products": [{"sku": "a", "tags": ["x"]}],
        "nested": {"deep": {"k": [1, {"z": 2}]}},
    },
    "context": {"device": {"type": "ios"}},
}


def _all_directives_mapping() -> dict[str, Any]:
    return {
        "whole": {"@path": "$."},
        "props": {"@path": "$.properties"},
        "items": {"@arrayPath": ["$.properties.products"]},
        "shaped": {"@arrayPath": ["$.properties.products", {"tags": {"@path": "tags"}}]},
        "merged": {"@merge": {"objects": [{"@path": "properties.nested"}], "direction": "right"}},
        "if": {"@if": {"exists": {"@path": "properties"}, "then": {"@path": "properties.nested"}}},
        "flat": {
            "@flatten": {"value": {"@path": "properties"}, "separator": ".", "omitArrays": True}
        },
        "lit": {"@literal": {"p": {"@path": "properties.nested"}}},
        "excl": {"@excludeWhenNull": {"@path": "properties.nested"}},
        "json": {"@json": {"mode": "decode", "value": {"@path": "properties.nested"}}},
        "case": {"@case": {"operator": "upper", "value": {"@path": "properties.nested"}}},
        "tr": {
            "@transform": {
                "apply": {"n": {"@path": "properties.nested"}},
                "mapping": {"@path": "n"},
            }
        },
    }


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for v in value.values() for i in _containers(v))]
    if isinstance(value, list):
        return [id(value), *(i for v in value for i in _containers(v))]
    return []


def test_output_never_aliases_or_mutates_the_event() -> None:
    event = copy.deepcopy(EVENT)
    before = copy.deepcopy(event)
    result = compile_mapping(_all_directives_mapping()).apply(event)
    assert event == before
    assert not set(_containers(result)) & set(_containers(event))
    result["props"]["nested"]["deep"]["k"].append(3)
    result["whole"]["userId"] = "changed"
    assert event == before


def test_non_json_events() -> None:
    mapping = compile_mapping({"v": {"@path": "v"}, "t": {"@template": "{{w}}"}})
    with pytest.raises(MappingInputError, match="date"):
        mapping.apply({"v": datetime.date(2024, 1, 1)})
    with pytest.raises(MappingInputError, match="tuple"):
        mapping.apply({"v": (1, 2)})
    with pytest.raises(MappingInputError):
        mapping.apply([{"v": 1}])


def test_cyclic_event() -> None:
    event: dict[str, Any] = {"v": {}}
    event["v"]["self"] = event["v"]
    for mapping in ({"@path": "v"}, {"@json": {"mode": "encode", "value": {"@path": "v"}}},
                    {"@flatten": {"value": {"@path": "v"}, "separator": "."}}):  # fmt: skip
        with pytest.raises(MappingInputError):
            compile_mapping(mapping).apply(event)


def test_big_integers_become_js_doubles() -> None:
    mapping = compile_mapping({"v": {"@path": "v"}, "t": {"@template": "{{v}}"}})
    assert mapping.apply({"v": 12345678901234567890}) == {
        "v": 12345678901234567000,
        "t": "12345678901234567000",
    }


def test_apply_batch_and_missing() -> None:
    mapping = compile_mapping({"@path": "$.a"})
    sentinel = object()
    assert mapping.apply_batch([{"a": 1}, {}], missing=sentinel) == [1, sentinel]
    assert mapping.apply({}) is None


def test_public_names() -> None:
    for name in (
        "compile_mapping",
        "Mapping",
        "MappingError",
        "check_mapping",
        "coalesce",
        "replace",
        "flatten",
    ):
        assert getattr(actions, name) is getattr(actions.mapping, name)
    assert isinstance(compile_mapping({}), actions.Mapping)


# --------------------------------------------------------------------------- extensions


def test_jsonpath_extension_is_opt_in() -> None:
    event = {"properties": {"products": [{"sku": "a", "price": 5}, {"sku": "b", "price": 50}]}}
    plain = compile_mapping({"@path": "$..sku"})
    assert plain.apply(event) is None  # Segment reads ".sku": a top-level key
    ext = {"skus": {"@path": "$..sku"}, "all": {"@path": "$.properties.products[*].price"},
           "cheap": {"@path": "$.properties.products[?price < 10].sku"}}  # fmt: skip
    assert compile_mapping(ext, extensions=True).apply(event) == {
        "skus": ["a", "b"],
        "all": [5, 50],
        "cheap": ["a"],
    }
    codes = [d.code for d in check_mapping(ext, extensions=True)]
    assert codes == ["MAP201", "MAP201", "MAP201"]


def test_coalesce_extension() -> None:
    mapping = {"@coalesce": [{"@path": "a"}, {"@path": "b"}, "default"]}
    with pytest.raises(MappingError, match="invalid directive: @coalesce"):
        compile_mapping(mapping)
    compiled = compile_mapping(mapping, extensions=True)
    assert [compiled.apply(e) for e in ({"a": 0}, {"a": None, "b": ""}, {})] == [0, "", "default"]
    assert [d.code for d in check_mapping(mapping, extensions=True)] == ["MAP202"]
    with pytest.raises(MappingError):
        compile_mapping({"@coalesce": []}, extensions=True)


# --------------------------------------------------------------------------- builders


def test_coalesce_builder_writes_standard_if() -> None:
    """MP-03, AM-16: available means not null and not missing."""
    built = coalesce("$.userId", "$.anonymousId")
    assert built == {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"},
                             "else": {"@path": "$.anonymousId"}}}  # fmt: skip
    mapping = compile_mapping(built)
    assert mapping.apply({"userId": None, "anonymousId": "a"}) == "a"
    assert mapping.apply({"userId": "", "anonymousId": "a"}) == ""
    assert compile_mapping(coalesce("$.x", 0)).apply({}) == 0  # falsy fallback still used


def test_replace_builder() -> None:
    """MP-04: at most two replacements, each at most 10 characters."""
    built = replace("$.url", "https://", "", "www.", "")
    assert compile_mapping(built).apply({"url": "https://www.a.com"}) == "a.com"
    with pytest.raises(MappingError):
        replace("$.url", "x" * 11)
    with pytest.raises(MappingError):
        replace("$.url", "a", pattern2="b" * 11)
    assert check_mapping(built) == []


def test_flatten_builder() -> None:
    """MP-05 example: {a:{b:{c:1},d:2}} becomes {'a.b.c':1,'a.d':2}."""
    built = flatten("$.v")
    assert compile_mapping(built).apply({"v": {"a": {"b": {"c": 1}, "d": 2}}}) == {
        "a.b.c": 1,
        "a.d": 2,
    }
    with pytest.raises(MappingError):
        flatten("$.v", "")


# --------------------------------------------------------------------------- check_mapping


@pytest.mark.parametrize(
    ("mapping", "code", "path"),
    [
        ({"x": {"@if": {"blank": {"@path": "a"}, "then": 1}}}, "MAP101", "/x/@if/blank"),
        ({"x": {"@if": {"exists": {"@path": "a"}, "then": 1, "else": 0}}}, "MAP102", "/x/@if/else"),
        ({"x": {"@template": "{{properties}}"}}, "MAP103", "/x/@template"),
        ({"x": {"@merge": {"objects": [{"@literal": "USD"}], "direction": "right"}}}, "MAP104",
         "/x/@merge/objects/0"),
        ({"x": {"@merge": {"objects": [], "direction": "LEFT"}}}, "MAP105", "/x/@merge/direction"),
        ({"x": {"@json": {"mode": "ENCODE", "value": 1}}}, "MAP106", "/x/@json/mode"),
        ({"x": {"@replace": {"value": "v", "pattern": "a", "replacement": "$&!"}}}, "MAP107",
         "/x/@replace/replacement"),
        ({"x": {"@literal": {"a": {"@path": "b"}}}}, "MAP108", "/x/@literal"),
        ({"x": {"@flatten": {"value": 1, "separator": ".", "omitArrays": "no"}}}, "MAP109",
         "/x/@flatten/omitArrays"),
        ({"x": "$.userId"}, "MAP110", "/x"),
        ({"x": {"@path": 'properties["a.b"]'}}, "MAP111", "/x/@path"),
        ({"a/b": 1}, "MAP112", "/a/b"),
        ({"x": {"@path": "$..sku"}}, "MAP113", "/x/@path"),
        ({"x": {"@arrayPath": ["l", {"u": {"@path": "$.userId"}}]}}, "MAP114",
         "/x/@arrayPath/1/u/@path"),
        ({"x": {"@merge": {"objects": []}}}, "MAP010", "/x/@merge"),
        ({"x": {"@liquid": "{% for a in b %}{% endfor %}"}}, "MAP010", "/x/@liquid"),
        ({"x": {"@path": 1}}, "MAP001", "/x/@path"),
    ],
)  # fmt: skip
def test_check_rules(mapping: dict[str, Any], code: str, path: str) -> None:
    found = [(d.code, d.path) for d in check_mapping(mapping)]
    assert (code, path) in found
    severity = {d.code: d.severity for d in check_mapping(mapping)}[code]
    assert severity == ("warning" if code.startswith(("MAP1", "MAP2")) else "error")


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_mapping_is_clean_and_maps_the_example_events() -> None:
    example = json.loads((EXAMPLES / "mapping.json").read_text(encoding="utf-8"))
    events = json.loads((EXAMPLES / "mapping_events.json").read_text(encoding="utf-8"))
    assert check_mapping(example) == []
    first, second = compile_mapping(example).apply_batch(events)
    assert first["user_id"] == "user_42" and second["user_id"] == "anon_8"
    assert first["email"] == "ada@example.com" and "email" not in second
    assert [p["sku"] for p in first["products"]] == ["SKU-1", "SKU-2"]
    assert second["products"] == [{"product_id": "p3", "sku": "SKU-3", "price": 10}]
    assert first["device"] == {"type": "ios", "manufacturer": "Apple", "model": "iPhone15,2"}
    assert "coupon" not in first and second["coupon"] == "SPRING"
    assert first["page"] == "shop.example.com/checkout"
