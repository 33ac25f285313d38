"""Each directive's documented examples (mapping-kit README) and each mapping quirk of
the conformance README (16-29), one named test per quirk. Checklist ids: MP-xx, AM-xx."""

from __future__ import annotations

from typing import Any

import pytest

from actions import MappingError, compile_mapping
from actions.mapping import MappingRuntimeError

_MISSING = object()


def apply(mapping: Any, event: dict[str, Any], **kwargs: Any) -> Any:
    return compile_mapping(mapping, **kwargs).apply(event, missing=_MISSING)


# --------------------------------------------------------------------------- README examples


def test_readme_overview() -> None:
    event = {
        "type": "track",
        "properties": {"neighborhood": "Latrobe", "noun": "neighbor", "sweaterColor": "red"},
    }
    mapping = {
        "name": "Mr. Rogers",
        "neighborhood": {"@path": "$.properties.neighborhood"},
        "greeting": {"@template": "Won't you be my {{properties.noun}}?"},
    }
    assert apply(mapping, event) == {
        "name": "Mr. Rogers",
        "neighborhood": "Latrobe",
        "greeting": "Won't you be my neighbor?",
    }


def test_readme_removing_values() -> None:
    mapping = {"foo": {"@path": "$.a"}, "bar": {"@path": "$.b"}, "baz": None}
    assert apply(mapping, {"a": 1}) == {"foo": 1, "baz": None}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"exists": {"@path": "$.a"}}, "yep"),
        ({"exists": {"@path": "$.nope"}}, "nope"),
        ({"blank": {"@path": "$.c"}}, "nope"),
    ],
)
def test_readme_if(cond: dict[str, Any], expected: str) -> None:
    mapping = {"@if": {**cond, "then": "yep", "else": "nope"}}
    assert apply(mapping, {"a": "cool", "b": True}) == expected


def test_readme_if_missing_branch_drops_field() -> None:
    event = {"a": "cool"}
    assert apply({"foo-exists": {"@if": {"exists": {"@path": "$.foo"}, "then": True}}}, event) == {}
    mapping = {"a": {"@if": {"exists": {"@path": "$.oops"}, "then": {"@path": "$.a"}}}}
    assert apply(mapping, event) == {}


@pytest.mark.parametrize(
    ("path", "expected"), [("$.hello", "world"), ("$.foo.bar", 42), ("$.foo.baz[0].num", 1)]
)
def test_readme_path(path: str, expected: Any) -> None:
    event = {"foo": {"bar": 42, "baz": [{"num": 1}, {"num": 2}]}, "hello": "world"}
    assert apply({"@path": path}, event) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hello, {{traits.name}}!", "Hello, Mr. Rogers!"),
        ("Hello, {{traits.fullName}}!", "Hello, !"),
        ("{{traits.name}} ({{userId}})", "Mr. Rogers (abc123)"),
    ],
)
def test_readme_template(template: str, expected: str) -> None:
    event = {"traits": {"name": "Mr. Rogers"}, "userId": "abc123"}
    assert apply({"@template": template}, event) == expected


def test_readme_literal() -> None:
    assert apply({"@literal": True}, {}) is True


def test_readme_array_path() -> None:
    event = {"properties": {"products": [{"productId": 1}, {"productId": 2}]}}
    assert apply({"@arrayPath": ["$.properties.products"]}, event) == [
        {"productId": 1},
        {"productId": 2},
    ]
    shaped = {"@arrayPath": ["$.properties.products", {"some_other_key": {"@path": "$.productId"}}]}
    assert apply(shaped, event) == [{"some_other_key": 1}, {"some_other_key": 2}]


def test_readme_case() -> None:
    event = {"properties": {"message": "THIS STRING IS IN ALL CAPS"}}
    mapping = {"@case": {"operator": "lower", "value": {"@path": "$.properties.message"}}}
    assert apply(mapping, event) == "this string is in all caps"


