"""liquidjs's filters, in Python: what ``@liquid`` filters compute in Segment's mapping kit.

python-liquid parses and runs templates; its filters follow Shopify's Ruby Liquid, and
liquidjs (10.27.2, what the mapping kit runs) differs on many of them: JavaScript
arithmetic (``10 | divided_by: 4`` is 2.5, ``modulo`` of a negative is positive),
``truncate`` returning its input untouched when it fits (so ``75001 | truncate: 5`` is
``75001``), ``date`` returning its input when it is not a date (``"1.0"`` stays ``1.0``),
strings measured in UTF-16 units, filters python-liquid lacks (``slugify``, ``sha256``,
``to_integer``, ``date_to_string``...), and unknown filters that pass their input
through. Each filter here is written from liquidjs's documented behaviour and checked by
the differential corpus (``tests/golden/liquid_corpus.jsonl``, rendered by liquidjs
set up as the mapping kit sets it up; ``tests/test_liquid_corpus.py``).

Values arrive as python-liquid gives them (JSON values, its ``Undefined``, ``range``);
:func:`js_value` turns them into the JS values of :mod:`fql.js` (``UNDEFINED``). Numbers
produced here are Python floats (JS doubles); output goes through ``liquid_string``.

Deliberate gaps, listed in ``docs/semantics/mappings.md`` ("Liquid"): ``date`` parses
ISO 8601, RFC 2822 style and "Month day, year" texts, not every string V8's legacy date
parser accepts; ``%c``/``%x``/``%X`` use the ``en-US`` forms Node prints.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import math
import random
import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

from fql.js import (
    JS_WHITESPACE,
    UNDEFINED,
    join_surrogates,
    js_compare,
    js_json,
    js_string,
    js_to_number,
    js_trim,
    utf16_text,
)

Filter = Callable[..., Any]

#: Sentinel for an argument the template did not pass (JS ``undefined`` parameter).
_NOT_GIVEN: Final[Any] = UNDEFINED


class LiquidFilterError(ValueError):
    """A liquidjs filter throws (``append`` without an argument, a malformed
    ``url_decode`` input); the directive throws with this message."""


def js_value(value: Any) -> Any:
    """A python-liquid value as the JS value liquidjs would hold."""
    if value is None or isinstance(value, (str, bool, int, float, dict, list)):
        return value
    if value.__class__.__name__.endswith("Undefined"):
        return UNDEFINED
    if isinstance(value, range):
        return [float(i) for i in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def stringify(value: Any) -> str:
    """liquidjs ``stringify``: strings as they are, nil empty, arrays concatenated (each
    element stringified), everything else ``String(x)``."""
    value = js_value(value)
    if isinstance(value, str):
        return value
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, list):
        return "".join(stringify(item) for item in value)
    return js_string(value)


def to_number(value: Any) -> float:
    """liquidjs ``toNumber``: ``+value || 0`` (NaN and -0 become 0)."""
    number = js_to_number(js_value(value))
    return number if number == number and number != 0 else 0.0


def _is_nil(value: Any) -> bool:
    return value is None or value is UNDEFINED


def _to_array(value: Any) -> list[Any]:
    value = js_value(value)
    if _is_nil(value):
        return []
    return value if isinstance(value, list) else [value]


def _units(text: str) -> str:
    """``text`` as UTF-16 code units (what JS indexes and measures)."""
    return utf16_text(text)


#: Units back to text: surrogate pairs rejoined; lone surrogates stay.
_from_units = join_surrogates


# --- math ---


def _js_round(x: float) -> float:
    """``Math.round``: half-way cases go up (toward +infinity)."""
    if not math.isfinite(x):
        return x
    floor = math.floor(x)
    return float(floor + 1 if x - floor >= 0.5 else floor)


def _js_mod(a: float, b: float) -> float:
    """JS ``%``: the sign of the dividend (C ``fmod``); NaN for a zero divisor."""
    if b == 0 or not math.isfinite(a):
        return math.nan
    if not math.isfinite(b):
        return a
    return math.fmod(a, b)


def _js_div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _numbers(func: Callable[..., float]) -> Filter:
    """liquidjs ``argumentsToNumber``: every argument given goes through ``toNumber``."""

    def apply(value: Any, *args: Any) -> float:
        return func(to_number(value), *(to_number(a) for a in args))

    return apply


def _arith(op: Callable[[float, float], float]) -> Filter:
    def apply(value: Any, *args: Any) -> float:
        right = to_number(args[0]) if args else math.nan  # `x + undefined` is NaN
        return op(to_number(value), right)

    return apply


def _at(pick: Callable[..., float]) -> Filter:
    def apply(value: Any, *args: Any) -> float:
        return pick(to_number(value), *(to_number(a) for a in args))

    return apply


def _divided_by(value: Any, divisor: Any = _NOT_GIVEN, integer: Any = False) -> float:
    quotient = _js_div(to_number(value), to_number(divisor) if divisor is not _NOT_GIVEN
                       else math.nan)
    return float(math.floor(quotient)) if to_number(integer) and math.isfinite(quotient) \
        else quotient


def _modulo(value: Any, divisor: Any = _NOT_GIVEN) -> float:
    b = to_number(divisor) if divisor is not _NOT_GIVEN else math.nan
    return _js_mod(_js_mod(to_number(value), b) + b, b)


def _round(value: Any, places: Any = 0) -> float:
    v, n = to_number(value), to_number(places)
    amp = 10.0 ** n
    return _js_round((v * amp) * (1 + 2.220446049250313e-16)) / amp


# --- html ---

_ESCAPES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
_UNESCAPE: Final = re.compile(r"&(amp|lt|gt|#34|#39);")
_UNESCAPES: Final = {v: k for k, v in _ESCAPES.items()}


def _escape(value: Any) -> str:
    return re.sub(r"[&<>\"']", lambda m: _ESCAPES[m.group()], stringify(value))


def _escape_once(value: Any) -> str:
    return _escape(_UNESCAPE.sub(lambda m: _UNESCAPES[m.group()], stringify(value)))


def _strip_html(value: Any) -> str:
    """Drop ``<script>``/``<style>`` blocks, comments and tags; an unclosed opener keeps
    the rest of the text (liquidjs's linear scan)."""
    text = stringify(value)
    blocks = [("<script", "</script>"), ("<style", "</style>"), ("<!--", "-->"), ("<", ">")]
    out: list[str] = []
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        if lt < 0:
            return "".join(out) + text[i:]
        out.append(text[i:lt])
        for opener, closer in list(blocks):
            if not text.startswith(opener, lt):
                continue
            end = text.find(closer, lt + len(opener))
            if end >= 0:
                i = end + len(closer)
                break
            blocks.remove((opener, closer))
        if i <= lt:
            return "".join(out) + text[lt:]
    return "".join(out)


# --- url ---

_COMPONENT_SAFE: Final = "-_.!~*'()"
_URI_SAFE: Final = _COMPONENT_SAFE + ";,/?:@&=+$#[]"


def _encode(text: str, safe: str, name: str) -> str:
    try:
        return quote(text.encode("utf-8"), safe=safe)
    except UnicodeEncodeError:
        raise LiquidFilterError("URI malformed") from None


def _url_encode(value: Any) -> str:
    return _encode(stringify(value), _COMPONENT_SAFE, "url_encode").replace("%20", "+")


def _cgi_escape(value: Any) -> str:
    text = _encode(stringify(value), _COMPONENT_SAFE, "cgi_escape").replace("%20", "+")
    return re.sub(r"[!'()*]", lambda m: f"%{ord(m.group()):X}", text)


def _uri_escape(value: Any) -> str:
    return _encode(stringify(value), _URI_SAFE, "uri_escape")


def _url_decode(value: Any) -> str:
    """``decodeURIComponent`` (a malformed escape throws ``URI malformed``), then ``+``
    as space."""
    text = stringify(value)
    out = bytearray()
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "%":
            hexpair = text[i + 1:i + 3]
            if len(hexpair) < 2 or not all(c in "0123456789abcdefABCDEF" for c in hexpair):
                raise LiquidFilterError("URI malformed")
            out.append(int(hexpair, 16))
            i += 3
            continue
        if out:
            parts.append(_utf8(out))
            out = bytearray()
        parts.append(text[i])
        i += 1
    if out:
        parts.append(_utf8(out))
    return "".join(parts).replace("+", " ")


def _utf8(data: bytearray) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise LiquidFilterError("URI malformed") from None


def _slug_keep(extra: str) -> Callable[[str], bool]:
    def keep(ch: str) -> bool:
        return ch in extra or unicodedata.category(ch)[0] in "LM" or \
            unicodedata.category(ch) == "Nd"

    return keep


_LATIN: Final = [("àáâãäå", "a"), ("æ", "ae"), ("ç", "c"), ("èéêë", "e"), ("ìíîï", "i"),
                 ("ð", "d"), ("ñ", "n"), ("òóôõöø", "o"), ("ùúûü", "u"), ("ýÿ", "y"),
                 ("ß", "ss"), ("œ", "oe"), ("þ", "th"), ("ẞ", "SS"), ("Œ", "OE"), ("Þ", "TH")]


def _slugify(value: Any, mode: Any = "default", cased: Any = False) -> str:
    text = stringify(value)
    mode = js_value(mode)
    keep: Callable[[str], bool] | None
    if mode in ("default", "latin"):
        keep = _slug_keep("")
    elif mode == "pretty":
        keep = _slug_keep("._~!$&'()+,;=@")
    elif mode == "ascii":
        keep = lambda ch: ch.isascii() and ch.isalnum()  # noqa: E731
    elif mode == "raw":
        keep = lambda ch: ch not in JS_WHITESPACE  # noqa: E731
    else:
        keep = None
    if keep is not None:
        if mode == "latin":
            for chars, plain in _LATIN:
                text = re.sub(f"[{chars}]", plain, text)
        pieces: list[str] = []
        run = False
        for ch in text:
            if keep(ch):
                pieces.append(ch)
                run = False
            elif not run:
                pieces.append("-")
                run = True
        text = "".join(pieces)
        text = text[1:] if text.startswith("-") else text
        text = text[:-1] if text.endswith("-") else text
    return text if _truthy_js(cased) else text.lower()


def _truthy_js(value: Any) -> bool:
    value = js_value(value)
    return not (value is None or value is UNDEFINED or value is False or value == "" or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and
        (value == 0 or value != value)))


