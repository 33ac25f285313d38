"""JSON input for the command line: orjson when installed (the ``[fast]`` extra),
the standard library otherwise, with the same results."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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


def input_lines(inputs: Sequence[Path]) -> Iterator[tuple[str, int, bytes]]:
    """``(file name, line number, raw line)`` of JSON Lines files, or of stdin when there
    are none; streamed. Bytes, so a line that is not UTF-8 is one invalid line (the
    parsers reject it) rather than the end of the run."""
    if not inputs:
        for number, line in enumerate(sys.stdin.buffer, start=1):
            yield "<stdin>", number, line
        return
    for path in inputs:
        if is_stdin(path):
            for number, line in enumerate(sys.stdin.buffer, start=1):
                yield "<stdin>", number, line
            continue
        with path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                yield str(path), number, line


def is_stdin(path: Path) -> bool:
    """``-`` names the standard input, as in every Unix tool."""
    return str(path) == "-"


def missing_input(inputs: Sequence[Path]) -> Path | None:
    """The first input that does not exist (or is a directory), checked before any
    output is written, so a typo in the last file name does not leave half a result.
    Special files are inputs like any other: ``/dev/null``, a named pipe, a shell's
    process substitution (``<(...)``), ``-`` for stdin."""
    return next((p for p in inputs if not is_stdin(p) and (not p.exists() or p.is_dir())),
                None)