@pytest.mark.parametrize(
    ("event", "options", "expected"),
    [
        ({"a": "cool-story"}, {"pattern": "-", "replacement": ""}, "coolstory"),
        ({"a": "cool-story"}, {"pattern": "-", "replacement": "nice"}, "coolnicestory"),
        (
            {"a": "cWWl-story-ww"},
            {"pattern": "WW", "replacement": "oo", "ignorecase": False},
            "cool-story-ww",
        ),
        (
            {"a": "just-the-first"},
            {"pattern": "-", "replacement": "@", "global": False},
            "just@the-first",
        ),
        (
            {"a": "something-great!"},
            {"pattern": "-", "replacement": " ", "pattern2": "great", "replacement2": "awesome"},
            "something awesome!",
        ),
    ],
)
def test_readme_replace(event: dict[str, Any], options: dict[str, Any], expected: str) -> None:
    """MP-04, AM-17: literal (not regex) replacement, global, case-sensitive by default."""
    assert apply({"@replace": {"value": {"@path": "$.a"}, **options}}, event) == expected


def test_readme_merge() -> None:
    event = {
        "traits": {"name": "Mr. Rogers", "greeting": "Neighbor", "neighborhood": "Latrobe"},
        "properties": {"neighborhood": "Make Believe"},
    }
    right = {
        "@merge": {"objects": [{"@path": "traits"}, {"@path": "properties"}], "direction": "right"}
    }
    assert apply(right, event)["neighborhood"] == "Make Believe"
    flipped = {
        "@merge": {"objects": [{"@path": "properties"}, {"@path": "traits"}], "direction": "right"}
    }
    assert apply(flipped, event) == {
        "name": "Mr. Rogers",
        "greeting": "Neighbor",
        "neighborhood": "Latrobe",
    }
    defaults = {
        "@merge": {
            "objects": [
                {"name": "Missing name", "neighborhood": "Missing neighborhood"},
                {"@path": "traits"},
            ],
            "direction": "right",
        }
    }
    assert apply(defaults, {"traits": {"name": "Mr. Rogers"}}) == {
        "name": "Mr. Rogers",
        "neighborhood": "Missing neighborhood",
    }


def test_readme_transform() -> None:
    mapping = {
        "@transform": {
            "apply": {"foo": {"@path": "$.a"}},
            "mapping": {"newValue": {"@path": "$.foo"}},
        }
    }
    assert apply(mapping, {"a": 1, "b": 2}) == {"newValue": 1}


def test_readme_flatten() -> None:
    """MP-05, AM-18."""
    event = {"foo": {"bar": "baz", "aces": {"a": 1, "b": 2}}}
    mapping = {"@flatten": {"value": {"@path": "$.foo"}, "separator": "."}}
    assert apply(mapping, event) == {"bar": "baz", "aces.a": 1, "aces.b": 2}
    tags = {"foo": {"bar": "baz", "tags": [1, 2]}}
    omit = {"@flatten": {"value": {"@path": "$.foo"}, "separator": ".", "omitArrays": True}}
    assert apply(omit, tags) == {"bar": "baz", "tags": [1, 2]}
    assert apply(mapping, tags) == {"bar": "baz", "tags.0": 1, "tags.1": 2}


def test_readme_json() -> None:
    encode = {"@json": {"mode": "encode", "value": {"@path": "$.foo"}}}
    assert apply(encode, {"foo": {"bar": "baz"}}) == '{"bar":"baz"}'
    decode = {"@json": {"mode": "decode", "value": {"@path": "$.foo"}}}
    assert apply(decode, {"foo": '["bar","baz"]'}) == ["bar", "baz"]
    assert apply(decode, {"foo": "{oops"}) == "{oops"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hello, {{ properties.name }}!", "Hello, SpongeBob!"),
        ('{% if properties.world == "Bikini Bottom" %}Under the sea{% endif %}', "Under the sea"),
        ("{{ properties.name | upcase }}", "SPONGEBOB"),
    ],
)
def test_readme_liquid(template: str, expected: str) -> None:
    event = {"properties": {"name": "SpongeBob", "world": "Bikini Bottom"}}
    assert apply({"@liquid": template}, event) == expected


