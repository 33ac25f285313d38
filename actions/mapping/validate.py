"""Validation of mapping JSON: the checks of Segment's mapping-kit ``validate.ts``, with
the same messages and JSON-pointer-like paths (``/user_id/@if/exists/@path ...``).

Segment runs these checks on every ``transform`` call and stops at the first failure of
some checks (a chain, a ``@merge`` object); we run them once, at compile time, and
collect *every* problem. A mapping Segment accepts is accepted here and vice versa.

What Segment validates, and therefore what we validate, is narrower than what it
executes: nothing inside arrays (except ``@merge`` objects and the two ``@arrayPath``
slots) and nothing inside the plain-object value of ``@literal`` or ``@excludeWhenNull``
is checked. Those places keep Segment's run-time behaviour (see the compiler).

Also here: :func:`check_shape`, this engine's own guards (size, depth, non-JSON values),
run first and without recursion so that a hostile or cyclic mapping cannot exhaust the
Python stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from fql.diagnostics import Diagnostic
from fql.js import utf16_len

from .errors import LIMIT, NOT_JSON, VALIDATION
from .limits import MappingLimits
from .runtime import UNDEFINED, type_name

Problems = list[Diagnostic]
Validator = Callable[[Any, list[str]], Problems]

#: Segment's caps on ``@replace`` (``MAX_PATTERN_LENGTH``/``MAX_REPLACEMENT_LENGTH``).
MAX_PATTERN_LENGTH = 10
MAX_REPLACEMENT_LENGTH = 10

_MISSING: Any = UNDEFINED  # an absent slot (JS undefined) during validation


def pointer(stack: Iterable[str]) -> str:
    """``/a/b`` as Segment prints it (keys joined with ``/``, not escaped)."""
    return "/" + "/".join(stack)


def problem(stack: list[str], message: str, code: str = VALIDATION) -> Problems:
    """One validation problem at the mapping path ``stack``, as Segment words it."""
    return [Diagnostic(code, f"{message}.", path=pointer(stack))]


def real_type(value: Any) -> str:
    """Segment's ``realTypeOf`` for mapping JSON (the runtime's :func:`type_name`);
    a value that is not JSON is named by its Python type."""
    if value is _MISSING or value is None or isinstance(value, _JSON_TYPES):
        return type_name(value)
    return type(value).__name__


_JSON_TYPES = (bool, int, float, str, list, dict)


def type_or_directive(value: Any) -> str:
    """``realTypeOrDirective``: an object with any ``@`` key is a "directive"."""
    if isinstance(value, dict) and any(k.startswith("@") for k in value):
        return "directive"
    return real_type(value)


def article(word: str) -> str:
    """``indefiniteArticle``: "an" before a vowel, "a" otherwise (so "a object")."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def is_directive(value: Any) -> bool:
    """Segment's ``isDirective``: an object with an ``@`` key whose other keys are all
    ``@``-prefixed or ``_metadata``. Mixed objects are plain objects at run time."""
    if not isinstance(value, dict):
        return False
    has_directive = False
    for key in value:
        if key.startswith("@"):
            has_directive = True
        elif key != "_metadata":
            return False
    return has_directive


def directive_name(value: dict[str, Any]) -> str:
    """The directive an object runs: its first ``@`` key (``runDirective``)."""
    return next(k for k in value if k.startswith("@"))


# --------------------------------------------------------------------------- checks


def validate(mapping: Any, stack: list[str] | None = None, *, extensions: bool = False) -> Problems:
    """Every problem Segment's validation finds in ``mapping`` (empty when valid)."""
    return _Validator(extensions).value(mapping, stack or [])


