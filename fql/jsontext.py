"""JSON text in and out at the library's edge: exact numbers, one error per kind of bad text.

Services read events from Kafka messages and HTTP bodies, the command line from JSON Lines;
both come here (``Expression.matches_json``, ``Router.route_json``, ``fql filter``...).

Exactness. orjson (the ``[fast]`` extra) is used where its answer is the standard
library's: it reads integers beyond 64 bits as floats (``2**64`` becomes
``1.8446744073709552e+19``) and refuses numbers that overflow a double (``1e400``), so
text with a run of 19 or more digits, and text orjson refuses, is read by the standard
library instead. The value is then exactly ``json.loads``'s: integers of any size stay
integers, ``-0.0`` stays negative zero, ``1e400`` is infinity. ``NaN``/``Infinity``
literals, which ``json.loads`` accepts, are not JSON and are refused. Writing, integers of
any size are written as they are; infinities and NaN, which JSON cannot hold, are written
``null`` (as JavaScript's ``JSON.stringify`` and orjson do).

Errors. Every reason a text is not an event raises :class:`FqlJsonError` (a
:class:`~fql.FqlEventError`) with the project's wording and code, whichever parser ran:

* ``FQL604`` text that is not UTF-8, or not one JSON value ("malformed JSON at column 7:
  expecting ',' delimiter");
* ``FQL602`` nesting deeper than :data:`MAX_JSON_DEPTH`;
* ``FQL603`` (from :func:`loads_event` only) a JSON value that is not an object.
"""

from __future__ import annotations

import json
import math
import operator
import re
from typing import Any

from .errors import FqlEventError

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the extra
    orjson = None  # type: ignore[assignment]  # the extra is optional: None means absent

#: Deepest nesting read from text. Deeper text is refused before any rule sees it (the
#: rules have their own, lower, limits for values they walk, and report those).
MAX_JSON_DEPTH = 500

#: A run of digits orjson may read inexactly (an integer past 64 bits).
_LONG_DIGITS_STR = re.compile(r"\d{19}")

MALFORMED = "FQL604"
TOO_DEEP = "FQL602"
NOT_AN_OBJECT = "FQL603"

_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}


class FqlJsonError(FqlEventError):
    """Text that is not a JSON event: not UTF-8, malformed, too deep, or not an object.
    ``kind`` is ``"malformed"``, ``"too deep"`` or ``"not an object"``."""

    def __init__(self, message: str, code: str, kind: str) -> None:
        super().__init__(message, code=code)
        self.kind = kind


