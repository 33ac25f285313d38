"""FQL semantics where Python's own rules would be wrong, and where the reference is
silent (each decision is written in docs/semantics.md)."""

from __future__ import annotations

import datetime
import math

import pytest

import fql


def value(text: str, event: dict | None = None) -> object:
    return fql.compile(text).evaluate(event if event is not None else {})


@pytest.mark.parametrize(
    ("text", "event", "expected"),
    [
        # True is not 1, 1 is 1.0 (DESIGN.md "Python traps").
        ("properties.x = 1", {"properties": {"x": True}}, False),
        ("properties.x = true", {"properties": {"x": 1}}, False),
        ("properties.x = 1", {"properties": {"x": 1.0}}, True),
        ("properties.x = 0", {"properties": {"x": False}}, False),
        ("properties.x != 1", {"properties": {"x": True}}, True),
        # Lists compare deeply and type-strictly.
        ("properties.x = [1, 2]", {"properties": {"x": [True, 2]}}, False),
        ("properties.x = [1, 2]", {"properties": {"x": [1.0, 2]}}, True),
        ("properties.x = properties.y", {"properties": {"x": {"a": [1]}, "y": {"a": [True]}}},
         False),
        ("properties.x = properties.y", {"properties": {"x": {"a": 1, "b": 2},
                                                        "y": {"b": 2, "a": 1}}}, True),
        # A missing field reads as null (FQL-05).
        ("properties.missing = null", {"properties": {}}, True),
        ("properties.missing.deeper = null", {}, True),
        ("properties.s.deeper = null", {"properties": {"s": "text"}}, True),
        # Huge integers stay exact.
        ("properties.n = 12345678901234567891", {"properties": {"n": 12345678901234567891}}, True),
        ("properties.n = 12345678901234567890", {"properties": {"n": 12345678901234567891}},
         False),
        # NaN equals nothing.
        ("properties.n = properties.n", {"properties": {"n": math.nan}}, False),
        # Ordering needs two numbers or two strings.
        ("properties.n > 100", {"properties": {"n": "150"}}, False),
        ("properties.n > '100'", {"properties": {"n": 150}}, False),
        ("properties.n > 100", {"properties": {"n": 150}}, True),
        ("properties.n > 100", {"properties": {"n": True}}, False),
        ("properties.s < 'b'", {"properties": {"s": "a"}}, True),
        ("properties.s < 'B'", {"properties": {"s": "a"}}, False),  # code points
        # `in`: scalar on the left, list on the right.
        ("properties.x in [1, 2]", {"properties": {"x": True}}, False),
        ("properties.x in [1, 2]", {"properties": {"x": 1.0}}, True),
        ("'a' in properties.s", {"properties": {"s": "abc"}}, False),
        ("properties.l in [[1]]", {"properties": {"l": [1]}}, False),
        # and / or / ! treat anything but true as false.
        ("properties.s and true", {"properties": {"s": "yes"}}, False),
        ("properties.s or true", {"properties": {"s": "yes"}}, True),
        ("!properties.s", {"properties": {"s": "yes"}}, True),
        ("!properties.flag", {"properties": {"flag": True}}, False),
        # List index segments.
        ("properties.products.0.sku = 'a'", {"properties": {"products": [{"sku": "a"}]}}, True),
        ("properties.products.5.sku = null", {"properties": {"products": [{"sku": "a"}]}}, True),
    ],
)
def test_semantics(text: str, event: dict, expected: bool) -> None:
    assert value(text, event) is expected


def test_rule_matches_only_exact_true() -> None:
    """A rule matches only when its value is exactly true (DESIGN.md)."""
    assert not fql.compile("properties.s").matches({"properties": {"s": "true"}})
    assert not fql.compile("properties.n").matches({"properties": {"n": 1}})
    assert fql.compile("properties.b").matches({"properties": {"b": True}})


def test_length_and_casing_of_non_strings_are_null() -> None:
    assert value("length(properties.n)", {"properties": {"n": 5}}) is None
    assert value("lowercase(properties.n)", {"properties": {"n": 5}}) is None
    assert value("typeof(properties.o)", {"properties": {"o": {}}}) == "object"


def test_length_counts_utf8_bytes() -> None:
    """EC-07 (the reference says bytes; Segment's device-mode code counts UTF-16)."""
    assert value("length(properties.s)", {"properties": {"s": "🎉"}}) == 4


