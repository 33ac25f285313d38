"""Event values as the mapping runtime reads and writes them, in JavaScript's terms.

The JS rules every layer shares (``undefined``, truthiness, array indexes, UTF-16,
``String(x)``, ``JSON.stringify``) are :mod:`fql.js`; this module adds what is the
mapping kit's own: copying event data into the output (:func:`own`, with big integers
rounded to the JS double and ``__proto__`` dropped), Segment's ``removeUndefined``
(:func:`finalize`), Segment's ``get`` (:func:`lookup`, :func:`pick`, :func:`prop`),
its path splitting, ``JSON.parse``, loose blank tests, and the mapping's errors for
values it cannot read (:func:`too_deep`, :func:`not_json`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fql.js import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    array_index,
    js_int,
    js_json,
    js_string,
    utf16_len,
    utf16_units,
)
from fql.js import js_truthy as truthy
from fql.limits import DEFAULT_EVENT_DEPTH, too_deep_message

from .errors import MappingInputError

_SCALARS = frozenset({str, float, bool, type(None)})


def type_name(value: Any) -> str:
    """Segment's ``realTypeOf`` (``Object.prototype.toString`` minus the brackets)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def too_deep() -> MappingInputError:
    """The error for event values deeper than ``MappingLimits.max_value_depth``."""
    return MappingInputError(TOO_DEEP, path="/")


#: The message for event values deeper than ``MappingLimits.max_value_depth``.
TOO_DEEP = too_deep_message("max_value_depth")


def not_json(value: Any) -> MappingInputError:
    """The error for an event value the mapping cannot read as JSON."""
    return MappingInputError(f"event value of type {type(value).__name__} is not JSON", path="/")


def own(value: Any, depth: int) -> Any:
    """A copy of event data the caller may keep and mutate: containers are copied,
    ``__proto__`` keys dropped (JS's ``Object.assign`` loses them), big integers
    rounded to the JS double, anything that is not JSON rejected."""
    t = type(value)
    if t is dict:
        return _own_dict(value, depth)
    if t is list:
        return _own_list(value, depth)
    if t in _SCALARS:
        return value
    if t is int:
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else js_int(value)
    return _own_other(value, depth)


def _own_dict(source: Any, depth: int) -> dict[str, Any]:
    if depth <= 0:
        raise too_deep()
    copy: dict[str, Any] = {}
    for key, value in source.items():
        if type(key) is not str:
            raise not_json(key)
        t = type(value)
        if t is dict:
            value = _own_dict(value, depth - 1)
        elif t is list:
            value = _own_list(value, depth - 1)
        elif t not in _SCALARS:
            value = own(value, depth - 1)
        copy[key] = value
    copy.pop("__proto__", None)
    return copy


def _own_list(source: Any, depth: int) -> list[Any]:
    if depth <= 0:
        raise too_deep()
    copy = list(source)
    for i, value in enumerate(copy):
        t = type(value)
        if t is dict:
            copy[i] = _own_dict(value, depth - 1)
        elif t is list:
            copy[i] = _own_list(value, depth - 1)
        elif t not in _SCALARS:
            copy[i] = own(value, depth - 1)
    return copy


def _own_other(value: Any, depth: int) -> Any:
    """Subclasses of the JSON types (an ``IntEnum``, an ``OrderedDict``) read as their
    base type; anything else (``datetime``, ``bytes``, tuples, sets) is not JSON."""
    if value is UNDEFINED:
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return own(int(value), depth)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return _own_dict(value, depth)
    if isinstance(value, list):
        return _own_list(value, depth)
    raise not_json(value)


def finalize(value: Any, depth: int) -> Any:
    """Segment's ``removeUndefined`` on an owned value: ``UNDEFINED`` members leave
    objects, become ``None`` in arrays; ``__proto__`` keys are lost."""
    t = type(value)
    if t is dict:
        if depth <= 0:
            raise too_deep()
        return {
            k: finalize(v, depth - 1)
            for k, v in value.items()
            if v is not UNDEFINED and k != "__proto__"
        }
    if t is list:
        if depth <= 0:
            raise too_deep()
        return [None if v is UNDEFINED else finalize(v, depth - 1) for v in value]
    return value


