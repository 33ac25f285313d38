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