# --- arrays ---


def _join(value: Any, separator: Any = _NOT_GIVEN) -> str:
    separator = js_value(separator)
    sep = " " if _is_nil(separator) else stringify(separator)
    return sep.join("" if _is_nil(item) else js_string(js_value(item)) for item in
                    _to_array(value))


def _index(value: Any, index: int) -> Any:
    value = js_value(value)
    if isinstance(value, str):
        units = _units(value)
        if not units:
            return UNDEFINED
        return units[index]
    if isinstance(value, list):
        return value[index] if value else UNDEFINED
    if isinstance(value, dict) and isinstance(value.get("length"), (int, float)) and \
            not isinstance(value.get("length"), bool):
        key = str(index if index >= 0 else int(value["length"]) + index)
        return value.get(key, UNDEFINED)
    return ""


def _first(value: Any) -> Any:
    return _index(value, 0)


def _last(value: Any) -> Any:
    return _index(value, -1)


def _size(value: Any) -> Any:
    value = js_value(value)
    if not _truthy_js(value):
        return 0
    if isinstance(value, str):
        return len(_units(value))
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        length = value.get("length", UNDEFINED)
        return length if _truthy_js(length) else 0
    return 0


def read_path(item: Any, path: str) -> Any:
    """A property path (``a.b``) read on ``item`` the way liquidjs's ``readProperty``
    reads it: own keys, array indexes, ``size``/``first``/``last``, string ``length``;
    nil stops the walk."""
    value = js_value(item)
    for key in path.split("."):
        if _is_nil(value):
            return value
        value = read_property(value, key)
    return value