def prop(obj: Any, key: str) -> Any:
    """``obj[key]`` for a truthy non-dict JS value: array and string indices and
    ``length`` (strings count UTF-16 units); numbers and booleans have no data
    properties. Inherited members (``toString``, ``constructor``) read as undefined."""
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED)
    if isinstance(obj, list):
        if key == "length":
            return len(obj)
        index = array_index(key)
        return obj[index] if 0 <= index < len(obj) else UNDEFINED
    if isinstance(obj, str):
        if key == "length":
            return utf16_len(obj)
        index = array_index(key)
        if index < 0:
            return UNDEFINED
        if obj.isascii():
            return obj[index] if index < len(obj) else UNDEFINED
        units = utf16_units(obj)
        return units[index] if index < len(units) else UNDEFINED
    if isinstance(obj, (int, float)) or obj is UNDEFINED:
        return UNDEFINED
    raise not_json(obj)


def pick(value: Any, keys: tuple[str, ...], depth: int) -> Any:
    """``lookup`` then ``own``: a path's value as the output holds it (scalars as they
    are, containers copied)."""
    for key in keys:
        if type(value) is dict:
            value = value.get(key, UNDEFINED)
        elif not truthy(value):
            break
        else:
            value = prop(value, key)
    t = type(value)
    if t is str or t is float or t is bool or value is None:
        return value
    if t is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    return own(value, depth)


def lookup(value: Any, keys: tuple[str, ...]) -> Any:
    """Segment's ``get``: ``keys.reduce((o, k) => o && o[k], value)``, so the walk stops
    at, and returns, the first falsy value (``0``, ``""``, ``null``, ``undefined``)."""
    for key in keys:
        if type(value) is dict:
            value = value.get(key, UNDEFINED)
        elif not truthy(value):
            return value
        else:
            value = prop(value, key)
    return value


_PATH_SPLIT = re.compile(r"""\[(?=["'0-9])|\.|(?<=["'0-9])\]+""")
_QUOTES = re.compile(r"""['"]""")


def split_path(path: str) -> tuple[str, ...]:
    """Segment's path splitting: on ``.``, on ``[`` before a quote or digit and on ``]``
    after one; empty pieces dropped, then every quote removed. ``""`` and ``"."`` are
    the whole value (no keys). ``[key]`` without quotes stays part of the key."""
    if path in ("", "."):
        return ()
    if "[" not in path and "]" not in path and '"' not in path and "'" not in path:
        return tuple(piece for piece in path.split(".") if piece)  # the same, plain dots
    return tuple(_QUOTES.sub("", piece) for piece in _PATH_SPLIT.split(path) if piece)


def strip_root(path: str) -> str:
    """``path.replace('$.', '')``: the *first* ``$.`` anywhere, not only a prefix."""
    return path.replace("$.", "", 1)


def _value_error(kind: str, value: Any) -> Exception:
    """The mapping's errors for :func:`fql.js.js_string` and :func:`fql.js.js_json`."""
    return too_deep() if kind == "deep" else not_json(value)


def to_string(value: Any, depth: int) -> str:
    """JS ``String(value)`` (:func:`fql.js.js_string`) with the mapping's errors."""
    return js_string(value, depth, _value_error)


def json_stringify(value: Any, depth: int) -> Any:
    """``JSON.stringify(value)`` (:func:`fql.js.js_json`) with the mapping's errors:
    ``UNDEFINED`` for ``undefined``."""
    return js_json(value, depth, _value_error)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _parse_int(text: str) -> int | float:
    value = int(text)
    return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else js_int(value)


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=_parse_int)


def json_parse(text: str) -> Any:
    """``JSON.parse``: raises ``ValueError`` where JS throws (``NaN``, ``Infinity`` are not
    JSON); integers become JS doubles."""
    return _JSON_DECODER.decode(text)


def loose_blank(value: Any) -> bool:
    """``value == ''`` in JS (loose equality), for ``@if blank``: ``false``, ``0``, ``""``,
    ``[]``, ``[[]]``, ``[null]`` are blank; ``" "``, ``"0"``, ``{}``, ``NaN`` are not."""
    t = type(value)
    if t is str:
        return value == ""
    if t is bool:
        return value is False
    if t is int or t is float:
        return value == 0
    if isinstance(value, list):
        return to_string(value, DEFAULT_EVENT_DEPTH) == ""
    return False


