"""``fql.check``: the syntax error with its location, then one test per warning rule."""

from __future__ import annotations

import pytest

import fql
from fql.check import RULES


def codes(text: str) -> list[str]:
    return [d.code for d in fql.check(text)]


def test_clean_rule_has_no_findings() -> None:
    assert fql.check("type = 'track' and event = 'Order Completed'") == []


def test_syntax_error_is_one_located_error() -> None:
    (diag,) = fql.check("type = 'track' and\n  event == 'x'")
    assert diag.code == "FQL104" and diag.severity == "error"
    assert (diag.line, diag.column, diag.end_column) == (2, 9, 11)


def test_type_error_is_reported() -> None:
    (diag,) = fql.check("contains(userId, 5)")
    assert diag.code == "FQL201" and diag.column == 18


WARNING_CASES = [
        ("properties.total > true", "FQL301"),
        ("properties.total > '100'", "FQL302"),
        ("properties.flag = 'true'", "FQL303"),
        ("properties.count = '5'", "FQL303"),
        ("typeof(userId) = 5", "FQL304"),
        ("1 = 1", "FQL304"),
        ("userId in 'abc'", "FQL304"),
        ("typeof(properties.x) = 'boolean'", "FQL305"),
        ("match('Button *', event)", "FQL306"),
        ("match(event, 'Button')", "FQL306"),
        ("properties.enabled or type = 'track'", "FQL307"),
        ("received_at >= '2023-04-21T19:55:00.933Z'", "FQL308"),
        ("semver(context.app.version, '>=', '2.0')", "FQL309"),
        ("properties.plan = pro", "FQL310"),
]


@pytest.mark.parametrize(("text", "code"), WARNING_CASES)
def test_warning_rules(text: str, code: str) -> None:
    assert code in codes(text)


def test_every_rule_is_documented_and_tested() -> None:
    tested = {code for _, code in WARNING_CASES}
    for rule in RULES:
        doc = rule.__doc__ or ""
        code = doc.split(":", 1)[0].strip()
        assert code.startswith("FQL3"), rule.__name__
        assert code in tested, f"{rule.__name__} ({code}) has no test"


def test_findings_are_sorted_by_position() -> None:
    found = fql.check("properties.a > '1' and properties.b = 'true'")
    assert [(d.line, d.column) for d in found] == sorted((d.line, d.column) for d in found)


def test_a_field_compared_with_a_field_is_not_a_missing_quote() -> None:
    assert codes("properties.plan = properties.previous_plan") == []
    assert codes("properties.plan = event") == []  # a field of the Spec
    (diag,) = fql.check("properties.plan = pro")
    assert diag.hint == 'write "pro" in quotes to compare with the text'


@pytest.mark.parametrize(("text", "message"), [
    ('"abc" > 5', "'>' between a string and a number: always false"),
    ("typeof(x) > 1", "'>' between a string and a number: always false"),
    ("1 = 2", "both sides are literals: always false"),
    ("1 != 2", "both sides are literals: always true"),
])
def test_constant_comparisons_say_their_answer(text: str, message: str) -> None:
    (diag,) = fql.check(text)  # FQL304 alone: FQL301/302 would only repeat it
    assert (diag.code, diag.message) == ("FQL304", message)


def test_an_unknown_function_does_not_hide_the_rest_of_the_rule() -> None:
    found = fql.check('lenght(userId) = 1 and properties.total > "100" and typeof(a, b) = 1')
    assert [(d.code, d.column) for d in found] == [
        ("FQL110", 1), ("FQL302", 43), ("FQL111", 53), ("FQL304", 53)]
    assert found[0].hint == "did you mean 'length'?"


def test_every_syntax_error_of_a_rule_is_reported() -> None:
    """After the first syntax error the parser starts again at each top-level and/or
    operand, so each broken operand gets its own error and the others their warnings."""
    text = 'type == "track" and event = "x" && y or foo(1) and properties.total > "1"'
    assert [(d.code, d.column) for d in fql.check(text)] == [
        ("FQL104", 6), ("FQL105", 33), ("FQL110", 41), ("FQL302", 71)]
    # Unbalanced brackets leave no boundary to trust: one error.
    assert codes('(type == "track" and event = "x" && y') == ["FQL104"]
    # `and` inside a string or a path is not a boundary.
    assert codes('event = "a and b" and x.and = 1') == []


def test_not_gets_a_named_error_with_the_bang_hint() -> None:
    for text in ('not type = "track"', 'NOT type = "track"', 'not(type = "track")'):
        (diag,) = fql.check(text)
        assert (diag.code, diag.column, diag.end_column) == ("FQL115", 1, 4), text
        assert diag.hint == "negate with '!': write !(...) around the condition"


def test_unexpected_token_is_named_without_an_article() -> None:
    (diag,) = fql.check('type = "a" "b"')
    assert diag.message.startswith("unexpected string '\"b\"'; expected")


def test_recovery_leaves_other_parses_strict() -> None:
    """The checker's recovery of unknown functions never leaks into compile()."""
    fql.check("foo(x) = 1")
    with pytest.raises(fql.FqlSyntaxError) as err:
        fql.compile("foo(x) = 1")
    assert err.value.code == "FQL110"