class _Validator:
    """One validation run; ``extensions`` adds the validators of opt-in directives."""

    def __init__(self, extensions: bool) -> None:
        self.directives: dict[str, Validator] = {
            "@if": self.if_,
            "@case": self.case,
            "@replace": self.replace,
            "@arrayPath": self.array_path,
            "@path": self.directive_or_string,
            "@json": self.json_,
            "@flatten": self.flatten,
            "@merge": self.merge,
            "@template": self.directive_or_string,
            "@literal": self.directive_or_raw,
            "@transform": self.transform,
            "@excludeWhenNull": self.directive_or_raw,
            "@liquid": self.string,
        }
        if extensions:
            self.directives["@coalesce"] = self.coalesce

    # ---- generic shapes

    def value(self, mapping: Any, stack: list[str]) -> Problems:
        kind = type_or_directive(mapping)
        if kind == "directive":
            return self.directive(mapping, stack)
        if kind == "object":
            return self.object(mapping, stack)
        if kind == "array":
            return self.array(mapping, stack)
        return []  # any other JSON value is a valid raw mapping

    def directive(self, obj: Any, stack: list[str]) -> Problems:
        if not isinstance(obj, dict):
            kind = real_type(obj)
            return problem(stack, f"should be a directive object but it is {article(kind)}")
        keys = list(obj)
        directive_keys = [k for k in keys if k.startswith("@")]
        if len(directive_keys) > 1:
            return problem(
                stack, f"should only have one @-prefixed key but it has {len(directive_keys)} keys"
            )
        if any(not k.startswith("@") and k != "_metadata" for k in keys):
            return problem(
                stack, f"should only have one @-prefixed key but it has {len(keys)} keys"
            )
        name = directive_keys[0] if directive_keys else "undefined"
        check = self.directives.get(name)
        if check is None:
            return problem(stack, f"has an invalid directive: {name}")
        return check(obj[name], [*stack, name])

    def object(self, value: Any, stack: list[str]) -> Problems:
        kind = type_or_directive(value)
        if kind != "object":
            return problem(stack, f"should be an object but it is {article(kind)}")
        found: Problems = []
        for key, item in value.items():
            found += self.value(item, [*stack, key])
        return found

    def array(self, value: Any, stack: list[str]) -> Problems:
        kind = real_type(value)
        if kind != "array":
            return problem(stack, f"should be an array but it is {article(kind)}")
        return []

    def _one_of(
        self, value: Any, stack: list[str], allowed: tuple[str, ...], wanted: str
    ) -> Problems:
        kind = type_or_directive(value)
        if kind == "directive":
            return self.directive(value, stack)
        if kind in allowed:
            return []
        return problem(stack, f"should be {wanted} but it is {article(kind)}")

    def directive_or_raw(self, value: Any, stack: list[str]) -> Problems:
        raw = ("object", "array", "boolean", "string", "number", "null")
        return self._one_of(value, stack, raw, "a mapping directive or a JSON value")

    def directive_or_string(self, value: Any, stack: list[str]) -> Problems:
        return self._one_of(value, stack, ("string",), "a string or a mapping directive")

    def directive_or_object(self, value: Any, stack: list[str]) -> Problems:
        if type_or_directive(value) == "object":
            return self.object(value, stack)
        return self._one_of(value, stack, (), "a object or a mapping directive")

    def string(self, value: Any, stack: list[str]) -> Problems:
        kind = type_or_directive(value)
        return (
            []
            if kind == "string"
            else problem(stack, f"should be a string but it is {article(kind)}")
        )

    def boolean(self, value: Any, stack: list[str]) -> Problems:
        kind = type_or_directive(value)
        return (
            []
            if kind == "boolean"
            else problem(stack, f"should be a boolean but it is {article(kind)}")
        )

    def string_length(self, low: int, high: int) -> Validator:
        def check(value: Any, stack: list[str]) -> Problems:
            if isinstance(value, str) and utf16_len(value) < low:
                return problem(stack, f"should be a string of length {low} or greater")
            if isinstance(value, str) and utf16_len(value) > high:
                return problem(stack, f"should be a string of length {high} or less")
            return []

        return check

    def allowed_strings(self, *allowed: str) -> Validator:
        def check(value: Any, stack: list[str]) -> Problems:
            found = self.string(value, stack)
            if not found and value.lower() not in allowed:
                shown = json.dumps(value, ensure_ascii=False)
                found = problem(stack, f"should be one of {', '.join(allowed)} but it is {shown}")
            return found

        return check

    @staticmethod
    def chain(*validators: Validator) -> Validator:
        """Segment's ``chain``: the first validator that fails decides."""

        def check(value: Any, stack: list[str]) -> Problems:
            for validator in validators:
                found = validator(value, stack)
                if found:
                    return found
            return []

        return check

    def fields(
        self,
        value: Any,
        stack: list[str],
        required: dict[str, Validator],
        optional: dict[str, Validator],
    ) -> Problems:
        """``validateObjectWithFields``: the options object is validated as an object
        first (every member, recursively); only when that passes are the fields checked."""
        found = self.object(value, stack)
        if found:
            return found
        for name, check in required.items():
            if name not in value:
                found += problem(stack, f"should have field {json.dumps(name)} but it doesn't")
            else:
                found += check(value[name], [*stack, name])
        for name, check in optional.items():
            if name in value:
                found += check(value[name], [*stack, name])
        return found

    # ---- directives (the stack already ends with the directive's name)

    def if_(self, v: Any, stack: list[str]) -> Problems:
        raw = self.directive_or_raw
        return self.fields(v, stack, {}, {"exists": raw, "then": raw, "else": raw})

    def case(self, v: Any, stack: list[str]) -> Problems:
        return self.fields(
            v, stack, {}, {"operator": self.string, "value": self.directive_or_string}
        )

    def replace(self, v: Any, stack: list[str]) -> Problems:
        return self.fields(
            v,
            stack,
            {
                "pattern": self.chain(self.string, self.string_length(1, MAX_PATTERN_LENGTH)),
                "value": self.directive_or_string,
            },
            {
                "replacement": self.chain(
                    self.string, self.string_length(0, MAX_REPLACEMENT_LENGTH)
                ),
                "ignorecase": self.boolean,
                "global": self.boolean,
            },
        )

    def array_path(self, v: Any, stack: list[str]) -> Problems:
        found = self.array(v, stack)
        if found:
            return found
        root = v[0] if v else _MISSING
        shape = v[1] if len(v) > 1 else _MISSING
        return self.directive_or_string(root, stack) + self.value(shape, stack)

    def json_(self, v: Any, stack: list[str]) -> Problems:
        return self.fields(
            v,
            stack,
            {"value": self.directive_or_raw, "mode": self.allowed_strings("encode", "decode")},
            {},
        )

    def flatten(self, v: Any, stack: list[str]) -> Problems:
        return self.fields(v, stack, {"value": self.directive_or_raw}, {"separator": self.string})

    def merge(self, v: Any, stack: list[str]) -> Problems:
        found = self.fields(
            v, stack, {"objects": self.array}, {"direction": self.allowed_strings("left", "right")}
        )
        if found:
            return found
        # Segment validates these with an empty stack (messages start with "/ "); we
        # give the real place of each object.
        for i, item in enumerate(v["objects"]):
            found += self.directive_or_object(item, [*stack, "objects", str(i)])
        return found

    def transform(self, v: Any, stack: list[str]) -> Problems:
        both = self.directive_or_object
        return self.fields(v, stack, {"apply": both, "mapping": both}, {})

    def coalesce(self, v: Any, stack: list[str]) -> Problems:
        """Extension ``@coalesce``: a non-empty array of candidates (each any mapping)."""
        if not isinstance(v, list) or not v:
            return problem(stack, f"should be a non-empty array but it is {article(real_type(v))}")
        found: Problems = []
        for i, item in enumerate(v):
            found += self.value(item, [*stack, str(i)])
        return found


