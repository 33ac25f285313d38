"""The JavaScript value core: how Segment's JavaScript reads and prints JSON values.

Triggers, mappings, device-mode (tsub) rules and destination filters all run in Segment's
JavaScript, so each needs the same few JS rules; they live here once:

* :data:`UNDEFINED`, JS ``undefined`` (a field that is not there, distinct from ``null``);
* :func:`js_truthy`, JS truthiness (``{}`` and ``[]`` are true; ``0``, ``""``, NaN false);
* :func:`array_index`, which property keys index an array (canonical ASCII decimals
  below 2**32 - 1, ECMA-262 §6.1.7);
* :func:`utf16_len`, :func:`utf16_units`, :func:`utf16_text`: JS strings are UTF-16;
* :func:`js_number`, :func:`js_string`, :func:`js_json`: ``String(n)``, ``String(x)``
  and ``JSON.stringify`` (JS key order, lone surrogates escaped, ``undefined`` skipped);
* :func:`js_int`, :func:`js_trim`.

What differs per dialect (how a path walk treats a falsy step, which built-in members a
path can reach) stays in each dialect's walker, which says why.

Python's ``repr(float)`` already yields the shortest round-trip digits, the same digit
string ECMAScript's Number::toString picks; only the layout (where the exponent starts,
``e+``) differs, so :func:`js_number` re-lays out those digits instead of reimplementing
the algorithm.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from .errors import FqlEventError
from .limits import DEFAULT_EVENT_DEPTH, too_deep_message


class Undefined:
    """JS ``undefined``: falsy, distinct from ``None``; one instance, :data:`UNDEFINED`."""

    __slots__ = ()
    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"  # pickles (to a worker process) as the one instance


UNDEFINED: Final[Any] = Undefined()

#: JS numbers are doubles: integers beyond ±2**53 are not exact.
MAX_SAFE_INTEGER: Final = 2**53
#: The largest array index: indexes are below 2**32 - 1 (ECMA-262 §6.1.7).
MAX_ARRAY_INDEX: Final = 2**32 - 2
#: From this magnitude up, ``String(n)`` switches to exponent form (Number::toString).
EXPONENT_FROM: Final = 1e21


# The built-in members a JS property read reaches besides a JSON value's own keys
# (Node 20's ``Object.getOwnPropertyNames`` of each prototype): ``{}.toString``,
# ``[].map``, ``"x".trim``. A path such as ``properties.constructor`` finds one in
# Segment's JavaScript, so each dialect's walker needs to know them.
OBJECT_MEMBERS = frozenset((
    "constructor", "__proto__", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
    "toLocaleString", "toString", "valueOf", "__defineGetter__", "__defineSetter__",
    "__lookupGetter__", "__lookupSetter__"))
ARRAY_MEMBERS = OBJECT_MEMBERS | frozenset((
    "at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find",
    "findIndex", "findLast", "findLastIndex", "flat", "flatMap", "forEach", "includes",
    "indexOf", "join", "keys", "lastIndexOf", "map", "pop", "push", "reduce",
    "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice", "toReversed",
    "toSorted", "toSpliced", "unshift", "values", "with"))
STRING_MEMBERS = OBJECT_MEMBERS | frozenset((
    "at", "anchor", "big", "blink", "bold", "charAt", "charCodeAt", "codePointAt",
    "concat", "endsWith", "fixed", "fontcolor", "fontsize", "includes", "indexOf",
    "isWellFormed", "italics", "lastIndexOf", "link", "localeCompare", "match",
    "matchAll", "normalize", "padEnd", "padStart", "repeat", "replace", "replaceAll",
    "search", "slice", "small", "split", "startsWith", "strike", "sub", "substr",
    "substring", "sup", "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase",
    "toUpperCase", "toWellFormed", "trim", "trimEnd", "trimLeft", "trimRight",
    "trimStart"))
NUMBER_MEMBERS = OBJECT_MEMBERS | frozenset(
    ("toExponential", "toFixed", "toPrecision"))
FUNCTION_MEMBERS = OBJECT_MEMBERS | frozenset(("apply", "bind", "call"))


def js_truthy(value: Any) -> bool:
    """JS truthiness: ``0``, NaN, ``""``, ``null``, ``undefined``, ``false`` are falsy;
    every object and array (even empty) is truthy."""
    if value is None or value is UNDEFINED or value is False:
        return False
    t = type(value)
    if t is str:
        return value != ""
    if t is int:
        return value != 0
    if t is float:
        return value == value and value != 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # subclasses
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def array_index(key: str) -> int:
    """The array index the property key ``key`` names, or -1: canonical ASCII decimal
    (``"0"``, ``"12"``; not ``"01"``, ``"-1"``, ``"²"`` or ``"١"``) at most
    :data:`MAX_ARRAY_INDEX`."""
    if key.isascii() and key.isdigit() and (key == "0" or key[0] != "0"):
        index = int(key)
        if index <= MAX_ARRAY_INDEX:
            return index
    return -1


def js_number(value: float | int) -> str:
    """``String(n)`` for a JS number (Python ints are first made doubles, as JS would;
    an int beyond the double range is ``Infinity``, as ``Number`` makes it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        x = float(value)
    except OverflowError:
        return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # also -0
    sign = "-" if x < 0 else ""
    dec = Decimal(repr(abs(x))).normalize()
    _, digit_tuple, exponent = dec.as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = int(exponent) + k  # position of the decimal point relative to the digits
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


def _double(value: int | float) -> float:
    """A number as the JS double it is (``±inf`` beyond the double range)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def js_to_number(value: Any) -> float:
    """JS ``Number(value)`` for a JSON value: strings parsed as JS parses numeric
    literals (trimmed, ``""`` is 0, ``0x``/``0o``/``0b``, ``Infinity``), arrays through
    their ``String()``, objects and :data:`UNDEFINED` NaN."""
    if value is UNDEFINED or isinstance(value, dict):
        return math.nan
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, (int, float)):
        return _double(value)
    text = js_trim(value if isinstance(value, str) else js_string(value))
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    base = _RADIX.get(text[:2])
    if base is not None and len(text) > 2:
        try:
            return _double(int(text[2:], base))
        except ValueError:
            return math.nan
    return math.nan



def _primitive(value: Any) -> Any:
    """``ToPrimitive`` for a JSON value: arrays and objects become their ``String()``."""
    if isinstance(value, (list, dict)):
        return js_string(value)
    return value


def js_less_than(left: Any, right: Any) -> bool | None:
    """JS ``left < right`` (the abstract relational comparison): two strings compare
    by UTF-16 code units, anything else as numbers (``Number()``); ``None`` stands for
    the comparison's *undefined* (a NaN was involved), which ``<`` and ``<=`` both
    treat as false."""
    a, b = _primitive(left), _primitive(right)
    if isinstance(a, str) and isinstance(b, str):
        return utf16_text(a) < utf16_text(b)
    x, y = js_to_number(a), js_to_number(b)
    if x != x or y != y:
        return None
    return x < y


def js_compare(op: str, left: Any, right: Any) -> bool:
    """JS ``left op right`` for ``op`` one of ``< <= > >=``."""
    if op == "<":
        return js_less_than(left, right) is True
    if op == ">":
        return js_less_than(right, left) is True
    if op == "<=":
        return js_less_than(right, left) is False
    return js_less_than(left, right) is False


def js_int(value: int) -> int | float:
    """The integer a JS double holds for ``value``, written with the digits JS prints
    (so ``12345678901234567890`` becomes ``12345678901234567000``); beyond the double
    range, ``±inf``."""
    try:
        as_float = float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    return int(js_number(as_float)) if abs(as_float) < EXPONENT_FROM else as_float


#: ``error(kind, value)`` makes the exception for a value JS cannot print here: ``kind``
#: is ``"deep"`` (nested deeper than the depth given, or cyclic) or ``"type"`` (not a
#: JSON value). Each layer passes its own, so one printer serves them all.
ValueErrorFactory = Callable[[str, Any], Exception]


def value_error(kind: str, value: Any) -> Exception:
    """The core's own error for :data:`ValueErrorFactory` (an :class:`FqlEventError`)."""
    if kind == "deep":
        return FqlEventError(too_deep_message("the depth limit"))
    return FqlEventError(f"value of type {type(value).__name__} is not a JSON value")


def js_string(
    value: Any, depth: int = DEFAULT_EVENT_DEPTH, error: ValueErrorFactory = value_error
) -> str:
    """``String(value)``: arrays comma-joined (``null``/``undefined`` items empty),
    objects ``[object Object]``, numbers as JS prints them, ``undefined``."""
    t = type(value)
    if t is str:
        return value
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if t is bool:
        return "true" if value else "false"
    if t is float or t is int:
        return js_number(value)
    if isinstance(value, list):
        if depth <= 0:
            raise error("deep", value)
        return ",".join(
            "" if item is None or item is UNDEFINED else js_string(item, depth - 1, error)
            for item in value
        )
    if isinstance(value, dict):
        return "[object Object]"
    return js_string(_base_value(value, error), depth, error)


def _base_value(value: Any, error: ValueErrorFactory) -> Any:
    """A subclass of a JSON type (an ``IntEnum``, a ``str`` subclass) as its base type;
    anything else (``datetime``, ``bytes``, tuples, sets) is not JSON."""
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value)
    raise error("type", value)


