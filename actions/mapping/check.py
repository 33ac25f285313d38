"""check_mapping placeholder"""

from __future__ import annotations

from typing import Any

from fql.diagnostics import Diagnostic


def check_mapping(mapping: Any, *, extensions: bool = False) -> list[Diagnostic]:
    return []
