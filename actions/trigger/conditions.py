"""The condition tree ("subscription AST") and the one operator mapping both readers use.

A trigger is stored by Segment as a tree of plain JSON objects (reference:
``packages/destination-subscriptions/src/types.ts``)::

    {"type": "group", "operator": "and" | "or", "children": [...]}
    {"type": "event-type" | "event" | "name" | "userId", "operator": op, "value": v}
    {"type": "event-property" | "event-trait" | "event-context",
     "name": "a.b", "operator": op, "value": v}

``value`` is absent for ``exists``/``not_exists``/``is_true``/``is_false``. Trees are kept
as plain dicts (not classes) because that *is* the format: users load them from Segment's
API and compare them with Segment's output, and unknown types/operators must survive
unchanged (Segment evaluates them as false, they are not errors).

Both readers (``segment`` emulation and ``default`` FQL) find a field, an operator and a
value literal, and then call :func:`comparison`, the single place that reproduces
Segment's operator mapping (quirk 8): ``= null`` → ``not_exists``, ``!= null`` →
``exists``, ``= true``/``= false`` → ``is_true``/``is_false``, ``=``/``!=`` a number →
``number_equals``/``number_not_equals`` — per condition type, exactly as the reference
restricts them.
"""

from __future__ import annotations

import math
from typing import Any, Final

from fql.js import MAX_SAFE_INTEGER, js_number

#: The first path segment a condition is written with, and the condition type it makes.
ROOTS: Final[dict[str, str]] = {
    "type": "event-type",
    "event": "event",
    "name": "name",
    "userId": "userId",
    "properties": "event-property",
    "traits": "event-trait",
    "context": "event-context",
}
#: Condition type → the FQL root it is printed with.
ROOT_OF: Final[dict[str, str]] = {ctype: root for root, ctype in ROOTS.items()}
#: Condition types that address a nested field through ``name``.
NAMED_TYPES: Final[frozenset[str]] = frozenset(
    {"event-property", "event-trait", "event-context"})
#: Condition types that read one top-level field.
DIRECT_TYPES: Final[frozenset[str]] = frozenset({"event-type", "event", "name", "userId"})

#: Operators that take no value.
VALUELESS_OPERATORS: Final[frozenset[str]] = frozenset(
    {"exists", "not_exists", "is_true", "is_false"})
#: Every operator Segment's ``validate`` knows; anything else evaluates to false.
OPERATORS: Final[tuple[str, ...]] = (
    "=", "!=", "<", "<=", ">", ">=", "number_equals", "number_not_equals",
    "contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
    "not_ends_with", "exists", "not_exists", "is_true", "is_false",
)

#: What the condition builder offers per condition type (TG-02..TG-04, SE-02): the
#: trees "the UI can build", used by the round-trip property test and the docs.
UI_OPERATORS: Final[dict[str, tuple[str, ...]]] = {
    "event-type": ("=", "!="),
    "event": ("=", "!=", "contains", "not_contains", "starts_with", "ends_with",
              "not_starts_with", "not_ends_with"),
    "name": ("=", "!=", "contains", "not_contains", "starts_with", "ends_with",
             "not_starts_with", "not_ends_with", "exists", "not_exists"),
    "userId": ("=", "!=", "contains", "not_contains", "starts_with", "ends_with",
               "not_starts_with", "not_ends_with", "exists", "not_exists"),
    **{ctype: OPERATORS for ctype in NAMED_TYPES},
}


class _NullWord:
    """The literal ``null`` as written in trigger text (Segment keeps it as the word
    ``"null"`` when it is not mapped to exists/not_exists)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_WORD"


NULL_WORD: Final = _NullWord()

#: A value literal as both readers hand it over: a string (quoted or a bare word), a JS
#: number (a double), a boolean word, or the word ``null``.
Literal = str | float | bool | _NullWord


def to_double(value: int | float) -> float:
    """A Python number as the JS double Segment's code holds (huge ints → ±Infinity)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def js_value(value: float) -> int | float:
    """How a JS number is stored in a tree: an integral double within 2**53 becomes an
    ``int`` (so trees compare and print as Segment's JSON does: ``5``, not ``5.0``)."""
    if math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    return value


def literal_string(value: Literal) -> str:
    """``String(getTokenValue(token))``: how a literal becomes a string value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, _NullWord):
        return "null"
    return value


def literal_value(value: Literal) -> str | int | float | bool:
    """``getTokenValue(token)``: the literal kept with its type (numbers, booleans)."""
    if isinstance(value, float):
        return js_value(value)
    if isinstance(value, _NullWord):
        return "null"
    return value


def condition(ctype: str, operator: str, name: str | None = None,
              value: Any = None, *, has_value: bool = True) -> dict[str, Any]:
    """One leaf, with keys in Segment's order (``type``, ``name``, ``operator``,
    ``value``)."""
    node: dict[str, Any] = {"type": ctype}
    if ctype in NAMED_TYPES:
        node["name"] = name
    node["operator"] = operator
    if has_value and operator not in VALUELESS_OPERATORS:
        node["value"] = value
    return node


def comparison(ctype: str, name: str | None, op: str, value: Literal) -> dict[str, Any]:
    """The leaf for ``<field> <op> <value>`` (reference: ``parse-fql.ts``, quirk 8).

    ``type`` and ``event`` take every operator literally, with the value as a string
    (so ``event = null`` compares with the text ``"null"``); ``name`` adds
    exists/not_exists; ``userId`` also is_true/is_false; nested fields also
    number_equals/number_not_equals and keep the value's type.
    """
    word = op if op in ("=", "!=") else None
    is_null = isinstance(value, _NullWord)
    special: str | None = None
    if word == "!=" and is_null:
        special = "exists"
    elif word == "=" and is_null:
        special = "not_exists"
    elif word == "=" and value is True:
        special = "is_true"
    elif word == "=" and value is False:
        special = "is_false"
    if ctype in ("event-type", "event") or (
            ctype == "name" and special not in ("exists", "not_exists")) or (
            ctype == "userId" and special is None):
        return condition(ctype, op, value=literal_string(value))
    if special is not None:
        return condition(ctype, special, name)
    if word is not None and isinstance(value, float):
        number_op = "number_equals" if word == "=" else "number_not_equals"
        return condition(ctype, number_op, name, js_value(value))
    return condition(ctype, op, name, literal_value(value))


def negated(op: str) -> str:
    """``!contains``/``!match`` → the ``not_`` operator."""
    return f"not_{op}"
