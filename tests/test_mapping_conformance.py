"""Every vendored ``mapping`` case of the conformance data: Segment's mapping kit
(@segment/actions-core 3.170.0) output, or the fact that it failed."""

from __future__ import annotations

from typing import Any

import pytest

from actions import MappingError, compile_mapping
from tests.conformance_data import case_id, load_cases
from tests.conftest import Backend

CASES = load_cases("mapping")
_MISSING = object()


def run(case: dict[str, Any], backend: Backend) -> dict[str, Any]:
    """The case's result on ``backend`` in the conformance encoding (output / undefined
    / error)."""
    try:
        mapping = backend.mapping(compile_mapping(case["mapping"]))
        result = mapping.apply(case["event"], missing=_MISSING)
    except MappingError as exc:
        return {"error": str(exc)}
    return {"undefined": True} if result is _MISSING else {"output": result}


def test_all_cases_are_loaded() -> None:
    assert len(CASES) == 950


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case(case: dict[str, Any], backend: Backend) -> None:
    expected = case["expected"]
    got = run(case, backend)
    if "error" in expected:
        assert "error" in got, f"Segment fails ({expected['error']}), we gave {got}"
    else:
        assert got == expected