# --------------------------------------------------------------------------- engine guards


def check_shape(mapping: Any, limits: MappingLimits) -> Problems:
    """This engine's guards, before anything recursive runs: every value is JSON (string
    keys; ``str``/``int``/``float``/``bool``/``None``/``list``/``dict``), the mapping
    nests at most ``max_mapping_depth`` levels and holds at most ``max_mapping_values``
    values. Iterative, so a cyclic mapping is reported (as too deep), not a crash."""
    found: Problems = []
    if isinstance(mapping, str) and len(mapping) >= limits.max_mapping_values:
        # A string mapping spreads into one key per character (JS's Object.keys).
        return problem(
            [],
            f"a string mapping spreads into {len(mapping)} values; the limit is "
            f"{limits.max_mapping_values} (max_mapping_values)",
            LIMIT,
        )
    count = 0
    # (value, depth, its parent's path, its key): a value's own path is built only when
    # it is a container (its children need it) or has a problem, not for every leaf.
    stack: list[tuple[Any, int, tuple[str, ...], str | None]] = [(mapping, 0, (), None)]
    while stack:
        value, depth, parent, key = stack.pop()
        count += 1
        if count > limits.max_mapping_values:
            return found + problem(
                [],
                f"mapping has more than {limits.max_mapping_values} values (max_mapping_values)",
                LIMIT,
            )
        if isinstance(value, (dict, list)):
            where = parent if key is None else (*parent, key)
            if depth >= limits.max_mapping_depth:
                found += problem(
                    list(where),
                    f"nests deeper than {limits.max_mapping_depth} levels (max_mapping_depth)",
                    LIMIT,
                )
                continue
            if isinstance(value, dict):
                for item_key, item in reversed(value.items()):
                    if not isinstance(item_key, str):
                        found += problem(
                            list(where), f"has a key that is not a string: {item_key!r}",
                            NOT_JSON,
                        )
                        continue
                    stack.append((item, depth + 1, where, item_key))
            else:
                for i in range(len(value) - 1, -1, -1):
                    stack.append((value[i], depth + 1, where, str(i)))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            where = parent if key is None else (*parent, key)
            found += problem(list(where), f"is not a JSON value: {type(value).__name__}", NOT_JSON)
    return found
