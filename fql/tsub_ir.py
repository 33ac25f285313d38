"""IR read the way Segment's device-mode library reads it (``mode="tsub"``).

The default reading of IR (:func:`fql.from_ir`) turns it into FQL and evaluates the FQL
documentation's semantics. Analytics.js does something else: its device-mode library
(``@segment/tsub`` 2.0.1, ``matchers.ts``) walks the IR JSON directly with JavaScript
values, and on 34 of the 413 reference cases it answers differently. This module is a
second evaluator for the same IR that answers what the browser answers, so a caller can
ask "what will my users' browsers do with this rule?". Each behaviour below is a quirk
of the reference (conformance README, quirks 30-40), named in ``docs/semantics.md``
("Device-mode reading") and pinned by a test in ``tests/test_tsub_mode.py``:

* **operands** (quirk 30): an array is kept as it is (IR or not), an object gives its
  ``value`` (``undefined`` when it has none), ``null`` throws, a string is a path read
  with ``dlv`` (split on ``.``, stop with ``undefined`` at the first falsy step, reach JS
  members such as ``.length`` and ``.constructor``), and any other scalar is the whole
  event (``dlv`` with a key that has no ``split``);
* **a bare operand** at the top or under ``!``/``and``/``or`` is true only when it is the
  value ``true``; **and/or/!** use JS truthiness of their children (quirk 37); a result
  that is not a boolean at the top is false;
* **= and !=** are ``===``/``!==``, except that two "objects" (``null``, arrays, objects)
  compare their ``JSON.stringify`` texts (quirks 33, 34); an operand that *looks like* a
  function call (``["length", x]`` and friends, even when it came from the event) is
  evaluated first (quirk 36);
* **< <= > >=** compare numbers only, after the same "looks like IR" step;
* **in** walks the list with ``find``, reading every element as an operand (so strings
  are paths and event arrays are read as IR) and comparing with ``===``; a list that is
  not an array throws (quirk 35);
* **functions**: ``contains``/``match`` need two strings (no evaluation of nested IR),
  ``lowercase`` gives ``null`` for a non-string, ``typeof`` is JS ``typeof``, ``length``
  counts UTF-16 units (``null`` is 0, anything else NaN), ``semver`` compares up to three
  ``parseInt``-ed parts (quirks 31, 32, 38, 40); any other head throws;
* **match** is the Go-glob port on UTF-16 code units (quirk 39).

Where the browser throws, this evaluator raises :class:`~fql.FqlIRError` (``FQL505``),
so a rule that would throw in the browser fails closed here too. Missing operand slots
(``["="]``) throw as they do there. Unlike the default reading, nothing is rejected when
the IR is loaded except text that is not JSON: the browser only fails on what it reaches.

Rejected alternative: translating IR to FQL with extra "quirk" nodes. Most quirks are not
expressible in FQL (event data evaluated as code, ``dlv`` on JS members), and the
translation would have to be undone in every other pass; a small interpreter over the IR
is the faithful and readable model. It is pure Python; the kernels never see this mode.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Final

from .errors import FqlEventError, FqlIRError
from .js import (
    ARRAY_MEMBERS,
    FUNCTION_MEMBERS,
    NUMBER_MEMBERS,
    OBJECT_MEMBERS,
    STRING_MEMBERS,
    UNDEFINED,
    array_index,
    js_json,
    js_trim,
    js_truthy,
    utf16_units,
)
from .limits import DEFAULT_EVENT_DEPTH
from .values import json_text_depth

#: How deep an IR document may nest before it is refused (the browser would overflow
#: its stack somewhere far deeper; this bound keeps the interpreter's recursion safe).
MAX_IR_DEPTH: Final = 64

#: The error code for "the device-mode library throws on this rule and event".
THROWS: Final = "FQL505"

_CALL_ARITY: Final = {"lowercase": 2, "length": 2, "typeof": 2, "contains": 3, "match": 3,
                      "semver": 4}


class Builtin:
    """A JS built-in reached through a path (``"x".length`` is a number, but
    ``"x".trim`` is a function and ``{}.__proto__`` an object). One instance per
    (prototype, name), so ``===`` between two reads of the same member holds."""

    __slots__ = ("js_type", "json", "name")
    _interned: ClassVar[dict[tuple[str, str], Builtin]] = {}

    def __init__(self, name: str, js_type: str, json_text: Any) -> None:
        self.name = name
        self.js_type = js_type
        self.json = json_text

    @classmethod
    def of(cls, owner: str, name: str) -> Builtin:
        """The one instance for member ``name`` of ``owner``'s prototype (created on first
        use), so that two reads of the same member are ``===`` as in JavaScript.
        """
        key = (owner, name)
        found = cls._interned.get(key)
        if found is None:
            if name == "__proto__":
                # ``JSON.stringify`` of each prototype object, as Node prints it.
                proto_json = {"Object": "{}", "Array": "[]", "String": '""', "Number": "0",
                              "Boolean": "false"}.get(owner, "{}")
                found = cls(name, "object", proto_json)
            else:
                found = cls(name, "function", UNDEFINED)
            cls._interned[key] = found
        return found

    def __repr__(self) -> str:
        return f"[{self.js_type} {self.name}]"


def _member(value: Any, key: str) -> Any:
    """``value[key]`` in JS for a truthy ``value`` (``dlv`` never reads past a falsy
    one)."""
    cls = type(value)
    if cls is dict:
        found = value.get(key, UNDEFINED)
        if found is UNDEFINED and key in OBJECT_MEMBERS:
            return Builtin.of("Object", key)
        return found
    if cls is list:
        if key == "length":
            return len(value)
        index = array_index(key)
        if index >= 0:
            return value[index] if index < len(value) else UNDEFINED
        return _builtin("Array", ARRAY_MEMBERS, key)
    if cls is str:
        units = utf16_units(value)
        if key == "length":
            return len(units)
        index = array_index(key)
        if index >= 0:
            return units[index] if index < len(units) else UNDEFINED
        return _builtin("String", STRING_MEMBERS, key)
    if cls is bool:
        return _builtin("Boolean", OBJECT_MEMBERS, key)
    if cls is int or cls is float:
        return _builtin("Number", NUMBER_MEMBERS, key)
    if cls is Builtin:
        return _builtin("Function", FUNCTION_MEMBERS, key)
    return _member(_json_value(value), key)


#: Members every prototype defines again over ``Object.prototype``'s.
_OVERRIDDEN: Final = frozenset(("constructor", "toString", "toLocaleString", "valueOf",
                                "__proto__"))


def _builtin(prototype: str, members: frozenset[str], key: str) -> Any:
    """The built-in ``key`` of a value whose prototype is ``prototype``, interned under
    the prototype that defines it, or ``undefined``."""
    if key not in members:
        return UNDEFINED
    own = key not in OBJECT_MEMBERS or key in _OVERRIDDEN
    return Builtin.of(prototype if own else "Object", key)


def _json_value(value: Any) -> Any:
    """A subclass of a JSON type as its base type; anything else is not JSON."""
    bases: tuple[type[Any], ...] = (bool, int, float, str, dict, list)
    for base in bases:
        if isinstance(value, base):
            return base(value)
    raise FqlEventError(f"value of type {type(value).__name__} is not a JSON value")


def dlv(event: Any, path: str) -> Any:
    """The ``dlv`` lookup: ``path.split('.')``, each step ``obj ? obj[key] : undefined``."""
    value = event
    for key in path.split("."):
        value = _member(value, key) if js_truthy(value) else UNDEFINED
    return value


def js_typeof(value: Any) -> str:
    """JS ``typeof`` of a value this evaluator handles."""
    if value is UNDEFINED:
        return "undefined"
    if value is None or isinstance(value, (dict, list)):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Builtin):
        return value.js_type
    return js_typeof(_json_value(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _double(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def strict_equals(a: Any, b: Any) -> bool:
    """JS ``a === b``: numbers by double value (NaN unequal to itself), strings by text,
    booleans by value, everything else by identity."""
    if _is_number(a):
        return _is_number(b) and _double(a) == _double(b)
    if isinstance(a, str):
        return isinstance(b, str) and str(a) == str(b)
    if isinstance(a, bool):
        return isinstance(b, bool) and bool(a) == bool(b)
    return a is b


def _stringify(value: Any) -> Any:
    if isinstance(value, Builtin):
        return value.json
    return js_json(value, DEFAULT_EVENT_DEPTH)


def _throws(message: str) -> FqlIRError:
    return FqlIRError(f"the device-mode library throws here: {message}", code=THROWS)


class DeviceModeExpression:
    """An IR document read the device-mode way; build it with
    ``fql.from_ir(ir, mode="tsub")``. The same entry points as :class:`fql.Expression`
    (``evaluate``, ``matches``, ``matches_many``, ``filter``, ``to_ir``, ``paths``),
    evaluated by this module's interpreter. Immutable; the IR is the caller's data
    copied once (or the parsed text)."""

    __slots__ = ("ir", "text")

    mode: Final = "tsub"
    #: The IR as JSON data (never handed out: :meth:`to_ir` returns a fresh copy).
    ir: Any
    #: The IR as JSON text, as given or as serialised once.
    text: str

    def __init__(self, ir: Any) -> None:
        if isinstance(ir, bytes):
            ir = ir.decode("utf-8", errors="replace")
        if not isinstance(ir, str):
            try:
                ir = json.dumps(ir, ensure_ascii=False, allow_nan=False)
            except RecursionError:  # the C encoder's own depth guard: no frame is lost
                raise FqlIRError(f"IR nested deeper than {MAX_IR_DEPTH} levels",
                                 code="FQL504") from None
            except (TypeError, ValueError) as exc:
                raise FqlIRError(f"IR is not JSON data: {exc}", code="FQL501") from None
        object.__setattr__(self, "ir", load(ir))
        object.__setattr__(self, "text", ir)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("DeviceModeExpression is immutable")

    def __repr__(self) -> str:
        return f"fql.from_ir({self.text!r}, mode='tsub')"

    def evaluate(self, event: Any) -> Any:
        """``fqlEvaluate(ir, event)``: what the IR computes (a boolean for conditions;
        a string, number, ``null`` or ``undefined`` for a bare function call)."""
        return _evaluate(self.ir, _require_event(event), 0)

    def matches(self, event: Any) -> bool:
        """tsub's ``matches``: the evaluation when it is a boolean, else false."""
        result = _evaluate(self.ir, _require_event(event), 0)
        return result if isinstance(result, bool) else False

    def matches_many(self, events: Iterable[Any]) -> list[bool]:
        """:meth:`matches` over ``events``, in order."""
        return [self.matches(event) for event in events]

    def filter(self, events: Iterable[Any]) -> list[Any]:
        """The events that match, in order (the same objects)."""
        return [event for event in events if self.matches(event)]

    def to_ir(self) -> Any:
        """The IR (JSON data, a fresh copy)."""
        return load(self.text)

    @property
    def paths(self) -> tuple[str, ...]:
        """The event paths the IR names (see :func:`paths`)."""
        return paths(self.ir)


