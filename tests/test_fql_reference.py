"""Every table of Segment's FQL reference (/docs/api/public-api/fql/) as cases.

Ids cite the checklist items (FQL-xx, EC-xx, Appendix A).
"""

from __future__ import annotations

import pytest

import fql

DOC_EVENT = {
    "event": "Button Clicked",
    "type": "track",
    "context": {"library": {"name": "analytics.js", "version": "1.0"}},
    "properties": {"features": ["discounts", "dark-mode"]},
}

# Appendix A, "Examples" table (FQL-23).
EXAMPLES = [
    ("event = 'Button Clicked'", True),
    ("event = 'Screen Tapped'", False),
    ("context.path.path = '/login'", False),  # FQL-05 / EC-02
    ("type = 'identify' or type = 'track'", True),
    ("event = 'Button Clicked' and type = 'track'", True),
    ("match( context.library.version, '1.*' )", True),
    ("match( context.library.version, '2.*' )", False),
    ("type = 'track' and ( event = 'Click' or match( event, 'Button *' ) )", True),
    ("!contains( context.library.name, 'js' )", False),
    ("'dark-mode' in properties.features", True),  # FQL-11
    ("'blink' in properties.features", False),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_reference_examples(text: str, expected: bool) -> None:
    assert fql.compile(text).matches(DOC_EVENT) is expected


@pytest.mark.parametrize(
    "text",
    [
        "( type = 'track' or type = 'identify' ) and "
        "( properties.enabled or match( traits.email, '*@company.com' ) )",
        "!( type in ['track', 'identify'] )",
        "length( userId ) < 1",
        "all",
        "(received_at >= '2023-04-21T19:55:00.933Z')",
        "lowercase(properties.prop1)",
        "type = 'track' and ( event = 'Click' or match( 'Button *', event ) )",
    ],
)
def test_reference_statements_parse(text: str) -> None:
    """Statements the docs give as valid syntax compile (FQL-23)."""
    fql.compile(text)


# Boolean operator table (FQL-07, EC-05, AM-06): operands bool or null.
BOOLEAN = [
    ("true and true", True),
    ("true and false", False),
    ("true and null", False),
    ("null and null", False),
    ("true or false", True),
    ("false or null", False),
    ("null or true", True),
    ("false or false", False),
]


@pytest.mark.parametrize(("text", "expected"), BOOLEAN)
def test_boolean_operators(text: str, expected: bool) -> None:
    assert fql.compile(text).evaluate({}) is expected


# Unary table (FQL-08).
@pytest.mark.parametrize(("text", "expected"), [("!true", False), ("!false", True),
                                                ("!!true", True), ("!(1 = 1)", False)])
def test_unary_not(text: str, expected: bool) -> None:
    assert fql.compile(text).evaluate({}) is expected


# Comparison table (FQL-09, FQL-10, FQL-11, EC-03, EC-04).
COMPARISON = [
    ("'a' = 'a'", True),
    ("'a' = 'b'", False),
    ("5 = '5'", False),  # EC-03: no coercion
    ("5 != '5'", True),
    ("1 = 1.0", True),
    ("true = true", True),
    ("null = null", True),
    ("[1, 'a'] = [1, 'a']", True),
    ("[1, 'a'] = ['a', 1]", False),
    ("[] != null", True),
    ("2 > 1", True),
    ("2 >= 2", True),
    ("1 < 2", True),
    ("2 <= 1", False),
    ("'a' in ['a', 'b']", True),
    ("1 in [1, 2]", True),
    ("true in [1, true]", True),
    ("null in [null]", True),
    ("'c' in ['a', 'b']", False),
]


@pytest.mark.parametrize(("text", "expected"), COMPARISON)
def test_comparison_operators(text: str, expected: bool) -> None:
    assert fql.compile(text).evaluate({}) is expected


FUNCTION_TABLE = [
    ("contains('abc', 'b')", True),  # FQL-13
    ("contains('abc', 'B')", False),  # AM-32: case-sensitive
    ("length(['a', 'b'])", 2),  # FQL-15
    ("length('a')", 1),
    ("length('ア')", 3),  # EC-07: bytes
    ("lowercase('ABC')", "abc"),  # FQL-16
    ("uppercase('abc')", "ABC"),
    ("snakecase('test string')", "test_string"),
    ("kebabcase('test string')", "test-string"),
    ("titlecase('test string')", "Test String"),
    ("typeof('x')", "string"),  # FQL-17
    ("typeof(1)", "number"),
    ("typeof([1])", "list"),
    ("typeof(true)", "bool"),
    ("typeof(null)", "null"),
    ("match('abc', 'a*')", True),  # FQL-14
    ("bool(1)", True),  # FQL-18
    ("bool('false')", False),
    ("bool(null)", False),
    ("string(12)", "12"),
    ("string(['a', 1])", '["a",1]'),
    ("number('12.5')", 12.5),
    ("number(7)", 7),
]


@pytest.mark.parametrize(("text", "expected"), FUNCTION_TABLE)
def test_function_table(text: str, expected: object) -> None:
    value = fql.compile(text).evaluate({})
    assert value == expected
    assert type(value) is type(expected)


# Null-defaults table (FQL-19, EC-01); the field is missing, so it reads as null.
NULL_DEFAULTS = [
    ("contains(properties.missing, 'x')", False),
    ("length(properties.missing)", 0),
    ("lowercase(properties.missing)", None),
    ("typeof(properties.missing)", "null"),
    ("match(properties.missing, '*')", False),
]


@pytest.mark.parametrize(("text", "expected"), NULL_DEFAULTS)
def test_null_defaults(text: str, expected: object) -> None:
    value = fql.compile(text).evaluate({"properties": {}})
    assert value == expected
    assert type(value) is type(expected)


# Glob table (FQL-14, EC-06).
GLOB = [
    ("abcd", "a*d", True),
    ("", "*", True),
    ("abc", "ab", False),
    ("abcd", "a??d", True),
    ("abcd", "*d", True),
    ("ab*d", "ab\\*d", True),
    ("abCd", "ab[cC]d", True),
    ("abcd", "ab[a-z]d", True),
    ("abcd", "ab[A-Z]d", False),
]


@pytest.mark.parametrize(("subject", "pattern", "expected"), GLOB)
def test_glob_table(subject: str, pattern: str, expected: bool) -> None:
    text = f"match({fql.format_node(fql.ast.String(subject))}, " \
           f"{fql.format_node(fql.ast.String(pattern))})"
    assert fql.compile(text).evaluate({}) is expected


def test_escaped_path_reaches_key_with_space() -> None:
    """FQL-04: ``properties.product\\ 1.price`` reaches ``"product 1"``."""
    event = {"properties": {"product 1": {"price": "19.99"}}}
    assert fql.compile("properties.product\\ 1.price").evaluate(event) == "19.99"


def test_all_matches_every_event() -> None:
    """FQL-20: the special condition ``all``."""
    expr = fql.compile("all")
    assert expr.matches({}) and expr.matches({"type": "track"})


def test_received_at_string_comparison() -> None:
    """DF-20 / AM-05: ISO-8601 strings compare in time order with >=."""
    expr = fql.compile("receivedAt >= '2023-04-21T19:55:00.933Z'")
    assert expr.matches({"receivedAt": "2023-04-21T19:55:01.000Z"})
    assert not expr.matches({"receivedAt": "2023-04-20T00:00:00.000Z"})