def read_property(value: Any, key: str) -> Any:
    """One step of a Liquid variable path on a JavaScript value, as liquidjs reads it: an
    object's own key (``size`` when absent is its key count), an array's or string's index,
    ``length``/``size``, and ``first``/``last`` of an array; undefined otherwise.
    """
    if isinstance(value, dict):
        found = value.get(key, UNDEFINED)
        if key == "size" and found is UNDEFINED:
            return len(value)
        return found
    if isinstance(value, (list, str)):
        units: Any = _units(value) if isinstance(value, str) else value
        if key == "length":
            return len(units)
        if key == "size":
            return len(units)
        if key == "first" and isinstance(value, list):
            return units[0] if len(units) else UNDEFINED
        if key == "last" and isinstance(value, list):
            return units[-1] if len(units) else UNDEFINED
        if key.isascii() and key.isdigit() and (key == "0" or key[0] != "0"):
            i = int(key)
            return units[i] if i < len(units) else UNDEFINED
    return UNDEFINED


def _sum(value: Any, prop: Any = _NOT_GIVEN) -> float:
    total = 0.0
    for item in _to_array(value):
        data = js_to_number(read_path(item, stringify(prop)) if _truthy_js(prop)
                            else js_value(item))
        total += 0.0 if data != data else data
    return total


def _compact(value: Any) -> list[Any]:
    return [item for item in _to_array(value) if not _is_nil(js_value(item))]


def _push(value: Any, item: Any = _NOT_GIVEN) -> list[Any]:
    return [*_to_array(value), js_value(item)]


def _unshift(value: Any, item: Any = _NOT_GIVEN) -> list[Any]:
    return [js_value(item), *_to_array(value)]


def _pop(value: Any) -> list[Any]:
    return _to_array(value)[:-1]


def _shift(value: Any) -> list[Any]:
    return _to_array(value)[1:]


def _to_integer_or_inf(x: float) -> float:
    if x != x:
        return 0.0
    return float(math.trunc(x)) if math.isfinite(x) else x


def _slice(value: Any, begin: Any = _NOT_GIVEN, length: Any = 1) -> Any:
    value = js_value(value)
    if _is_nil(value):
        return []
    seq: Any = value if isinstance(value, list) else _units(stringify(value))
    b = js_to_number(js_value(begin))
    n = js_to_number(js_value(length))
    if b < 0:
        b = len(seq) + b
    if b < 0 or n < 0:
        return [] if isinstance(value, list) else ""
    start = _to_integer_or_inf(b)
    end = _to_integer_or_inf(b + n)
    size = len(seq)

    def clamp(x: float) -> int:
        if x < 0:
            return int(max(size + x, 0))
        return int(min(x, size))

    part = seq[clamp(start):clamp(end)]
    return part if isinstance(value, list) else _from_units(part)


