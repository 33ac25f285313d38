"""``@liquid`` against liquidjs: the differential corpus.

``tests/golden/liquid_corpus.jsonl`` holds 2,525 templates rendered by liquidjs 10.27.2
set up exactly as Segment's mapping kit sets it up (render, parse and memory limits;
tags ``case for include layout render tablerow`` and the kit's array filters disabled),
on one event (its first line): every filter liquidjs defines, each on 17 kinds of input
with its usual arguments, the kit's disabled filters and tags, unknown filters and tags,
value output, property reads, comparisons and every enabled tag. The generator is
``tests/generators/liquid_corpus.mjs`` (run with Node where liquidjs is installed);
nothing JavaScript runs here.

An output must be equal; an error must be an error, and for a disabled or unknown tag or
filter, the same message (the mapping kit's wording with liquidjs's position). The cases
listed in :data:`DIFFERENCES` are the remaining deliberate differences (also listed in
docs/semantics/mappings.md); the test checks they really differ, so the list can't go
stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import actions

pytest.importorskip("liquid")

_LINES = [json.loads(line) for line in
          (Path(__file__).parent / "golden" / "liquid_corpus.jsonl").read_text(
              encoding="utf-8").splitlines() if line.strip()]
EVENT: dict[str, Any] = _LINES[0]["event"]
CASES = _LINES[1:]

#: Cases where python-liquid's parser reads the template differently and we keep it.
DIFFERENCES = {
    "liquid-2451": "`<>` is `!=` in python-liquid's grammar; liquidjs has no such operator "
                   "(the condition is false)",
}


def render(template: str, event: dict[str, Any] = EVENT) -> dict[str, Any]:
    try:
        out = actions.compile_mapping({"out": {"@liquid": template}}).apply(event)
    except actions.MappingError as err:
        return {"error": err.problems[0].message}
    return {"output": out.get("out")}


def agrees(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if "error" in expected:
        message = expected["error"]
        if " is disabled" in message or " not found" in message:
            return got.get("error") == message
        return "error" in got
    return got == expected


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_liquid_corpus_case(case: dict[str, Any]) -> None:
    got = render(case["template"])
    if case["id"] in DIFFERENCES:
        assert not agrees(case["expected"], got), "listed as a difference but agrees"
    else:
        assert agrees(case["expected"], got), (case["template"], got, case["expected"])


def test_corpus_size_and_differences() -> None:
    assert len(CASES) == 2525
    assert set(DIFFERENCES) <= {c["id"] for c in CASES}


# The differences the issue names, each on its own (answers from the corpus).

def test_date_returns_a_non_date_unchanged() -> None:
    assert render('{{ "1.0" | date: "%Y-%m-%d" }}') == {"output": "1.0"}
    assert render('{{ "garbage" | date: "%Y" }}') == {"output": "garbage"}
    assert render('{{ properties.date | date: "%b %d, %Y" }}') == {"output": "Mar 05, 2024"}


def test_truncate_returns_input_that_fits() -> None:
    assert render("{{ 75001 | truncate: 5 }}") == {"output": "75001"}
    assert render('{{ "abcdefghij" | truncate: 5 }}') == {"output": "ab..."}


def test_disabled_tag_wording() -> None:
    assert render("{% for x in properties.arr %}{{ x }}{% endfor %}") == {
        "error": 'tag "for" is disabled, line:1, col:1'}
    assert render("ab\n  {% case properties.s %}{% endcase %}") == {
        "error": 'tag "case" is disabled, line:2, col:3'}
    assert render("{% ifchanged %}x{% endifchanged %}") == {
        "error": 'tag "ifchanged" not found, line:1, col:1'}


def test_disabled_filter_wording() -> None:
    assert render("x {{ properties.arr | sort }}") == {
        "error": 'filter "sort" is disabled, line:1, col:3'}
    assert render("{% assign y = properties.arr | uniq %}") == {
        "error": 'filter "uniq" is disabled, line:1, col:1'}


def test_numbers_are_javascript_numbers() -> None:
    assert render("{{ 10 | divided_by: 4 }}") == {"output": "2.5"}
    assert render("{{ -7 | modulo: 3 }}") == {"output": "2"}
    assert render("{{ 0.1 | plus: 0.2 }}") == {"output": "0.30000000000000004"}
    assert render("{{ -2.5 | round }}") == {"output": "-3"}


def test_if_branches_out_of_order_are_rejected_as_liquidjs_does() -> None:
    assert render("{% if properties.t %}a{% else %}b{% else %}c{% endif %}") == {
        "error": "duplicated else, line:1, col:1"}
    assert render("{% unless properties.t %}x{% else %}y{% else %}z{% endunless %}") == {
        "output": "y"}


def test_unknown_filter_passes_its_input_through() -> None:
    assert render("{{ properties.s | no_such_filter }}") == {"output": "Hello World"}
