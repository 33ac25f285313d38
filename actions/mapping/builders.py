"""The Segment UI's mapping functions, as builders that write standard directives.

The UI's "Coalesce", "Replace" and "Flatten" functions are not directives of their own:
they write ``@if``, ``@replace`` and ``@flatten`` (MP-03, MP-04, MP-05). These builders
write the same JSON, so a mapping built here pastes into Segment unchanged.

Arguments that name event fields are strings (``"$.properties.total"``) and become
``@path`` directives; pass a directive dict to use anything else.
"""

from __future__ import annotations

from typing import Any

from fql.js import utf16_len

from .errors import MappingError
from .runtime import truthy
from .validate import MAX_PATTERN_LENGTH, MAX_REPLACEMENT_LENGTH


def _source(value: str | dict[str, Any]) -> dict[str, Any]:
    return {"@path": value} if isinstance(value, str) else value


def coalesce(primary: str | dict[str, Any], fallback: Any) -> dict[str, Any]:
    """Use ``primary`` when it is neither null nor missing, else ``fallback`` (MP-03).

    ``primary`` is a path or a directive; ``fallback`` is a path (a string), a directive
    or a static value. Segment ignores a *falsy* ``else`` (``0``, ``false``, ``""``),
    so a falsy static fallback is written as ``{"@literal": value}``, which works.
    """
    source = _source(primary)
    if isinstance(fallback, str):
        fallback = {"@path": fallback}
    elif not truthy(fallback):
        fallback = {"@literal": fallback}
    return {"@if": {"exists": source, "then": source, "else": fallback}}


def replace(
    value: str | dict[str, Any],
    pattern: str,
    replacement: str = "",
    pattern2: str | None = None,
    replacement2: str | None = None,
    *,
    global_: bool = True,
    ignorecase: bool = False,
) -> dict[str, Any]:
    """Replace literal text in a value (MP-04): at most two pattern/replacement pairs,
    each at most 10 characters (Segment rejects longer ones; this raises MappingError
    here rather than at run time for the second pair). ``$&`` in a replacement still
    means "the matched text", as in Segment."""
    problems = []
    for name, text, low, high in (
        ("pattern", pattern, 1, MAX_PATTERN_LENGTH),
        ("replacement", replacement, 0, MAX_REPLACEMENT_LENGTH),
        ("pattern2", pattern2, 1, MAX_PATTERN_LENGTH),
        ("replacement2", replacement2, 0, MAX_REPLACEMENT_LENGTH),
    ):
        if text is not None and not low <= utf16_len(text) <= high:
            problems.append(f"{name} must be {low} to {high} characters, got {text!r}")
    if replacement2 is not None and pattern2 is None:
        problems.append("replacement2 needs pattern2")
    if problems:
        raise MappingError("; ".join(problems), path="/@replace")
    options: dict[str, Any] = {
        "value": _source(value),
        "pattern": pattern,
        "replacement": replacement,
    }
    if pattern2 is not None:
        options["pattern2"] = pattern2
        options["replacement2"] = replacement2 or ""
    options["global"] = global_
    options["ignorecase"] = ignorecase
    return {"@replace": options}


def flatten(
    value: str | dict[str, Any], separator: str = ".", *, omit_arrays: bool = False
) -> dict[str, Any]:
    """Flatten a nested object into one level, joining keys with ``separator`` (MP-05).
    Segment needs a non-empty separator at run time, so an empty one is refused here."""
    if not separator:
        raise MappingError("separator must be a non-empty string", path="/@flatten/separator")
    options: dict[str, Any] = {"value": _source(value), "separator": separator}
    if omit_arrays:
        options["omitArrays"] = True
    return {"@flatten": options}