def liquid_equals(left: Any, right: Any) -> bool:
    """liquidjs ``equals``: arrays element-wise, everything else ``===``."""
    left, right = js_value(left), js_value(right)
    if isinstance(left, list):
        return isinstance(right, list) and len(left) == len(right) and all(
            liquid_equals(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return float(left) == float(right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    return left is right or (left is None and right is None)


def _where(value: Any, prop: Any = _NOT_GIVEN, *expected: Any) -> list[Any]:
    path = stringify(prop)
    items = _to_array(value)
    if not expected or expected[0] is UNDEFINED:
        return [item for item in items
                if not _is_nil(v := read_path(item, path)) and v is not False]
    return [item for item in items if liquid_equals(read_path(item, path), expected[0])]


def _sample(value: Any, count: Any = 1) -> Any:
    value = js_value(value)
    if _is_nil(value):
        return []
    seq = list(value) if isinstance(value, list) else list(_units(stringify(value)))
    random.shuffle(seq)
    if count == 1:
        return seq[0] if seq else UNDEFINED
    return seq[: int(to_number(count))]


# --- strings ---


def _append(value: Any, *args: Any) -> str:
    if len(args) != 1:
        raise LiquidFilterError("append expect 2 arguments")
    return stringify(value) + stringify(args[0])


def _prepend(value: Any, *args: Any) -> str:
    if len(args) != 1:
        raise LiquidFilterError("prepend expect 2 arguments")
    return stringify(args[0]) + stringify(value)


def _strip_set(value: Any, chars: Any, left: bool, right: bool) -> str:
    text = stringify(value)
    if _truthy_js(chars):
        drop = set(stringify(chars))
        units = _units(text)
        i, j = 0, len(units)
        if left:
            while i < j and units[i] in drop:
                i += 1
        if right:
            while j > i and units[j - 1] in drop:
                j -= 1
        return _from_units(units[i:j])
    if left and right:
        return js_trim(text)
    return text.lstrip(JS_WHITESPACE) if left else text.rstrip(JS_WHITESPACE)


def _js_split(text: str, separator: str) -> list[str]:
    """``String.prototype.split`` with a string separator (``""`` splits UTF-16 units)."""
    if separator == "":
        return [_from_units(u) for u in _units(text)]
    return text.split(separator)


def _split(value: Any, separator: Any = _NOT_GIVEN) -> list[str]:
    parts = _js_split(stringify(value), stringify(separator))
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _capitalize(value: Any) -> str:
    units = _units(stringify(value))
    return _from_units(units[:1]).upper() + _from_units(units[1:]).lower()


def _replace(value: Any, pattern: Any = _NOT_GIVEN, replacement: Any = _NOT_GIVEN) -> str:
    return stringify(replacement).join(_js_split(stringify(value), stringify(pattern)))


def _replace_first(value: Any, pattern: Any = _NOT_GIVEN,
                   replacement: Any = _NOT_GIVEN) -> str:
    return stringify(value).replace(stringify(pattern), stringify(replacement), 1)


def _replace_last(value: Any, pattern: Any = _NOT_GIVEN,
                  replacement: Any = _NOT_GIVEN) -> str:
    text, target = stringify(value), stringify(pattern)
    index = text.rfind(target)
    if index < 0:
        return text
    return text[:index] + stringify(replacement) + text[index + len(target):]


def _remove(value: Any, pattern: Any = _NOT_GIVEN) -> str:
    return _replace(value, pattern, "")


def _remove_first(value: Any, pattern: Any = _NOT_GIVEN) -> str:
    return _replace_first(value, pattern, "")


def _remove_last(value: Any, pattern: Any = _NOT_GIVEN) -> str:
    return _replace_last(value, pattern, "")


def _truncate(value: Any, length: Any = 50, ellipsis: Any = "...") -> Any:
    """The input *itself* when its text fits (a number stays a number)."""
    text = _units(stringify(value))
    end = stringify(ellipsis)
    limit = js_to_number(js_value(length))
    if len(text) <= limit:
        return js_value(value)
    cut = limit - len(_units(end))
    stop = 0 if cut != cut or cut < 0 else int(min(cut, len(text)))
    return _from_units(text[:stop]) + end


_JS_SPACE_RUN: Final = re.compile(f"[{re.escape(JS_WHITESPACE)}]+")


def _truncatewords(value: Any, words: Any = 15, ellipsis: Any = "...") -> str:
    text = stringify(value)
    end = stringify(ellipsis)
    parts = _JS_SPACE_RUN.split(text)
    count = js_to_number(js_value(words))
    if not count > 0:
        count = 1
    n = int(min(count, len(parts))) if math.isfinite(count) else len(parts)
    result = " ".join(parts[:n])
    if len(parts) >= count:
        result += end
    return result


def _normalize_whitespace(value: Any) -> str:
    return _JS_SPACE_RUN.sub(" ", stringify(value))


_CJK: Final = "\u4e00-\u9fff\uf900-\ufaff\u3400-\u4dbf\u3040-\u309f\u30a0-\u30ff\uac00-\ud7af"
_CJK_CHAR: Final = re.compile(f"[{_CJK}]")
_NON_CJK_WORD: Final = re.compile(f"[^{_CJK}{re.escape(JS_WHITESPACE)}]+")


def _number_of_words(value: Any, mode: Any = _NOT_GIVEN) -> float:
    text = js_trim(stringify(value))
    if not text:
        return 0.0
    mode = js_value(mode)
    if mode == "cjk" or (mode == "auto" and _CJK_CHAR.search(text)):
        return float(len(_CJK_CHAR.findall(text)) + len(_NON_CJK_WORD.findall(text)))
    return float(len(_JS_SPACE_RUN.split(text)))


# --- base64, hashes ---


def _utf8_bytes(text: str) -> bytes:
    """Node's UTF-8 encoding: a lone surrogate becomes U+FFFD."""
    return text.encode("utf-8", errors="surrogatepass").decode(
        "utf-8", errors="replace").encode("utf-8") if any(
        "\ud800" <= ch <= "\udfff" for ch in text) else text.encode("utf-8")


def _node_utf8(data: bytes) -> str:
    """Node's ``buf.toString('utf8')``: each invalid sequence one U+FFFD."""
    return data.decode("utf-8", errors="replace")


_B64_CHARS: Final = re.compile(r"[^A-Za-z0-9+/\-_]")


def _base64_encode(value: Any) -> str:
    return base64.b64encode(_utf8_bytes(stringify(value))).decode("ascii")


def _base64_decode(value: Any) -> str:
    """Node's lenient base64: characters outside both alphabets are skipped, decoding
    stops at ``=``, and a trailing partial group yields the bytes it completes."""
    text = stringify(value).split("=", 1)[0]
    clean = _B64_CHARS.sub("", text).replace("-", "+").replace("_", "/")
    usable = len(clean) - len(clean) % 4
    data = base64.b64decode(clean[:usable]) if usable else b""
    tail = clean[usable:]
    if len(tail) >= 2:
        with contextlib.suppress(binascii.Error):
            data += base64.b64decode(tail + "=" * (4 - len(tail)))
    return _node_utf8(data)


def _sha256(value: Any) -> str:
    return hashlib.sha256(_utf8_bytes(stringify(value))).hexdigest()


def _hmac_sha256(value: Any, key: Any = _NOT_GIVEN) -> str:
    return hmac.new(_utf8_bytes(stringify(key)), _utf8_bytes(stringify(value)),
                    hashlib.sha256).hexdigest()


# --- misc ---


def _default(value: Any, default: Any = _NOT_GIVEN, *_args: Any, **kwargs: Any) -> Any:
    value = js_value(value)
    if isinstance(value, (list, str)):
        return value if value else js_value(default)
    if value is False and _truthy_js(kwargs.get("allow_false", UNDEFINED)):
        return False
    return js_value(default) if value is None or value is UNDEFINED or value is False \
        else value


def _json(value: Any, space: Any = 0) -> Any:
    """``JSON.stringify(value, null, space)``: ``undefined`` for ``undefined`` (printed
    empty); ``space`` a number (at most 10) or a string (its first 10 units)."""
    value = js_value(value)
    text = js_json(value)
    if text is UNDEFINED:
        return UNDEFINED
    space = js_value(space)
    if isinstance(space, (int, float)) and not isinstance(space, bool):
        indent = " " * int(min(max(_to_integer_or_inf(float(space)), 0), 10))
    elif isinstance(space, str):
        indent = space[:10]
    else:
        indent = ""
    return _indented(value, indent, "") if indent else text


def _indented(value: Any, indent: str, current: str) -> str:
    inner = current + indent
    if isinstance(value, dict):
        members = [f"{js_json(k)}: {_indented(v, indent, inner)}"
                   for k, v in value.items() if v is not UNDEFINED]
        if not members:
            return "{}"
        return "{\n" + ",\n".join(inner + m for m in members) + "\n" + current + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [_indented(v, indent, inner) for v in value]
        return "[\n" + ",\n".join(inner + i for i in items) + "\n" + current + "]"
    return str(js_json(value))


def _to_integer(value: Any) -> float:
    return js_to_number(js_value(value))


def _raw(value: Any) -> Any:
    return value


# --- dates ---

_MONTHS: Final = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
_DAYS: Final = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_ISO: Final = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?)?"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?\s*(Z|[+-]\d\d:?\d\d)?", re.I)
_WORD: Final = re.compile(r"[A-Za-z]+|\d+|[+-]\d+|\S")


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year, as JS's Date)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
         ms: int = 0) -> float | None:
    """Milliseconds since the epoch of a UTC date, or None when out of range."""
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute < 60
            and second < 60):
        return None  # V8 lets a day up to 31 run into the next month (Feb 30 is Mar 1)
    days = _days_from_civil(year, month, day)
    return ((days * 24 + hour) * 60 + minute) * 60000.0 + second * 1000.0 + ms


