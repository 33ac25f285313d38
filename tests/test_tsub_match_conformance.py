"""The device-mode engine's matcher cases, run through ``fql.from_ir(ir).matches``.

The documented FQL semantics win over the device-mode code (DESIGN.md policy); every
case where the answers differ is listed, with its reason, in
``conformance/tsub_match_differences.json`` and in docs/semantics.md. The test checks
both directions: unlisted cases agree, listed cases really differ (so the list can't
go stale). ``mode="tsub"`` (Segment's device-mode reading) agrees on every case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import fql
import fql.tsub

from .conformance_data import case_id, load_cases
from .conftest import Backend

CASES = load_cases("tsub_match")
DIFFERENCES = json.loads(
    (Path(__file__).parent / "conformance" / "tsub_match_differences.json").read_text())


def our_answer(case: dict[str, Any], backend: Backend) -> dict[str, Any]:
    if case.get("matcher_type", "fql") == "all":
        return {"match": True}
    try:
        return {"match": backend.program(fql.from_ir(case["ir"])).matches(case["event"])}
    except fql.FqlError as err:
        return {"error": err.code}


def agrees(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if "error" in expected:
        return "error" in got
    return "match" in got and got["match"] == expected["match"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_tsub_match_case(case: dict[str, Any], backend: Backend) -> None:
    got = our_answer(case, backend)
    reason = DIFFERENCES["cases"].get(case["id"])
    if reason is None:
        assert agrees(case["expected"], got), (case["ir"], got)
    else:
        assert reason in DIFFERENCES["reasons"]
        assert not agrees(case["expected"], got), f"listed as different ({reason}) but agrees"


def device_mode_answer(case: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"match": fql.tsub.matches(
            case["event"], {"type": case.get("matcher_type", "fql"), "ir": case["ir"]},
            mode="tsub")}
    except fql.FqlError as err:
        return {"error": err.code}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_device_mode_agrees_on_every_case(case: dict[str, Any]) -> None:
    """``mode="tsub"`` answers what the device-mode library answers on every case,
    the 34 listed differences included."""
    assert agrees(case["expected"], device_mode_answer(case)), case["ir"]


def test_every_listed_difference_exists() -> None:
    ids = {case["id"] for case in CASES}
    assert set(DIFFERENCES["cases"]) <= ids