def test_readme_exclude_when_null() -> None:
    mapping = {
        "a": {"@excludeWhenNull": {"@path": "$.a"}},
        "b": {"@excludeWhenNull": {"@path": "$.b"}},
    }
    assert apply(mapping, {"a": None, "b": "hello"}) == {"b": "hello"}


def test_root_internal_directive() -> None:
    mapping = {
        "__segment_internal_directive": {"@transform": {"apply": {"p": {"@path": "$.properties"}}}},
        "total": {"@path": "$.p.total"},
    }
    assert apply(mapping, {"properties": {"total": 5}}) == {"total": 5}


# --------------------------------------------------------------------------- quirks 16-29


def test_quirk16_if_blank_and_exists() -> None:
    def blank(value: Any) -> Any:
        return apply(
            {"@if": {"blank": {"@path": "v"}, "then": "set", "else": "blank"}}, {"v": value}
        )

    assert [blank(v) for v in (0, False, [], [[]], "", None)] == ["blank"] * 6
    assert [blank(v) for v in (" ", "0", {}, 1, [0])] == ["set"] * 5
    both = {"@if": {"exists": {"@path": "v"}, "blank": {"@path": "v"}, "then": "e", "else": "b"}}
    assert apply(both, {"v": 0}) == "e"  # exists wins
    with pytest.raises(MappingRuntimeError, match="exists"):
        apply({"@if": {"exists": 0, "then": 1}}, {})
    assert apply({"x": {"@if": {"exists": {"@path": "no"}, "then": 1, "else": 0}}}, {}) == {}
    assert apply({"@if": {"exists": {"@path": "v"}, "then": 0, "else": 1}}, {"v": 1}) == 0


def test_quirk17_path_lookup() -> None:
    event = {"zero": 0, "empty": "", "nothing": None, "s": "abc", "a": [10, 20],
             "properties": {"total": 3, "first name": "Ann", "a": {"b": 1}}}  # fmt: skip
    assert apply({"@path": "properties.$.total"}, event) == 3
    assert apply({"@path": "$.$.x"}, event) is _MISSING
    assert apply({"@path": ""}, event) == event
    assert apply({"@path": "$."}, event) == event
    assert apply({"@path": "a[1]"}, event) == apply({"@path": "a.1"}, event) == 20
    assert apply({"@path": "properties['first name']"}, event) == "Ann"
    assert apply({"@path": 'properties["a.b"]'}, event) == 1
    assert apply({"@path": "zero.foo"}, event) == 0
    assert apply({"@path": "empty.foo"}, event) == ""
    assert apply({"@path": "nothing.foo"}, event) is None
    assert apply({"@path": "s.length"}, event) == 3
    assert apply({"@path": "s.1"}, event) == "b"
    assert apply({"@path": "a.length"}, event) == 2


def test_quirk18_template_string_conversion() -> None:
    event = {"o": {"k": 1}, "l": [1, None, "x"], "big": 1e21, "small": 1e-7, "n": 100.0}
    template = "{{o}}|{{l}}|{{missing}}|{{big}}|{{small}}|{{ n }}|{{{n}}}|{{}}"
    expected = "[object Object]|1,,x||1e+21|1e-7|100|100|{{}}"
    assert apply({"@template": template}, event) == expected
    assert apply({"@template": "{{ }}"}, event) == "[object Object]"


def test_quirk19_literal_resolves_directives() -> None:
    assert apply({"@literal": {"a": {"@path": "x"}}}, {"x": 1}) == {"a": 1}