def _require_event(event: Any) -> Any:
    if type(event) is dict:
        return event
    if isinstance(event, dict):
        return dict(event)
    raise FqlEventError(f"an event is a JSON object, not {type(event).__name__}")


def _operand(item: Any, event: Any) -> Any:
    """``getValue``: arrays as they are, ``{"value": v}`` -> ``v``, strings are paths,
    ``null`` throws, any other scalar is the whole event."""
    if isinstance(item, list):
        return item
    if isinstance(item, dict):
        return item.get("value", UNDEFINED)
    if isinstance(item, str):
        return dlv(event, item)
    if item is None:
        raise _throws("Cannot read properties of null (reading 'value')")
    if item is UNDEFINED:
        raise _throws("Cannot read properties of undefined (reading 'split')")
    return event


def _looks_like_call(value: Any) -> bool:
    """tsub's ``isIR``: an array whose head names a function and whose length fits it."""
    return (type(value) is list and bool(value) and isinstance(value[0], str)
            and _CALL_ARITY.get(value[0]) == len(value))


def _slot(ir: Sequence[Any], i: int) -> Any:
    return ir[i] if i < len(ir) else UNDEFINED


def _evaluate(ir: Any, event: Any, depth: int) -> Any:
    if depth > MAX_IR_DEPTH:
        raise FqlIRError(f"IR nested deeper than {MAX_IR_DEPTH} levels", code="FQL504")
    if not isinstance(ir, list):
        return _operand(ir, event) is True
    head = _slot(ir, 0)
    deeper = depth + 1
    if head == "!":
        return not js_truthy(_evaluate(_slot(ir, 1), event, deeper))
    if head == "or":
        return any(js_truthy(_evaluate(x, event, deeper)) for x in ir[1:])
    if head == "and":
        return all(js_truthy(_evaluate(x, event, deeper)) for x in ir[1:])
    if head in ("=", "!="):
        first, second = _called(ir, event, deeper)
        if _is_object(first) and _is_object(second):
            first, second = _stringify(first), _stringify(second)
        same = strict_equals(first, second)
        return same if head == "=" else not same
    if head in ("<", "<=", ">", ">="):
        first, second = _called(ir, event, deeper)
        if not (_is_number(first) and _is_number(second)):
            return False
        x, y = _double(first), _double(second)
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[head]
    if head == "in":
        return _in(_operand(_slot(ir, 1), event), _operand(_slot(ir, 2), event), event)
    if head == "contains":
        text, part = _operand(_slot(ir, 1), event), _operand(_slot(ir, 2), event)
        if not (isinstance(text, str) and isinstance(part, str)):
            return False
        return "".join(utf16_units(part)) in "".join(utf16_units(text))
    if head == "match":
        text, pattern = _operand(_slot(ir, 1), event), _operand(_slot(ir, 2), event)
        if not (isinstance(text, str) and isinstance(pattern, str)):
            return False
        return glob_matches(utf16_units(pattern), utf16_units(text))
    if head == "lowercase":
        target = _operand(_slot(ir, 1), event)
        return target.lower() if isinstance(target, str) else None
    if head == "typeof":
        return js_typeof(_operand(_slot(ir, 1), event))
    if head == "length":
        return _length(_operand(_slot(ir, 1), event))
    if head == "semver":
        return semver(_operand(_slot(ir, 1), event), _operand(_slot(ir, 2), event),
                      _operand(_slot(ir, 3), event))
    raise _throws(f"FQL IR could not evaluate for token: {_token_text(head)}")


