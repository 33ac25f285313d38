"""JSON input for the command line: orjson when installed (the ``[fast]`` extra),
the standard library otherwise, with the same results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the extra
    orjson = None  # type: ignore[assignment]


def loads(text: str | bytes) -> Any:
    if orjson is not None:
        return orjson.loads(text)
    return json.loads(text)


def dumps(value: Any) -> str:
    """Compact JSON text (keys in their order, non-ASCII kept)."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode("utf-8")
        except TypeError:  # integers beyond 64 bits: fall back to the exact encoder
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers, streamed."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line