def _offset_minutes(text: str | None) -> int:
    if not text or text.upper() == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))


def parse_js_date(text: str) -> float | None:
    """``new Date(text)`` as milliseconds (UTC; the time zone is UTC), or None for an
    invalid date. ISO 8601 (date-only and date-time), and the legacy forms most often
    met: ``March 5, 2024``, ``5 March 2024``, ``Tue Mar 05 2024 10:00:00 GMT+0200``,
    ``2024/03/05``, ``3/5/2024``."""
    text = text.strip()
    m = _ISO.fullmatch(text)
    if m:
        year = int(m.group(1))
        month, day = int(m.group(2) or 1), int(m.group(3) or 1)
        hour, minute = int(m.group(4) or 0), int(m.group(5) or 0)
        second = int(m.group(6) or 0)
        ms = int((m.group(7) or "0")[:3].ljust(3, "0"))
        when = _utc(year, month, day, hour, minute, second, ms)
        if when is None or (hour == 24 and (minute or second or ms)):
            return None
        return when - _offset_minutes(m.group(8)) * 60000.0
    return _parse_legacy(text)


def _parse_legacy(text: str) -> float | None:
    tokens = _WORD.findall(text)
    numbers: list[int] = []
    month = None
    hour = minute = second = 0
    offset = 0
    pm: bool | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        if tok.isdigit() and i + 2 < len(tokens) and tokens[i + 1] == ":":
            hour, minute = int(tok), int(tokens[i + 2])
            i += 3
            if i + 1 < len(tokens) and tokens[i] == ":" and tokens[i + 1].isdigit():
                second = int(tokens[i + 1])
                i += 2
            continue
        if tok.isdigit():
            numbers.append(int(tok))
        elif tok.isalpha():
            names = [n for n in _MONTHS if n.lower().startswith(low[:3])] if len(low) >= 3 \
                else []
            if low in ("am", "pm"):
                pm = low == "pm"
            elif low in ("gmt", "utc", "ut", "z"):
                pass
            elif names and month is None:
                month = _MONTHS.index(names[0]) + 1
            elif any(d.lower().startswith(low[:3]) for d in _DAYS) and len(low) >= 3:
                pass
            else:
                return None
        elif tok[0] in "+-" and tok[1:].isdigit() and len(tok) == 5:
            offset = (-1 if tok[0] == "-" else 1) * (int(tok[1:3]) * 60 + int(tok[3:5]))
        elif tok in ",./-":
            pass
        else:
            return None
        i += 1
    if pm is not None and hour <= 12:
        hour = hour % 12 + (12 if pm else 0)
    if month is not None:
        if len(numbers) != 2:
            return None
        day, year = (numbers if numbers[0] <= 31 else numbers[::-1])
    elif len(numbers) == 3:
        if numbers[0] > 31:
            year, month, day = numbers
        else:
            month, day, year = numbers
    else:
        return None
    if year < 50:
        year += 2000
    elif year < 100:
        year += 1900
    when = _utc(year, month, day, hour, minute, second)
    return None if when is None else when - offset * 60000.0


class JsDate:
    """A UTC instant broken into the fields ``strftime`` reads (JS ``Date`` range, so
    years beyond 9999 work, unlike ``datetime``)."""

    __slots__ = (
        "day",
        "epoch_ms",
        "hour",
        "minute",
        "month",
        "ms",
        "second",
        "weekday",
        "yday",
        "year",
    )

    def __init__(self, epoch_ms: float) -> None:
        self.epoch_ms = epoch_ms
        days, rest = divmod(int(epoch_ms), 86400000)
        self.year, self.month, self.day = _civil_from_days(days)
        self.hour, rest = divmod(rest, 3600000)
        self.minute, rest = divmod(rest, 60000)
        self.second, self.ms = divmod(rest, 1000)
        self.weekday = (days + 4) % 7  # JS getDay: 1970-01-01 was a Thursday (4)
        self.yday = days - _days_from_civil(self.year, 1, 1) + 1


