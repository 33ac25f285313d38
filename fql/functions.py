"""FQL's built-in functions (FQL-13..19, EC-01): signatures and implementations.

Each function is total over JSON values: an argument of a type the function is not
defined for yields the function's *null default* (the value the reference's
null-defaults table gives for ``null``), never an error, so evaluation cannot raise on
JSON input. The table :data:`FUNCTIONS` is the single source for the parser (arity,
"did you mean"), the compiler (literal argument types, constant folding), the checker
and both evaluators.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .glob import glob_match
from .js import js_json, js_number
from .records import record
from .values import is_number, json_type


@record
class Function:
    """A built-in: ``params`` are the accepted FQL types of each argument (checked
    against literal arguments at compile time), ``null_default`` what the function
    returns when an argument is null or of another type."""

    name: str
    params: tuple[frozenset[str], ...]
    returns: str
    impl: Callable[..., Any]
    doc: str
    #: True when the function can return null (so its result type is not fixed).
    nullable: bool = True

    @property
    def arity(self) -> int:
        """How many arguments the function takes; the compiler checks calls against it before
        any event arrives.
        """
        return len(self.params)


_STR = frozenset({"string"})
_ANY = frozenset({"string", "number", "bool", "null", "list", "object"})


def fn_contains(s: Any, sub: Any) -> bool:
    """``contains(s, sub)``: whether string ``s`` contains ``sub``, case-sensitive; false for
    any non-string argument (a non-JSON value still raises, so bad input is never read as
    false).
    """
    if isinstance(s, str) and isinstance(sub, str):
        return sub in s
    json_type(s)
    json_type(sub)
    return False


def fn_match(s: Any, pattern: Any) -> bool:
    """``match(s, pattern)``: whether string ``s`` matches the glob ``pattern``
    (:mod:`fql.glob`); false for non-string arguments.
    """
    if isinstance(s, str) and isinstance(pattern, str):
        return glob_match(s, pattern)
    json_type(s)
    json_type(pattern)
    return False


def fn_length(v: Any) -> int | None:
    """``length(v)``: a string's length in UTF-8 bytes (as the reference's Go code counts it),
    a list's element count, 0 for null, and null for other types.
    """
    if isinstance(v, str):
        return len(v.encode("utf-8", "surrogatepass"))
    if isinstance(v, list):
        return len(v)
    if v is None:
        return 0
    json_type(v)
    return None


def _string_fn(transform: Callable[[str], str]) -> Callable[[Any], str | None]:
    def apply(v: Any) -> str | None:
        if isinstance(v, str):
            return transform(v)
        json_type(v)
        return None

    apply.__name__ = transform.__name__
    return apply


_SPACE = re.compile(r"\s")
_WORD_START = re.compile(r"(?:^|(?<=\s))(\S)")


def _snake(s: str) -> str:
    """Every space character becomes ``_``; case is kept (the reference's wording)."""
    return _SPACE.sub("_", s)


def _kebab(s: str) -> str:
    """Every space character becomes ``-``; case is kept."""
    return _SPACE.sub("-", s)


def _title(s: str) -> str:
    """The first letter of each space-separated word upper-cased; the rest is kept."""
    return _WORD_START.sub(lambda m: m.group(1).upper(), s)


def fn_typeof(v: Any) -> str:
    """``typeof(v)``: the JSON type name of ``v`` (``"string"``, ``"number"``, ``"bool"``,
    ``"null"``, ``"list"``, ``"object"``).
    """
    return json_type(v)


# strconv.ParseBool's spellings: the reference's server is not public, so `bool` takes
# the conventional set and gives null for any other string (docs/semantics.md).
_TRUE_STRINGS = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE_STRINGS = frozenset({"0", "f", "F", "false", "FALSE", "False"})


def fn_bool(v: Any) -> bool | None:
    """``bool(v)``: null is false, numbers are true unless 0, strings follow Go's
    ``strconv.ParseBool`` spellings (null for any other string), lists and objects are true
    when not empty.
    """
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if is_number(v):
        return v != 0
    if isinstance(v, str):
        if v in _TRUE_STRINGS:
            return True
        if v in _FALSE_STRINGS:
            return False
        return None
    if isinstance(v, (list, dict)):
        return len(v) > 0
    json_type(v)
    return None


def fn_string(v: Any) -> str:
    """``string(v)``: strings as they are, numbers in JavaScript's number text, everything else
    as its JSON text, so ``string(1.0)`` is ``"1"`` as in the reference.
    """
    if isinstance(v, str):
        return v
    if is_number(v):
        return js_number(v)
    json_type(v)
    return js_json(v) or "null"


_NUMBER_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def fn_number(v: Any) -> int | float | None:
    """``number(v)``: numbers as they are, a string holding JSON number text (surrounding
    spaces allowed) as that number, null otherwise.
    """
    if is_number(v):
        return v
    if isinstance(v, str):
        text = v.strip()
        if _NUMBER_TEXT.fullmatch(text):
            if any(c in text for c in ".eE"):
                return float(text)
            return int(text)
        return None
    json_type(v)
    return None


_SEMVER_PART = re.compile(r"\s*[+-]?[0-9]+")
_SEMVER_OPS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _semver_parts(v: Any) -> tuple[int, ...] | None:
    """Up to three dot-separated parts, each read like JS ``parseInt`` (leading digits;
    ``1.2.3-beta`` is 1.2.3), missing parts 0; anything else is not a version."""
    if not isinstance(v, str):
        json_type(v)
        return None
    parts = v.split(".")
    if len(parts) > 3:
        return None
    numbers = []
    for part in parts:
        m = _SEMVER_PART.match(part)
        if m is None:
            return None
        numbers.append(int(m.group(0)))
    return tuple(numbers) + (0,) * (3 - len(numbers))


def fn_semver(version: Any, op: Any, other: Any) -> bool:
    """``semver(version, op, other)``: compare two versions (up to three numeric parts, read as
    JavaScript's ``parseInt`` reads each) with ``op``; false for an unknown operator or a
    value that is not a version.
    """
    compare = _SEMVER_OPS.get(op) if isinstance(op, str) else None
    a, b = _semver_parts(version), _semver_parts(other)
    if compare is None or a is None or b is None:
        return False
    return compare(a, b)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("contains", (_STR, _STR), "bool", fn_contains,
                 "contains(s, sub): true when string s contains sub (case-sensitive).",
                 nullable=False),
        Function("match", (_STR, _STR), "bool", fn_match,
                 "match(s, pattern): true when the glob pattern matches all of s.",
                 nullable=False),
        Function("length", (frozenset({"string", "list", "null"}),), "number", fn_length,
                 "length(x): UTF-8 bytes of a string, items of a list; null gives 0."),
        Function("lowercase", (_STR,), "string", _string_fn(str.lower),
                 "lowercase(s): s in lower case; null for non-strings."),
        Function("uppercase", (_STR,), "string", _string_fn(str.upper),
                 "uppercase(s): s in upper case; null for non-strings."),
        Function("snakecase", (_STR,), "string", _string_fn(_snake),
                 "snakecase(s): every space character replaced by '_'."),
        Function("kebabcase", (_STR,), "string", _string_fn(_kebab),
                 "kebabcase(s): every space character replaced by '-'."),
        Function("titlecase", (_STR,), "string", _string_fn(_title),
                 "titlecase(s): the first letter of each word upper-cased."),
        Function("typeof", (_ANY,), "string", fn_typeof,
                 "typeof(x): string, number, bool, null, list or object.", nullable=False),
        Function("bool", (frozenset({"list", "string", "number", "null", "bool"}),), "bool",
                 fn_bool, "bool(x): truth value of x; null for strings that are not booleans."),
        Function("string", (_ANY,), "string", fn_string,
                 "string(x): x for a string, else its JSON text.", nullable=False),
        Function("number", (frozenset({"number", "string"}),), "number", fn_number,
                 "number(x): x for a number, a decimal string parsed, else null."),
        Function("semver", (_STR, _STR, _STR), "bool", fn_semver,
                 "semver(version, op, other): compares dotted versions with = != < <= > >= "
                 "(Segment's device-mode engine only; not in the FQL reference).",
                 nullable=False),
    )
}
