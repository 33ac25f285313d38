"""Condition tree → trigger text: Segment's ``generateFql``
(``packages/destination-subscriptions/src/generate-fql.ts``), with two repairs.

The printer is the reference's, rule for rule: children joined by the group operator
(printed verbatim), nested groups in parentheses, the outer pair stripped only when the
whole text holds exactly two parentheses (quirk 14: parentheses inside values count),
field names with every character outside ``[A-Za-z0-9._-]`` escaped per UTF-16 code unit
(an emoji gets two backslashes), ``exists`` as ``!= null``, ``starts_with`` as
``match(x, "v*")``, numbers and booleans bare after ``=``/``!=``, ``Number(value)`` for
the ordering and number operators, a missing value as ``"undefined"``.

The repairs, each where the reference prints text that no parser reads back as the tree
(docs/semantics/triggers.md, "Generated text"):

1. a ``"`` inside a value is escaped (``\\"``), and so is a ``\\`` that would otherwise
   start an escape (before ``" ' \\ n r t``, ``uXXXX``, or the closing quote); every other
   backslash is printed as is, exactly like the reference (``"back\\slash"``);
2. ``NaN``/``Infinity`` (a non-numeric value under ``<``) are printed quoted, which both
   readers turn into the same string value Segment's parser makes of the bare word.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from fql.js import js_number, js_string, js_truthy

from .conditions import NAMED_TYPES, ROOT_OF
from .errors import TriggerError
from .matcher import MISSING, units
from .plan import js_to_number

_NAME_UNSAFE: Final = re.compile(r"[^a-zA-Z0-9._-]")
_DECODED_AFTER_BACKSLASH: Final = re.compile(r"""\\(?=["'\\nrt]|u[0-9a-fA-F]{4}|\Z)""")


def generate(tree: Any) -> str:
    """The trigger text for ``tree``. Raises :class:`TriggerError` where the reference
    throws (``TRG301`` unknown condition type, ``TRG303`` a malformed tree)."""
    if isinstance(tree, dict) and js_truthy(tree.get("error", MISSING)):
        raise TriggerError("the tree holds a parse error, not conditions", code="TRG303")
    text = _group(tree)
    if text.startswith("(") and text.endswith(")") and \
            text.count("(") + text.count(")") == 2:
        return text[1:-1]
    return text


def _group(node: Any) -> str:
    children = node.get("children") if isinstance(node, dict) else None
    if not isinstance(children, list):
        raise TriggerError("a group has no list of children", code="TRG303")
    parts = []
    for child in children:
        if child is None:
            raise TriggerError("a condition is null", code="TRG303")
        if isinstance(child, dict) and child.get("type") == "group":
            parts.append(f"({_group(child)})")
        else:
            parts.append(_condition(child))
    return f" {_text(node.get('operator', MISSING))} ".join(parts)


def _condition(node: Any) -> str:
    ctype = node.get("type") if isinstance(node, dict) else None
    if not isinstance(ctype, str) or ctype not in ROOT_OF:
        raise TriggerError(f"unknown condition type {ctype!r}", code="TRG301")
    field = ROOT_OF[ctype]
    if ctype in NAMED_TYPES:
        field = f"{field}.{_name(node.get('name', MISSING))}"
    return _expression(field, node.get("operator", MISSING), node.get("value", MISSING))


def _name(name: Any) -> str:
    if not isinstance(name, str):
        return "undefined" if name is MISSING else js_string(name)
    return _NAME_UNSAFE.sub(lambda m: "\\" + m.group(0), units(name))


def _expression(field: str, operator: Any, value: Any) -> str:
    op = operator if isinstance(operator, str) else None
    if op in ("contains", "not_contains"):
        return f"{'!' if op == 'not_contains' else ''}contains({field}, {_value(value)})"
    fixed = None if op is None else {"exists": "!= null", "not_exists": "= null",
                                     "is_true": "= true", "is_false": "= false"}.get(op)
    if fixed is not None:
        return f"{field} {fixed}"
    if op in ("starts_with", "not_starts_with", "ends_with", "not_ends_with"):
        text = _text(value)
        pattern = f"{text}*" if op.endswith("starts_with") else f"*{text}"
        return f"{'!' if op.startswith('not_') else ''}match({field}, {_quoted(pattern)})"
    if op in ("<", ">", "<=", ">="):
        return f"{field} {op} {_number(js_to_number(value))}"
    if op in ("number_equals", "number_not_equals"):
        symbol = "=" if op == "number_equals" else "!="
        return f"{field} {symbol} {_number(js_to_number(value))}"
    return f"{field} {_text(operator)} {_value(value)}"


def _text(value: Any) -> str:
    return "undefined" if value is MISSING else js_string(value)


def _value(value: Any) -> str:
    """``stringifyValue``: booleans and numbers bare, everything else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(float(value) if isinstance(value, float) else value)
    return _quoted(_text(value))


def _quoted(body: str) -> str:
    return '"' + _DECODED_AFTER_BACKSLASH.sub(r"\\\\", body).replace('"', '\\"') + '"'


def _number(value: float | int) -> str:
    """``String(Number(v))`` (:func:`fql.js.js_number`: ``1e+21``, ``1e-7``, ``-0`` as
    ``0``, shortest round-trip digits), quoted when not finite."""
    if isinstance(value, float) and not math.isfinite(value):
        return _quoted(js_number(value))
    return js_number(value)