def js_ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with JS's own-key order: array-index keys first, ascending, then the rest
    in insertion order (what ``Object.keys`` and ``JSON.stringify`` follow,
    ECMA-262 OrdinaryOwnPropertyKeys). ``obj`` itself when that is already its order."""
    if not obj:
        return obj
    try:
        if min(obj) > "9":  # runs in C: when every key sorts after "9", none is an index
            return obj
    except TypeError:  # a key that is not a string: the caller reports it
        return obj
    indexed = sorted((k for k in obj if array_index(k) >= 0), key=int)
    if not indexed:
        return obj
    ordered = {k: obj[k] for k in indexed}
    ordered.update((k, v) for k, v in obj.items() if k not in ordered)
    return ordered


_JSON_STRING = json.JSONEncoder(ensure_ascii=False).encode
_LONE_SURROGATE = re.compile(
    r"(?<![\ud800-\udbff])[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])"
)


def json_quote(text: str) -> str:
    """A JSON string literal as ``JSON.stringify`` writes it (lone surrogates escaped)."""
    quoted = _JSON_STRING(text)
    if text.isascii():
        return quoted
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def js_json(
    value: Any, depth: int = DEFAULT_EVENT_DEPTH, error: ValueErrorFactory = value_error
) -> Any:
    """``JSON.stringify(value)``: :data:`UNDEFINED` for ``undefined``; object keys in JS
    order; members that are ``undefined`` skipped in objects and written ``null`` in
    arrays; non-finite numbers ``null``; integers as the JS double prints them; lone
    surrogates escaped; no spaces. Deeper than ``depth`` (or cyclic), or not JSON:
    ``error``."""
    if value is UNDEFINED:
        return UNDEFINED
    parts: list[str] = []
    _stringify(value, parts, depth, error)
    return "".join(parts)


def _stringify(value: Any, out: list[str], depth: int, error: ValueErrorFactory) -> None:
    t = type(value)
    if t is str:
        out.append(json_quote(value))
    elif value is None or value is UNDEFINED:
        out.append("null")
    elif t is bool:
        out.append("true" if value else "false")
    elif t is int or t is float:
        number = js_int(value) if t is int and abs(value) > MAX_SAFE_INTEGER else value
        out.append(js_number(number) if math.isfinite(number) else "null")
    elif isinstance(value, dict):
        if depth <= 0:
            raise error("deep", value)
        out.append("{")
        first = True
        for key, item in js_ordered(value).items():
            if item is UNDEFINED:
                continue
            if not isinstance(key, str):
                raise error("type", key)
            if not first:
                out.append(",")
            first = False
            out.append(json_quote(key))
            out.append(":")
            _stringify(item, out, depth - 1, error)
        out.append("}")
    elif isinstance(value, list):
        if depth <= 0:
            raise error("deep", value)
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _stringify(item, out, depth - 1, error)
        out.append("]")
    else:
        _stringify(_base_value(value, error), out, depth, error)


def utf16_len(text: str) -> int:
    """``text.length`` in JS: UTF-16 code units, so an astral character counts twice
    (Segment's length limits, e.g. ``@replace`` patterns, are counted this way)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_text(text: str) -> str:
    """``text`` with each astral character written as its two surrogates, so that
    indexing and ``len`` count UTF-16 code units, as JS does."""
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return text
    return "".join(utf16_units(text))


def utf16_units(text: str) -> list[str]:
    """The UTF-16 code units of ``text`` as one-character strings (astral characters
    split into their surrogates), which is what JS indexes and spreads."""
    if all(ord(ch) <= 0xFFFF for ch in text):
        return list(text)
    units: list[str] = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            units.append(chr(0xD800 + (code >> 10)))
            units.append(chr(0xDC00 + (code & 0x3FF)))
        else:
            units.append(ch)
    return units


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def join_surrogates(text: str) -> str:
    """``text`` with each surrogate pair written as its one character, the inverse of
    :func:`utf16_text` (lone surrogates stay): JS builds strings unit by unit, so a
    pair can come out of two separate pieces."""
    if _SURROGATE_PAIR.search(text) is None:
        return text
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10)
                      + (ord(m.group()[1]) - 0xDC00)), text)


#: The characters ``String.prototype.trim`` removes: WhiteSpace and LineTerminator
#: (ECMA-262 §12.2, §12.3). Python's ``str.strip`` differs (it strips U+001C..U+001F
#: and keeps U+FEFF).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(text: str) -> str:
    """``text.trim()`` with JS's whitespace set."""
    return text.strip(JS_WHITESPACE)
