"""JavaScript value formatting, for the places where Segment's reference converts values
with JS rules: ``String(x)`` (mapping ``@template``, ``to_string``), ``JSON.stringify``
(tsub's sampling key, ``@json``) and JS number printing (``1e+21``, ``1e-7``, ``-0``).

Python's ``repr(float)`` already yields the shortest round-trip digits, the same digit
string ECMAScript's Number::toString picks; only the layout (where the exponent starts,
``e+``) differs, so we re-layout those digits instead of reimplementing the algorithm.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_JSON_STRING = json.JSONEncoder(ensure_ascii=False).encode


def js_number(value: float | int) -> str:
    """``String(n)`` for a JS number (Python ints are first made doubles, as JS would)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    x = float(value)
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


def js_string(value: Any) -> str:
    """``String(value)`` for a JSON value: objects ``[object Object]``, arrays
    comma-joined (``null`` elements empty), ``null`` → ``"null"``."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_json(value: Any) -> str | None:
    """``JSON.stringify(value)`` for JSON values: no spaces, JS number layout,
    non-finite numbers as ``null``. Returns ``None`` for JS ``undefined``
    (not representable here, so never)."""
    parts: list[str] = []
    _stringify(value, parts)
    return "".join(parts)


def _stringify(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_JSON_STRING(value))
    elif isinstance(value, (int, float)):
        out.append(js_number(value) if math.isfinite(float(value)) else "null")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _stringify(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(_JSON_STRING(str(key)))
            out.append(":")
            _stringify(item, out)
        out.append("}")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def utf16_len(text: str) -> int:
    """``text.length`` in JS: UTF-16 code units, so an astral character counts twice
    (Segment's length limits, e.g. ``@replace`` patterns, are counted this way)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


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