def _to_date(value: Any) -> JsDate | None:
    value = js_value(value)
    if _is_nil(value):
        return None
    ms: float | None
    if isinstance(value, str):
        if value in ("now", "today"):
            ms = float(math.floor(time.time() * 1000.0))
        elif value.isascii() and value.isdigit():
            ms = float(value) * 1000.0
        else:
            ms = parse_js_date(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ms = float(value) * 1000.0
    elif isinstance(value, bool):
        ms = float(value) * 1.0  # new Date(true) is 1 ms
    elif isinstance(value, list):
        ms = parse_js_date(js_string(value))
    else:
        ms = None
    if ms is None or not math.isfinite(ms) or abs(ms) > 8.64e15:
        return None
    return JsDate(float(math.trunc(ms)))


_FORMAT: Final = re.compile(r"%([-_0^#:]+)?(\d+)?([EO])?(.)", re.S)
_PAD: Final = {"d": 2, "e": 2, "H": 2, "I": 2, "j": 3, "k": 2, "l": 2, "L": 3, "m": 2,
               "M": 2, "S": 2, "U": 2, "W": 2}
_PAD_SPACE: Final = set("aAbBceklpP")


def _week(d: JsDate, start: int) -> str:
    now = d.yday + (start - d.weekday)
    jan1 = (_days_from_civil(d.year, 1, 1) + 4) % 7
    then = 7 - jan1 + start
    return str(math.floor((now - then) / 7) + 1)


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _code(d: JsDate, conv: str, flags: str, width: str | None) -> str | None:
    js_day = d.weekday
    hour12 = str(d.hour % 12 or 12)
    ms = d.ms
    offset = "+00:00" if ":" in flags else "+0000"
    table: dict[str, Callable[[], Any]] = {
        "a": lambda: _DAYS[js_day][:3], "A": lambda: _DAYS[js_day],
        "b": lambda: _MONTHS[d.month - 1][:3], "h": lambda: _MONTHS[d.month - 1][:3],
        "B": lambda: _MONTHS[d.month - 1],
        "c": lambda: f"{d.month}/{d.day}/{d.year}, {hour12}:{d.minute:02d}:{d.second:02d} "
                     f"{'AM' if d.hour < 12 else 'PM'}",
        "C": lambda: int(str(d.year)[:2]), "d": lambda: d.day, "e": lambda: d.day,
        "H": lambda: d.hour, "I": lambda: hour12, "j": lambda: d.yday,
        "k": lambda: d.hour, "l": lambda: hour12, "L": lambda: ms, "m": lambda: d.month,
        "M": lambda: d.minute,
        "N": lambda: f"{ms:03d}"[: int(width or 9) or 9].ljust(int(width or 9) or 9, "0"),
        "p": lambda: "AM" if d.hour < 12 else "PM", "P": lambda: "am" if d.hour < 12 else "pm",
        "q": lambda: _ordinal(d.day),
        "s": lambda: int(_js_round(d.epoch_ms / 1000.0)),
        "S": lambda: d.second, "u": lambda: js_day or 7, "U": lambda: _week(d, 0),
        "w": lambda: js_day, "W": lambda: _week(d, 1),
        "x": lambda: f"{d.month}/{d.day}/{d.year}",
        "X": lambda: f"{hour12}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}",
        "y": lambda: str(d.year)[2:4], "Y": lambda: d.year, "z": lambda: offset,
        "Z": lambda: "UTC", "t": lambda: "\t", "n": lambda: "\n", "%": lambda: "%",
    }
    produce = table.get(conv)
    return None if produce is None else str(produce())


def strftime(d: JsDate, fmt: str) -> str:
    """liquidjs's ``strftime`` (flags ``- _ 0 ^ # :``, widths, ``E``/``O`` ignored) for
    a UTC date."""
    out: list[str] = []
    rest = fmt
    while (m := _FORMAT.search(rest)) is not None:
        out.append(rest[: m.start()])
        rest = rest[m.end():]
        flags, width, _modifier, conv = m.group(1) or "", m.group(2), m.group(3), m.group(4)
        text = _code(d, conv, flags, width)
        if text is None:
            out.append(m.group())
            continue
        pad_char = " " if conv in _PAD_SPACE else "0"
        pad_width = int(width) if width and int(width) else _PAD.get(conv, 0)
        if "^" in flags:
            text = text.upper()
        elif "#" in flags:
            text = text.upper() if any("a" <= c <= "z" for c in text) else text.lower()
        if "_" in flags:
            pad_char = " "
        elif "0" in flags:
            pad_char = "0"
        if "-" in flags:
            pad_width = 0
        out.append(text.rjust(pad_width, pad_char))
    return "".join(out) + rest


def _date(value: Any, fmt: Any = _NOT_GIVEN, _offset: Any = _NOT_GIVEN) -> Any:
    when = _to_date(value)
    if when is None:
        return js_value(value)
    fmt = js_value(fmt)
    return strftime(when, "%A, %B %-e, %Y at %-l:%M %P %z" if _is_nil(fmt) else stringify(fmt))


def _date_to_xmlschema(value: Any) -> Any:
    return _date(value, "%Y-%m-%dT%H:%M:%S%:z")


def _date_to_rfc822(value: Any) -> Any:
    return _date(value, "%a, %d %b %Y %H:%M:%S %z")


def _stringify_date(month: str) -> Filter:
    def apply(value: Any, kind: Any = _NOT_GIVEN, style: Any = _NOT_GIVEN) -> Any:
        when = _to_date(value)
        if when is None:
            return js_value(value)
        if js_value(kind) == "ordinal":
            fmt = f"{month} {when.day}%q, %Y" if js_value(style) == "US" else \
                f"{when.day}%q {month} %Y"
            return strftime(when, fmt)
        return strftime(when, f"%d {month} %Y")

    return apply


#: Every filter liquidjs 10.27.2 defines, by name (the mapping kit then disables some).
FILTERS: Final[dict[str, Filter]] = {
    "escape": _escape, "xml_escape": _escape, "escape_once": _escape_once,
    "strip_html": _strip_html,
    "abs": _numbers(abs), "at_least": _at(max), "at_most": _at(min),
    "ceil": _numbers(lambda x: float(math.ceil(x)) if math.isfinite(x) else x),
    "floor": _numbers(lambda x: float(math.floor(x)) if math.isfinite(x) else x),
    "divided_by": _divided_by, "minus": _arith(lambda a, b: a - b),
    "plus": _arith(lambda a, b: a + b), "times": _arith(lambda a, b: a * b),
    "modulo": _modulo, "round": _round,
    "url_decode": _url_decode, "url_encode": _url_encode, "cgi_escape": _cgi_escape,
    "uri_escape": _uri_escape, "slugify": _slugify,
    "join": _join, "first": _first, "last": _last, "size": _size, "sum": _sum,
    "compact": _compact, "push": _push, "unshift": _unshift, "pop": _pop, "shift": _shift,
    "slice": _slice, "where": _where, "sample": _sample,
    "date": _date, "date_to_xmlschema": _date_to_xmlschema, "date_to_rfc822": _date_to_rfc822,
    "date_to_string": _stringify_date("%b"), "date_to_long_string": _stringify_date("%B"),
    "append": _append, "prepend": _prepend,
    "lstrip": lambda v, chars=_NOT_GIVEN: _strip_set(v, chars, True, False),
    "rstrip": lambda v, chars=_NOT_GIVEN: _strip_set(v, chars, False, True),
    "strip": lambda v, chars=_NOT_GIVEN: _strip_set(v, chars, True, True),
    "downcase": lambda v: stringify(v).lower(), "upcase": lambda v: stringify(v).upper(),
    "remove": _remove, "remove_first": _remove_first, "remove_last": _remove_last,
    "split": _split, "strip_newlines": lambda v: re.sub(r"\r?\n", "", stringify(v)),
    "capitalize": _capitalize, "replace": _replace, "replace_first": _replace_first,
    "replace_last": _replace_last, "truncate": _truncate, "truncatewords": _truncatewords,
    "normalize_whitespace": _normalize_whitespace, "number_of_words": _number_of_words,
    "base64_encode": _base64_encode, "base64_decode": _base64_decode,
    "sha256": _sha256, "hmac_sha256": _hmac_sha256,
    "default": _default, "raw": _raw, "jsonify": _json, "json": _json, "inspect": _json,
    "to_integer": _to_integer,
}  # fmt: skip


# --- the engine around the filters: tags, property reads, error positions ---


def position_suffix(token: Any) -> str:
    """liquidjs's ``, line:L, col:C`` for the tag or output holding ``token`` (the
    position of its ``{%`` or ``{{``, 1-based)."""
    source = getattr(token, "source", None)
    index = getattr(token, "start_index", -1)
    if not isinstance(source, str) or index < 0:
        return ""
    start = max(source.rfind("{{", 0, index + 1), source.rfind("{%", 0, index + 1))
    start = index if start < 0 else start
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    return f", line:{line}, col:{column}"


def install(env: Any) -> None:
    """Make a python-liquid environment read templates the way liquidjs does: its
    filters (unknown ones pass their input through), ``tag "x" not found`` for tags it
    does not define, a ``block`` tag that renders its body, property reads that follow
    liquidjs (``s.length``, ``arr[-1]``, no ``first`` on strings), and whitespace-only
    blocks kept. The mapping kit's disabled tags and filters are added by the caller."""
    env.filters.clear()
    env.filters.update(FILTERS)
    for name in ("ifchanged", "doc"):  # python-liquid's own; liquidjs has neither
        env.tags.pop(name, None)
    parts = _engine_parts()
    env.add_tag(parts.NotFound)
    env.add_tag(parts.Block)
    env.add_tag(parts.Stop("break"))
    env.add_tag(parts.Stop("continue"))
    env.template_class = parts.Template
    env.suppress_blank_control_flow_blocks = False


def disabled_tag(name: str) -> Any:
    """A tag class that fails at parse time with the mapping kit's wording."""
    return type(f"Disabled_{name}", (_engine_parts().Disabled,), {"name": name})


def disabled_filter_error(name: str) -> Exception:
    """The mapping kit's error for a disabled filter (python-liquid attaches the
    filter's token, so the message gets liquidjs's position)."""
    return _engine_parts().FilterError(f'filter "{name}" is disabled', token=None)


class _Parts:
    NotFound: Any
    Block: Any
    Template: Any
    Disabled: Any
    FilterError: Any
    Stop: Any


_PARTS: list[_Parts] = []


def _engine_parts() -> _Parts:
    """The python-liquid subclasses (built on first use: python-liquid is optional)."""
    if _PARTS:
        return _PARTS[0]
    from liquid import BoundTemplate, RenderContext
    from liquid.ast import Node
    from liquid.exceptions import FilterArgumentError, LiquidSyntaxError, StopRender
    from liquid.parser import get_parser
    from liquid.tag import Tag
    from liquid.token import TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG

    class PositionedSyntaxError(LiquidSyntaxError):
        def __str__(self) -> str:
            return f"{self.args[0]}{position_suffix(self.token)}"

    class FilterError(FilterArgumentError):
        def __str__(self) -> str:
            return f"{self.args[0]}{position_suffix(self.token)}"

    class NotFound(Tag):
        name = TOKEN_ILLEGAL
        block = False

        def parse(self, stream: Any) -> Any:
            token = stream.current  # a tag, or python-liquid's own `doc` block token
            name = token.value if token.kind == TOKEN_TAG else token.kind
            raise PositionedSyntaxError(f'tag "{name}" not found', token=token)

    class Disabled(Tag):
        block = False

        def parse(self, stream: Any) -> Any:
            token = stream.current
            raise PositionedSyntaxError(f'tag "{self.name}" is disabled', token=token)

    class BlockRender(Node):
        __slots__ = ("body",)

        def __init__(self, token: Any, body: Any) -> None:
            super().__init__(token)
            self.body = body

        def render_to_output(self, context: Any, buffer: Any) -> int:
            return int(self.body.render(context, buffer))

        def children(self, *args: Any, **kwargs: Any) -> list[Any]:
            return []

    class Block(Tag):
        """liquidjs ``block``: without a layout, the body renders in place."""

        name = "block"
        end = "endblock"

        def parse(self, stream: Any) -> Any:
            token = stream.eat(TOKEN_TAG)
            if stream.current.kind == TOKEN_EXPRESSION:  # the block's name
                next(stream)
            body = get_parser(self.env).parse_block(stream, (self.end,))
            stream.expect(TOKEN_TAG, value=self.end)
            return BlockRender(token, body)

    class StopNode(Node):
        __slots__ = ()

        def render_to_output(self, context: Any, buffer: Any) -> int:
            raise StopRender

    class StopTag(Tag):
        """``break``/``continue`` outside a loop (loops are disabled): liquidjs stops
        rendering there, keeping what was written."""

        block = False

        def parse(self, stream: Any) -> Any:
            return StopNode(stream.current)

    def stop(name: str) -> type:
        return type(f"Stop_{name}", (StopTag,), {"name": name})

    class JsContext(RenderContext):
        def get_item(self, obj: Any, key: Any) -> Any:
            found = _read_key(obj, key)
            if found is UNDEFINED:
                raise KeyError(key)
            return found

    class Template(BoundTemplate):
        context_class = JsContext

    parts = _Parts()
    parts.NotFound, parts.Block, parts.Template = NotFound, Block, Template
    parts.Disabled, parts.FilterError, parts.Stop = Disabled, FilterError, stop
    _PARTS.append(parts)
    return parts


def _read_key(obj: Any, key: Any) -> Any:
    """liquidjs ``readProperty`` for one step of a template path."""
    obj = js_value(obj)
    if hasattr(key, "__liquid__"):
        key = key.__liquid__()
    if _is_nil(obj):
        return UNDEFINED
    if isinstance(key, int) and not isinstance(key, bool):
        if isinstance(obj, list):
            index = key + len(obj) if key < 0 else key
            return obj[index] if 0 <= index < len(obj) else UNDEFINED
        key = str(key)
    if not isinstance(key, str):
        return UNDEFINED
    return read_property(obj, key)


def _comparable(value: Any) -> bool:
    """python-liquid's ``empty``/``blank`` (liquidjs's comparable drops)."""
    return hasattr(value, "__liquid__") or value.__class__.__name__ in ("Empty", "Blank")


def liquid_contains(left: Any, right: Any) -> bool:
    """liquidjs ``contains``: an array holds an equal element, a string holds
    ``String(right)``; anything else (objects included) is false."""
    left = js_value(left)
    if isinstance(left, list):
        return any(liquid_equals(item, right) for item in left)
    if isinstance(left, str):
        right = js_value(right)
        return _units(js_string(right) if not isinstance(right, str) else right) in _units(left)
    return False


_REWIRED: list[dict[type, type]] = []


def _rewired_classes() -> dict[type, type]:
    if _REWIRED:
        return _REWIRED[0]
    from liquid.builtin.expressions import logical

    def relational(base: type[Any], op: str, swap: bool) -> type:
        def evaluate(self: Any, context: Any) -> object:
            left, right = self.left.evaluate(context), self.right.evaluate(context)
            if _comparable(left) or _comparable(right):
                return base.evaluate(self, context)
            if swap:
                left, right = right, left
            return js_compare(op, js_value(left), js_value(right))

        return type(f"Js{base.__name__}", (base,), {"__slots__": (), "evaluate": evaluate})

    def contains_evaluate(self: Any, context: Any) -> object:
        return liquid_contains(self.left.evaluate(context), self.right.evaluate(context))

    classes: dict[type, type] = {
        logical.LtExpression: relational(logical.LtExpression, "<", False),
        logical.GtExpression: relational(logical.GtExpression, ">", False),
        logical.LeExpression: relational(logical.LeExpression, "<=", False),
        logical.GeExpression: relational(logical.GeExpression, ">=", False),
        logical.ContainsExpression: type("JsContainsExpression", (logical.ContainsExpression,),
                                         {"__slots__": (), "evaluate": contains_evaluate}),
    }
    _REWIRED.append(classes)
    return classes


def rewire(template: Any) -> Any:
    """Give a parsed template liquidjs's comparisons: ``<``, ``<=``, ``>``, ``>=``
    compare as JS does (``"42" > 5`` is true; python-liquid raises) and ``contains``
    is false on objects. Each expression node's class is swapped for a subclass that
    only overrides ``evaluate`` (no new state)."""
    classes = _rewired_classes()
    context = template.context_class(template) if hasattr(template, "context_class") else None
    nodes = list(template.nodes)
    while nodes:
        node = nodes.pop()
        expressions = list(node.expressions())
        while expressions:
            expression = expressions.pop()
            swap = classes.get(type(expression))
            if swap is not None:
                expression.__class__ = swap
            expressions.extend(expression.children())
        nodes.extend(node.children(context, include_partials=False))
    return template


_TAG: Final = re.compile(r"\{%-?\s*(#|\w+)")
_OPAQUE: Final = {"raw": re.compile(r"\{%-?\s*endraw\s*-?%\}"),
                  "comment": re.compile(r"\{%-?\s*endcomment\s*-?%\}")}


def if_branch_errors(template: str) -> str | None:
    """liquidjs's parse errors for an ``if`` whose branches are out of order, which
    python-liquid accepts (it drops the extra branch): ``duplicated else`` and
    ``unexpected elsif after else``, at the ``if`` tag's position. (``unless`` keeps
    its first ``else`` silently in liquidjs too.) ``None`` when there is none."""
    stack: list[list[Any]] = []  # [tag name, start index, an else seen]
    index = 0
    while (m := _TAG.search(template, index)) is not None:
        name, index = m.group(1), m.end()
        closer = _OPAQUE.get(name)
        if closer is not None:
            end = closer.search(template, index)
            if end is None:
                return None  # unterminated: python-liquid reports it
            index = end.end()
        elif name in ("if", "unless", "capture", "block"):
            stack.append([name, m.start(), False])
        elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
            stack.pop()
        elif name in ("else", "elsif") and stack and stack[-1][0] == "if":
            if stack[-1][2]:
                message = "duplicated else" if name == "else" else "unexpected elsif after else"
                start = stack[-1][1]
                line = template.count("\n", 0, start) + 1
                column = start - (template.rfind("\n", 0, start) + 1) + 1
                return f"{message}, line:{line}, col:{column}"
            stack[-1][2] = name == "else"
    return None