def test_quirk20_array_path_roots_and_shapes() -> None:
    shape = {"id": {"@path": "$.id"}}
    assert apply({"@arrayPath": ["s", shape]}, {"s": "text"}) == "text"
    assert apply({"@arrayPath": ["o", shape]}, {"o": {"id": 7}}) == [{"id": 7}]
    assert apply({"@arrayPath": ["l", {}]}, {"l": [{"id": 1}]}) == [{"id": 1}]
    assert apply(
        {"@arrayPath": ["l", {"u": {"@path": "$.userId"}}]}, {"userId": "u", "l": [{}]}
    ) == [{}]
    assert apply({"@arrayPath": ["l", shape]}, {"l": [5, None]}) == [{}, {"id": None}]


def test_quirk21_case() -> None:
    assert apply({"@case": {"operator": "upper", "value": {"@path": "n"}}}, {"n": 5}) == 5
    with pytest.raises(MappingRuntimeError):
        apply({"@case": {"operator": "title", "value": "abc"}}, {})
    assert apply({"@case": {"operator": "title", "value": {"@path": "n"}}}, {"n": 1}) == 1
    assert apply({"x": {"@case": {"operator": "upper", "value": ""}}}, {}) == {}
    assert apply({"@case": {"operator": "upper", "value": "straße"}}, {}) == "STRASSE"
    assert apply({"@case": {"operator": "lower", "value": "ΟΔΟΣ"}}, {}) == "οδος"


def test_quirk22_replace() -> None:
    def replace(value: Any, **options: Any) -> Any:
        return apply({"@replace": {"value": {"@path": "v"}, **options}}, {"v": value})

    assert replace("a.b.c", pattern=".", replacement="-") == "a-b-c"  # literal pattern
    assert replace("ab", pattern="a", replacement="[$&]") == "[a]b"
    assert replace("ab", pattern="a", replacement="$$$1") == "$$1b"
    assert replace("xay", pattern="a", replacement="$`$'") == "xxyy"
    assert replace("Café CAFÉ", pattern="é", replacement="e", ignorecase=True) == "Cafe CAFe"
    assert replace(1.5, pattern=".", replacement=",") == "1,5"
    assert replace(True, pattern="t", replacement="T") == "True"
    assert [replace(v, pattern="a") for v in (None, {"a": 1})] == ["", ""]
    assert apply({"x": {"@replace": {"value": "", "pattern": "a"}}}, {}) == {}
    assert replace("aa", pattern="a", replacement="b", pattern2="b") == ""  # replacement2 ""
    with pytest.raises(MappingError):
        compile_mapping({"@replace": {"value": "x", "pattern": "a" * 11}})
    compile_mapping({"@replace": {"value": "x", "pattern": "a" * 10, "replacement": "b" * 10}})
    assert replace("x", pattern="a", pattern2="p" * 10, replacement2="r") == "x"
    with pytest.raises(MappingRuntimeError, match="less than 10"):
        replace("x", pattern="a", pattern2="p" * 11)


def test_quirk23_merge() -> None:
    def merge(objects: list[Any], direction: str = "right") -> Any:
        return apply({"@merge": {"objects": objects, "direction": direction}}, {"s": "USD"})

    assert merge([{"@path": "s"}]) == {"0": "U", "1": "S", "2": "D"}
    assert merge([{"@literal": [7]}, {"a": 1}]) == {"0": 7, "a": 1}
    assert merge([{"@literal": 5}, {"@literal": None}, {"@path": "no"}]) == {}
    assert merge([{"a": 1}, {"a": 2}], "left") == {"a": 1}
    assert merge([{"a": 1}, {"a": 2}], "LEFT") == {"a": 2}  # validated, but acts as right
    assert merge([{"a": 1}, {"a": {"@path": "no"}}]) == {}  # an undefined member overrides
    with pytest.raises(MappingRuntimeError, match="direction"):
        apply({"@merge": {"objects": []}}, {})