def _malformed(message: str) -> FqlJsonError:
    return FqlJsonError(message, MALFORMED, "malformed")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _stdlib(data: str | bytes) -> Any:
    """``json.loads`` with the project's errors (the exact reader)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _malformed(f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at "
                             f"position {exc.start})") from None
    else:
        text = data
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message = exc.msg[:1].lower() + exc.msg[1:]
        raise _malformed(f"malformed JSON at column {exc.colno}: {message}") from None
    except ValueError as exc:  # a NaN/Infinity literal
        raise _malformed(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise _too_deep() from None


def _too_deep() -> FqlJsonError:
    return FqlJsonError(f"nested too deeply (over {MAX_JSON_DEPTH} levels)", TOO_DEEP,
                        "too deep")


def _brackets(data: str | bytes) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def _check_depth(value: Any) -> None:
    """Refuse a value nested deeper than :data:`MAX_JSON_DEPTH` (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if type(item) is dict:
            stack.extend((v, depth + 1) for v in item.values()
                         if type(v) is dict or type(v) is list)
        elif type(item) is list:
            stack.extend((v, depth + 1) for v in item if type(v) is dict or type(v) is list)


def _long_digits(data: str | bytes) -> bool:
    """Whether ``data`` holds a run of 19 or more digits (an integer orjson may read
    inexactly, or a long mantissa): for bytes, digits mapped to one byte and the run
    searched as a substring, both in C, several times faster than a regex."""
    if isinstance(data, (bytes, bytearray)):
        return data.translate(_DIGITS).find(_RUN) >= 0
    return _LONG_DIGITS_STR.search(data) is not None


_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_RUN = b"0" * 19


def loads(data: str | bytes) -> Any:
    """One JSON value from ``data`` (text or UTF-8 bytes), read exactly (module doc);
    raises :class:`FqlJsonError`."""
    if isinstance(data, memoryview):
        data = data.tobytes()
    if orjson is not None and not _long_digits(data):
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            value = _stdlib(data)  # the reference decides, and words the error
    else:
        value = _stdlib(data)
    # Nesting n deep takes 2n bracket bytes, and fewer brackets than the limit cannot
    # nest deeper than it: two checks in C before any walk.
    if len(data) > 2 * MAX_JSON_DEPTH and _brackets(data) > MAX_JSON_DEPTH:
        _check_depth(value)
    return value


def loads_event(data: str | bytes) -> Any:
    """:func:`loads`, and the value must be a JSON object (``FQL603`` otherwise)."""
    value = loads(data)
    if type(value) is not dict:
        raise not_an_object(value)
    return value


def not_an_object(value: Any) -> FqlJsonError:
    """The error for a JSON document that decoded to something other than an object
    (``FQL603``), naming the JSON type found; one copy shared by every reader of events.
    """
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    return FqlJsonError(f"an event is a JSON object, not {kind}", NOT_AN_OBJECT,
                        "not an object")


def dumps(value: Any) -> str:
    """Compact JSON text (keys in their order, non-ASCII kept, integers of any size
    exact, non-finite floats as ``null``)."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode("utf-8")
        except TypeError:  # integers past 64 bits, lone surrogates, deep values
            pass
    try:
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    except RecursionError:
        raise _too_deep() from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (json.loads reads "\ud800"): escaped
        text = json.dumps(_finite(value), separators=(",", ":"), allow_nan=False)
    return text


def _finite(value: Any) -> Any:
    """``value`` with infinities and NaN as ``None`` (copied only where there are some)."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is dict:
        items = {k: _finite(v) for k, v in value.items()}
        return items if any(items[k] is not v for k, v in value.items()) else value
    if type(value) is list:
        out = [_finite(v) for v in value]
        return out if any(a is not b for a, b in zip(out, value, strict=True)) else value
    return value


class FieldDecoder:
    """Reads only some top-level fields of a JSON object: what a rule that reads nothing
    else needs (``Expression.fields``). With msgspec installed, the line is parsed into a
    struct of those fields, each decoded in full, the rest validated and skipped without
    building Python objects (several times faster than a full decode).

    :meth:`decode` returns the partial event (a dict of the fields present), or ``None``
    whenever the fast path might not give :func:`loads_event`'s answer: msgspec missing,
    text that is not bytes, non-ASCII text that is not strict UTF-8 (msgspec does not
    check the UTF-8 of what it skips), a line that may nest deeper than
    :data:`MAX_JSON_DEPTH`, and anything msgspec refuses (a top-level value that is not
    an object, ``NaN``, a byte-order mark, a lone surrogate escape, ``1e400``...). The
    caller then decodes in full, which gives the value or the project's error. Values
    read are msgspec's: integers of any size exact, floats correctly rounded, the last
    of duplicate keys, as :func:`json.loads`."""

    def __init__(self, fields: frozenset[str]) -> None:
        self.fields = fields
        self._decoder: Any = None
        self._names: tuple[tuple[str, str], ...] = ()
        try:
            import msgspec
        except ImportError:  # pragma: no cover - exercised only without the extra
            return
        names = tuple((f"f{i}", field) for i, field in enumerate(sorted(fields)))
        struct = msgspec.defstruct(
            "Fields", [(attr, Any, msgspec.UNSET) for attr, _ in names],
            rename=dict(names))
        self._decoder = msgspec.json.Decoder(struct)
        self._names = names
        self._fields = tuple(field for _, field in names)
        self._get = operator.attrgetter(*(attr for attr, _ in names)) if len(names) > 1 \
            else (lambda found: (getattr(found, names[0][0]),)) if names else (lambda _: ())
        self._unset = msgspec.UNSET

    def decode(self, data: Any) -> dict[str, Any] | None:
        """The fields of ``data`` this decoder reads, or ``None`` whenever the fast path might
        not agree with :func:`loads_event` (the class doc lists the cases); the caller then
        decodes in full.
        """
        decoder = self._decoder
        if decoder is None or type(data) is not bytes:
            return None
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return None
        if len(data) > 2 * MAX_JSON_DEPTH and _brackets(data) > MAX_JSON_DEPTH:
            return None
        try:
            found = decoder.decode(data)
        except Exception:  # any refusal: the full decode decides (module doc)
            return None
        unset = self._unset
        return {field: value for field, value in zip(self._fields, self._get(found),
                                                     strict=True) if value is not unset}


__all__ = ["MAX_JSON_DEPTH", "FieldDecoder", "FqlJsonError", "dumps", "loads",
           "loads_event", "not_an_object"]