def _token_text(head: Any) -> str:
    if head is UNDEFINED:
        return "undefined"
    if isinstance(head, str):
        return head
    text = js_json(head)
    return "undefined" if text is UNDEFINED else str(text)


def _is_object(value: Any) -> bool:
    return value is None or isinstance(value, (dict, list)) or (
        isinstance(value, Builtin) and value.js_type == "object")


def _called(ir: Sequence[Any], event: Any, depth: int) -> tuple[Any, Any]:
    """Both comparison operands, each evaluated first when it looks like a call."""
    first = _operand(_slot(ir, 1), event)
    second = _operand(_slot(ir, 2), event)
    if _looks_like_call(first):
        first = _evaluate(first, event, depth)
    if _looks_like_call(second):
        second = _evaluate(second, event, depth)
    return first, second


def _in(item: Any, items: Any, event: Any) -> bool:
    """``list.find(it => getValue(it) === item) !== undefined``: only arrays have
    ``find``; each element is read as an operand."""
    if not isinstance(items, list):
        what = "undefined" if items is UNDEFINED else "null" if items is None else None
        if what is not None:
            raise _throws(f"Cannot read properties of {what} (reading 'find')")
        raise _throws("list.find is not a function")
    return any(strict_equals(_operand(element, event), item) for element in items)