@pytest.mark.parametrize(
    "odd",
    [datetime.datetime(2024, 1, 1), b"bytes", {1, 2}, (1, 2), object()],
    ids=["datetime", "bytes", "set", "tuple", "object"],
)
def test_non_json_values_raise_a_clear_error(odd: object) -> None:
    """Python values that are not JSON types raise FqlEventError when an operation
    looks at them (docs/semantics.md "Non-JSON values")."""
    event = {"properties": {"x": odd}}
    for text in ("properties.x = 'a'", "properties.x > 1", "length(properties.x)",
                 "properties.x in ['a']", "contains(properties.x, 'a')"):
        with pytest.raises(fql.FqlEventError) as info:
            fql.compile(text).matches(event)
        assert info.value.code == "FQL601"


def test_non_json_value_untouched_is_fine() -> None:
    event = {"type": "track", "properties": {"when": datetime.datetime(2024, 1, 1)}}
    assert fql.compile("type = 'track'").matches(event)


def test_event_must_be_an_object() -> None:
    with pytest.raises(fql.FqlEventError):
        fql.compile("type = 'track'").matches(["not", "an", "object"])


def test_cyclic_and_deep_values_raise_clearly() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(fql.FqlEventError) as info:
        fql.compile("properties.x = properties.y").matches(
            {"properties": {"x": cyclic, "y": cyclic}})
    assert info.value.code == "FQL602"
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(fql.FqlEventError):
        fql.compile("properties.x = properties.x").matches({"properties": {"x": deep}})


def test_evaluation_does_not_mutate_event() -> None:
    event = {"properties": {"products": [{"sku": "a"}], "s": "Mixed"}}
    snapshot = repr(event)
    fql.compile("lowercase(properties.s) = 'mixed' and properties.products.0.sku in ['a']")\
        .matches(event)
    assert repr(event) == snapshot


def test_glob_adversarial_input_is_linear() -> None:
    """A 100 KB subject against patterns that make backtracking engines explode."""
    subject = "a" * 100_000
    for pattern in ("*a*a*a*a*a*a*a*a*a*a*b", "*" + "a?" * 200 + "b", "a*" * 50 + "b"):
        assert fql.compile(f"match(properties.s, '{pattern}')").matches(
            {"properties": {"s": subject}}) is False


@pytest.mark.parametrize(
    ("subject", "pattern", "expected"),
    [
        ("a/b/c", "a*c", True),  # `*` crosses `/`
        ("abc", "a[", False),  # malformed: unclosed class
        ("ab", "ab\\", False),  # malformed: trailing escape
        ("a]", "a\\]", True),
        ("ab", "a[^b]", False),
        ("ax", "a[^b]", True),
        ("b", "[c-a]", False),  # reversed range is malformed
        ("é", "?", True),  # one character, not one byte
        ("ab", "a**b", True),
        ("", "", True),
        ("x", "", False),
    ],
)
def test_glob_details(subject: str, pattern: str, expected: bool) -> None:
    from fql.glob import glob_match

    assert glob_match(subject, pattern) is expected


def test_semver_device_mode_function() -> None:
    assert value("semver('1.10.0', '>', '1.9')") is True
    assert value("semver('1.2.3-beta', '=', '1.2.3')") is True
    assert value("semver('v1.2', '=', '1.2')") is False
    assert value("semver('1.2.3.4', '=', '1.2.3')") is False
    assert value("semver('1.2', '~', '1.2')") is False


def test_conversions() -> None:
    assert value("bool('yes')") is None
    assert value("bool([])") is False
    assert value("number('abc')") is None
    assert value("number(' 3 ')") == 3
    assert value("string(null)") == "null"
    assert value("string(1.5)") == "1.5"
    assert value("string(true)") == "true"


def test_expression_is_immutable_and_cached() -> None:
    expr = fql.compile("type = 'track'")
    assert fql.compile("type = 'track'") is expr
    with pytest.raises(AttributeError):
        expr.text = "other"  # type: ignore[misc]


def test_batch_entry_points() -> None:
    expr = fql.compile("type = 'track'")
    events = [{"type": "track"}, {"type": "page"}, {"type": "track", "n": 1}]
    assert expr.matches_many(events) == [True, False, True]
    assert expr.filter(events) == [events[0], events[2]]
    assert expr.filter(events)[0] is events[0]
