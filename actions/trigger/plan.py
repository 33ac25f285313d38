"""Condition tree → matching plan (the nodes of :mod:`actions.trigger.nodes`).

This is Segment's ``validate`` (``packages/destination-subscriptions/src/validate.ts``)
with every decision that does not depend on the event taken once:

* the expected side of each comparison is converted as the reference converts it on
  every call: ``String(expected)`` for ``=``/``!=`` and the string operators (a missing
  value is ``"undefined"``), ``Number(expected)`` for the number operators
  (``"27.5"`` → 27.5, ``true`` → 1, ``"abc"`` → NaN);
* a condition name is split as ``get`` splits it (on ``.``, ``[`` and ``]``); an empty
  name reads ``undefined`` (so the condition is folded to a constant);
* unknown condition types, unknown operators and group operators other than
  ``and``/``or`` are false (quirk 13);
* the places where the reference throws — a null child, a group whose ``children`` is
  not a list, a name with no segment (``"["``), a name that is not a string — become
  ``Throw`` nodes, raised only when evaluation reaches them, as in the reference;
* a group of exactly two top-level ``field = "text"`` conditions becomes one
  :class:`~actions.trigger.nodes.FusedEqualities` node, here and only here: both
  backends and the routing index read the decision from the plan.

Any JSON value is accepted as a tree: Segment evaluates whatever it stores, so a tree
is never rejected here, only evaluated the way the reference would.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fql.js import js_string, js_to_number, js_truthy
from fql.limits import DEFAULT_TRIGGER_LIMITS

from .conditions import DIRECT_TYPES, NAMED_TYPES, ROOT_OF
from .errors import TriggerError
from .matcher import MISSING, OPERATORS, units, value_test
from .nodes import Const, FusedEqualities, Group, Leaf, Plan, Throw, is_top_equality

#: Nesting beyond this is refused (the tree is data; Python recursion is not).
MAX_TREE_DEPTH: Final = DEFAULT_TRIGGER_LIMITS.max_tree_depth

GET_SPLIT = re.compile(r"[^[.\]]+")
_STRING_OPERATORS: Final = frozenset({"contains", "not_contains", "starts_with",
                                      "not_starts_with", "ends_with", "not_ends_with"})
_NUMBER_OPERATORS: Final = frozenset({"number_equals", "number_not_equals",
                                      "<", "<=", ">", ">="})


def _prop(node: Any, key: str) -> Any:
    """``node[key]`` for a tree node (JSON values other than objects have none)."""
    return node.get(key, MISSING) if isinstance(node, dict) else MISSING


def compile_tree(tree: Any) -> Plan:
    """The plan for a whole trigger: ``validate(tree, event)``."""
    if tree is None:
        return Throw("Cannot read properties of null (reading 'error')")
    if js_truthy(_prop(tree, "error")):
        return Const(False)
    return _group(tree, 0)


def tree_too_deep() -> TriggerError:
    """TRG302, naming the limit."""
    return TriggerError(f"the condition tree is nested deeper than {MAX_TREE_DEPTH} levels "
                        "(TriggerLimits.max_tree_depth)", code="TRG302")


def _group(node: Any, depth: int) -> Plan:
    if depth > MAX_TREE_DEPTH:
        raise tree_too_deep()
    operator = _prop(node, "operator")
    if not isinstance(operator, str) or operator not in ("and", "or"):
        return Const(False)
    children = _prop(node, "children")
    if not isinstance(children, list):
        method = "every" if operator == "and" else "some"
        return Throw(f"condition.children.{method} is not a function")
    compiled = tuple(_condition(child, depth + 1) for child in children)
    if len(compiled) == 2 and all(is_top_equality(child) for child in compiled):
        # all(is_top_equality(...)) checked each child; the checker cannot narrow through it
        return FusedEqualities(operator == "and", tuple(
            (child.field, child.expected) for child in compiled))  # type: ignore[union-attr]
    return Group(operator == "and", compiled)


def _condition(node: Any, depth: int) -> Plan:
    if node is None:
        return Throw("Cannot read properties of null (reading 'type')")
    ctype = _prop(node, "type")
    if ctype == "group":
        return _group(node, depth)
    if not isinstance(ctype, str):
        return Const(False)
    comparison = expected_side(_prop(node, "operator"), _prop(node, "value"))
    if ctype in DIRECT_TYPES:
        path: tuple[str, ...] | None = None
    elif ctype in NAMED_TYPES:
        split = _split_name(_prop(node, "name"))
        if isinstance(split, str):
            return Throw(split)
        if split is None:  # get() of a falsy name is undefined: known now
            return Const(bool(comparison is not None and value_test(*comparison)(MISSING)))
        path = split
    else:
        return Const(False)
    if comparison is None:
        return Const(False)
    return Leaf(ROOT_OF[ctype], path, *comparison)


def _split_name(name: Any) -> tuple[str, ...] | str | None:
    """``get``'s path: a tuple of keys, ``None`` when the lookup is ``undefined`` (a
    falsy name), or the message of the error the reference throws."""
    if not js_truthy(name):
        return None
    if isinstance(name, list):
        return tuple(js_string(key) for key in name)
    if not isinstance(name, str):
        return "path.match is not a function"
    keys = GET_SPLIT.findall(name)
    if not keys:
        return "Cannot read properties of null (reading 'reduce')"
    return tuple(keys)


def expected_side(operator: Any, value: Any) -> tuple[str, Any, bool] | None:
    """``(op, expected, units)`` with the expected side converted, or ``None`` for an
    operator ``validateValue`` does not know (always false)."""
    if not isinstance(operator, str) or operator not in OPERATORS:
        return None
    expected: Any = None
    as_units = False
    if operator in _NUMBER_OPERATORS:
        expected = js_to_number(value)
    elif operator in ("=", "!=") or operator in _STRING_OPERATORS:
        expected = "undefined" if value is MISSING else js_string(value)
        if operator in _STRING_OPERATORS and any(
                "\ud800" <= ch <= "\udfff" for ch in expected):
            expected, as_units = units(expected), True
    return operator, expected, as_units