def test_quirk24_flatten() -> None:
    def flatten(value: Any, **options: Any) -> Any:
        return apply(
            {"@flatten": {"value": {"@path": "v"}, "separator": ".", **options}}, {"v": value}
        )

    assert flatten("x") == {"": "x"}
    assert apply({"@flatten": {"value": {"@path": "no"}, "separator": "."}}, {}) == {}
    assert flatten({"a": {}, "b": [], "c": 1}) == {"c": 1}
    assert flatten([1, [2]], omitArrays="no") == {"": [1, [2]]}
    assert flatten([1, [2]]) == {"0": 1, "1.0": 2}
    with pytest.raises(MappingRuntimeError, match="separator"):
        apply({"@flatten": {"value": 1}}, {})


def test_quirk25_json() -> None:
    def decode(value: Any) -> Any:
        return apply({"@json": {"mode": "decode", "value": {"@path": "v"}}}, {"v": value})

    assert decode('{"a":') == '{"a":'
    assert decode(5) == 5
    assert decode('{"__proto__": 1, "b": 2}') == {"b": 2}
    assert decode("NaN") == "NaN"  # not JSON in JS either
    assert apply({"x": {"@json": {"mode": "encode", "value": {"@path": "no"}}}}, {}) == {}
    with pytest.raises(MappingRuntimeError, match="value"):
        apply({"@json": {"mode": "encode", "value": 0}}, {})
    assert apply({"@json": {"mode": "encode", "value": {"@path": "z"}}}, {"z": 0}) == "0"
    assert apply({"x": {"@json": {"mode": "ENCODE", "value": "a"}}}, {}) == {}
    encoded = apply({"@json": {"mode": "encode", "value": {"@path": "v"}}}, {"v": {"b": 1, "1": 2}})
    assert encoded == '{"1":2,"b":1}'  # JS key order


def test_quirk26_exclude_when_null() -> None:
    value = {"a": None, "b": {"c": None, "d": 0}, "l": [None]}
    assert apply({"@excludeWhenNull": {"@path": "v"}}, {"v": value}) == {"b": {"d": 0}, "l": [None]}


def test_quirk27_transform() -> None:
    mapping = {
        "@transform": {
            "apply": {
                "@if": {
                    "exists": {"@path": "a"},
                    "then": {"x": {"@path": "a"}, "y": {"@path": "no"}},
                }
            },
            "mapping": {"has_y": {"@if": {"exists": {"@path": "y"}, "then": True, "else": "no"}}},
        }
    }
    assert apply(mapping, {"a": 1}) == {"has_y": "no"}


def test_quirk28_liquid() -> None:
    event = {"o": {"a": 1}, "l": [1, "b"], "n": None, "t": True, "z": 0, "e": ""}
    assert apply({"@liquid": "{{o}}|{{l}}|{{n}}|{{t}}"}, event) == "[object Object]|1b||true"
    truth = "{% if z %}y{% endif %}{% if e %}y{% endif %}"
    assert apply({"@liquid": truth}, event) == "yy"
    for template in ("{% for x in l %}{% endfor %}", "{{ l | sort }}", "{{ l | reverse }}"):
        with pytest.raises(MappingRuntimeError):
            apply({"@liquid": template}, event)
    assert apply({"@liquid": ""}, event) == ""
    with pytest.raises(MappingRuntimeError, match="1000"):
        apply({"@liquid": "x" * 1001}, event)


def test_quirk29_structure() -> None:
    assert apply({"l": [{"@path": "no"}, 1]}, {}) == {"l": [None, 1]}
    assert apply(["a", {"@path": "x"}], {"x": 1}) == {"0": "a", "1": 1}
    assert apply("ab", {}) == {"0": "a", "1": "b"}
    assert apply(5, {}) == {}
    with pytest.raises(MappingError):
        compile_mapping({"@path": "x", "other": 1})
    compile_mapping({"@path": "x", "_metadata": {"label": "User"}})
    with pytest.raises(MappingError, match="data must be an object"):
        compile_mapping({}).apply(None)
