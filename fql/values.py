"""FQL values over JSON data: type names, strict equality, ordering.

FQL's value domain is JSON: string, number, bool, null, list, object (DESIGN.md
"Semantics policy"). Python's own operators are wrong for it (``True == 1``,
``1 == 1.0`` is right but ``[True] == [1]`` is not), so equality here is written out:
same JSON type, then equal value, all the way down. A Python value that is not a JSON
type (datetime, bytes, set, tuple, custom objects) raises :class:`FqlEventError` the
moment an operation looks at it: silently treating it as null would alter the answer.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from .errors import FqlEventError
from .limits import DEFAULT_EVENT_DEPTH, too_deep_message

#: How deep ``=`` follows nested lists/objects; deeper (or cyclic) data is an error.
MAX_VALUE_DEPTH = DEFAULT_EVENT_DEPTH


def json_type(value: Any) -> str:
    """The FQL type name of a JSON value (``typeof``): string number bool null list object."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    raise not_json(value)


def not_json(value: Any) -> FqlEventError:
    """The error for a Python value that has no JSON type."""
    return FqlEventError(
        f"event value of Python type {type(value).__name__!r} is not a JSON value "
        "(expected str, int, float, bool, None, list or dict)",
        code="FQL601",
    )


def not_an_object(event: Any) -> FqlEventError:
    """The error for an event that is not a JSON object."""
    return FqlEventError(
        f"an event must be a JSON object (dict), not {type(event).__name__}", code="FQL603"
    )


def is_number(value: Any) -> bool:
    """True for JSON numbers: ``int``/``float`` but never ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def strict_equal(a: Any, b: Any, depth: int = 0) -> bool:
    """FQL ``=``: same JSON type and equal value, deeply (FQL-09, EC-03, EC-04).

    Numbers compare by value (``1 = 1.0``); ``true`` is not ``1``; object key order does
    not matter; NaN equals nothing. Raises :class:`FqlEventError` for non-JSON values
    and for nesting deeper than :data:`MAX_VALUE_DEPTH` (which is how cycles end).
    """
    if a is None or b is None:
        if a is None and b is None:
            return True
        json_type(a)
        json_type(b)
        return False
    if isinstance(a, str):
        if isinstance(b, str):
            return a == b
        json_type(b)
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a is b or a == b
        json_type(a)
        json_type(b)
        return False
    if isinstance(a, (int, float)):
        if isinstance(b, (int, float)):
            return a == b
        json_type(b)
        return False
    if isinstance(a, list):
        if not isinstance(b, list):
            json_type(b)
            return False
        if depth >= MAX_VALUE_DEPTH:
            raise too_deep()
        if len(a) != len(b):
            return False
        return all(strict_equal(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if not isinstance(b, dict):
            json_type(b)
            return False
        if depth >= MAX_VALUE_DEPTH:
            raise too_deep()
        if a.keys() != b.keys():
            return False
        return all(strict_equal(a[k], b[k], depth + 1) for k in a)
    raise not_json(a)


def too_deep() -> FqlEventError:
    """The error for values nested deeper than :data:`MAX_VALUE_DEPTH` (or cyclic)."""
    return FqlEventError(too_deep_message(f"{MAX_VALUE_DEPTH} levels"), code="FQL602")


def order(op: str, a: Any, b: Any) -> bool:
    """FQL ``< <= > >=``: two numbers by value, or two strings by code point
    (ISO-8601 timestamps then compare in time order, AM-05); anything else is false."""
    if not ((is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        json_type(a)
        json_type(b)
        return False
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def json_copy(
    value: Any, max_depth: int, error: type[FqlEventError] = FqlEventError
) -> Any:
    """A deep copy of a JSON value (JavaScript's ``JSON.parse(JSON.stringify(x))``),
    refusing non-JSON values, non-string keys and nesting deeper than ``max_depth``
    (which also catches cycles) with ``error``: each layer reports a bad event with its
    own error class, so the one copier takes the class instead of being copied per layer.

    With the compiled kernel the copy runs in C for exact JSON types (``_kernel.json_copy``),
    handing anything unusual back to the Python copy below, so results and errors are the
    same on both backends."""
    copier = _KERNEL_COPY if _KERNEL_COPY is not _UNRESOLVED else _kernel_copy()
    if copier is not None:
        return copier(value, max_depth, _copy, error)
    return _copy(value, max_depth, (), error)


_UNRESOLVED: Any = object()
#: The kernel's copy, looked up on the first copy (the kernel imports this module, so
#: this module cannot import the kernel when it is itself imported); None: Python's.
_KERNEL_COPY: Any = _UNRESOLVED


def _kernel_copy() -> Any:
    global _KERNEL_COPY
    from ._ext import kernel

    _KERNEL_COPY = getattr(kernel("_kernel"), "json_copy", None)
    return _KERNEL_COPY


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _copy(
    value: Any, depth_left: int, path: tuple[str | int, ...], error: type[FqlEventError]
) -> Any:
    # ``path`` holds the keys (and list indexes) down to ``value``; it is made into
    # text only for an error, and scalar members are copied without a call.
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    if depth_left <= 0:
        raise error(f"{too_deep_message('max_event_depth')} at {_where(path)}")
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise error(f"event key {key!r} at {_where(path)} is not a string")
            out[key] = item if type(item) in _SCALARS else \
                _copy(item, depth_left - 1, (*path, key), error)
        return out
    if isinstance(value, list):
        return [item if type(item) in _SCALARS else _copy(item, depth_left - 1, (*path, i), error)
                for i, item in enumerate(value)]
    raise error(
        f"event value at {_where(path)} is a {type(value).__name__}, not a JSON value"
    )


def _where(path: tuple[str | int, ...]) -> str:
    """The location of ``path`` in messages: keys joined by dots, a list index always
    after a dot (``a.b``, ``a.0``, ``.0`` for an item of a top-level list)."""
    where = ""
    for step in path:
        where = f"{where}.{step}" if where or isinstance(step, int) else step
    return where or "the top"


# A JSON string literal (unrolled, so a long string is one linear scan) and everything
# that is not a bracket: what is left of JSON text after removing both is its nesting.
_JSON_STRING_TEXT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_text_depth(text: str | bytes) -> int:
    """How deeply the JSON text ``text`` nests (``[]`` is 1, ``[{}]`` 2), found by a
    linear scan without parsing: callers check it before ``json.loads``, whose recursion
    ends in ``RecursionError`` (or a crash, in some parsers) on a few hundred kilobytes
    of ``[``. Brackets inside strings do not count; malformed text may be over-counted,
    which only turns a parse error into a depth error."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    brackets = _NOT_BRACKET.sub("", _JSON_STRING_TEXT.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)