def _length(value: Any) -> float | int:
    if value is None:
        return 0
    if isinstance(value, list):
        return len(value)
    if isinstance(value, str):
        return len(utf16_units(value))
    return math.nan


# --- semver ---

_PARSE_INT: Final = re.compile(r"[+-]?[0-9]+")


def js_parse_int(text: str) -> float:
    """``parseInt(text, 10)``: optional sign and the leading decimal digits after JS
    whitespace, NaN when there are none."""
    found = _PARSE_INT.match(js_trim(text))
    if found is None:
        return math.nan
    digits = found.group()
    value = _double(int(digits))
    return -0.0 if value == 0 and digits.startswith("-") else value


def _parse_semver(version: str) -> tuple[float, float, float] | None:
    parts = version.split(".")
    if len(parts) > 3:
        return None
    numbers = [js_parse_int(part) for part in parts]
    if any(math.isnan(n) for n in numbers):
        return None
    numbers += [0.0] * (3 - len(numbers))
    return numbers[0], numbers[1], numbers[2]


def semver(version: Any, operator: Any, other: Any) -> bool:
    """``semver(version, operator, other)``: three strings, each version up to three
    dot parts read with ``parseInt`` (``1.2.3-beta`` is 1.2.3; missing parts are 0)."""
    if not (isinstance(version, str) and isinstance(operator, str) and isinstance(other, str)):
        return False
    left, right = _parse_semver(version), _parse_semver(other)
    if left is None or right is None:
        return False
    cmp = (left > right) - (left < right)
    return {"=": cmp == 0, "!=": cmp != 0, ">": cmp > 0, ">=": cmp >= 0, "<": cmp < 0,
            "<=": cmp <= 0}.get(operator, False)


