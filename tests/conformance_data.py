"""Loader for the vendored conformance cases (answers of Segment's published packages).

``tests/conformance/<kind>.jsonl`` holds the cases of one kind, copied unchanged from
the reference data set so the suite runs on a fresh clone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFORMANCE_DIR = Path(__file__).parent / "conformance"


def load_cases(kind: str) -> list[dict[str, Any]]:
    """All cases of ``kind`` (``trigger``, ``mapping``, ``tsub_match`` ...)."""
    path = CONFORMANCE_DIR / f"{kind}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def case_id(case: dict[str, Any]) -> str:
    return str(case.get("id", "?"))