# --- the glob of the device-mode library: Go's path.Match on UTF-16 code units ---


def glob_matches(pattern: list[str], text: list[str]) -> bool:
    """Whether ``text`` matches ``pattern`` (both as UTF-16 code units), the algorithm
    of Go's ``path.Match`` that tsub ports, with ``*`` crossing ``/``: star-separated
    chunks, each tried at the leftmost place that lets the rest match, a malformed class
    or trailing ``\\`` making the whole match false when reached."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True
        rest, ok, bad = _match_chunk(chunk, text)
        if bad:
            return False
        if ok and (not rest or pattern):
            text = rest
            continue
        if star:
            for skip in range(1, len(text) + 1):
                rest, ok, bad = _match_chunk(chunk, text[skip:])
                if ok:
                    if not pattern and rest:
                        continue
                    text = rest
                    break
                if bad:
                    return False
            else:
                return False
            continue
        return False
    return not text


def _scan_chunk(pattern: list[str]) -> tuple[bool, list[str], list[str]]:
    star = False
    while pattern and pattern[0] == "*":
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif ch == "[":
            in_range = True
        elif ch == "]":
            in_range = False
        elif ch == "*" and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: list[str], text: list[str]) -> tuple[list[str], bool, bool]:
    """``(rest, ok, bad)``: whether ``chunk`` matches the start of ``text``."""
    i = j = 0
    while i < len(chunk):
        if j >= len(text):
            return [], False, False
        ch = chunk[i]
        if ch == "[":
            char = text[j]
            j += 1
            i += 1
            negated = i < len(chunk) and chunk[i] == "^"
            if negated:
                i += 1
            found = False
            ranges = 0
            while True:
                if i < len(chunk) and chunk[i] == "]" and ranges > 0:
                    i += 1
                    break
                lo, i, bad = _class_char(chunk, i)
                if bad:
                    return [], False, False
                hi = lo
                if i < len(chunk) and chunk[i] == "-":
                    hi, i, bad = _class_char(chunk, i + 1)
                    if bad:
                        return [], False, False
                if lo <= char <= hi:
                    found = True
                ranges += 1
            if found == negated:
                return [], False, False
        elif ch == "?":
            i += 1
            j += 1
        else:
            if ch == "\\":
                i += 1
                if i >= len(chunk):
                    return [], False, True
            if chunk[i] != text[j]:
                return [], False, False
            i += 1
            j += 1
    return text[j:], True, False


def _class_char(chunk: list[str], i: int) -> tuple[str, int, bool]:
    """One possibly escaped character of a class: ``(char, next index, bad)``; tsub
    calls it bad when nothing follows it (a class must be closed)."""
    if i >= len(chunk) or chunk[i] in ("-", "]"):
        return "", i, True
    if chunk[i] == "\\":
        i += 1
        if i >= len(chunk):
            return "", i, True
    return chunk[i], i + 1, i + 1 >= len(chunk)


# --- loading ---


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load(ir: Any) -> Any:
    """IR as JSON text (``JSON.parse``; NaN/Infinity are not JSON) or as data."""
    if isinstance(ir, (bytes, str)):
        if json_text_depth(ir) > 2 * (MAX_IR_DEPTH + 1):  # before json.loads recurses
            raise FqlIRError(f"IR nested deeper than {MAX_IR_DEPTH} levels", code="FQL504")
        try:
            return json.loads(ir, parse_constant=_reject_constant)
        except ValueError as exc:
            raise FqlIRError(f"IR is not valid JSON: {exc}", code="FQL501") from None
    return ir


def paths(ir: Any) -> tuple[str, ...]:
    """The event paths the IR names as operands (strings in operand position), in
    order of first appearance; what the rule can read besides IR held in the event."""
    found: dict[str, None] = {}

    def visit(node: Any, depth: int) -> None:
        if depth > MAX_IR_DEPTH:
            return
        if isinstance(node, str):
            found.setdefault(node)
        elif isinstance(node, list):
            for item in node[1:] if node and isinstance(node[0], str) else node:
                visit(item, depth + 1)
        elif isinstance(node, dict) and isinstance(node.get("value"), list):
            for item in node["value"]:
                visit(item, depth + 1)

    visit(ir, 0)
    return tuple(found)


__all__ = [
    "THROWS",
    "Builtin",
    "DeviceModeExpression",
    "dlv",
    "glob_matches",
    "js_typeof",
    "load",
    "paths",
    "semver",
    "strict_equals",
]
