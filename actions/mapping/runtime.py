"""The per-event runtime of compiled mappings: plan nodes and the JS value helpers they use.

A compiled mapping is a tree of the node objects below, built once by
:mod:`actions.mapping.compiler`. Every decision that does not depend on the event
(which directive, which options, path splitting, template splitting, static throws,
replacement-token parsing) was taken there; a node only walks the event and builds
the output. This module imports nothing but the standard library, :mod:`fql.js` and
the error classes, so the Cython kernel (``src_ext/_mapping.pyx``) mirrors it class
for class (each common node becomes a ``cdef class`` with the same slots and methods;
the rest run as themselves inside the kernel's tree).

Value model (JS values as Python values): ``None`` is ``null``, :data:`UNDEFINED` is
JS ``undefined`` (a private sentinel that never leaves :class:`~actions.mapping.Mapping`),
``dict``/``list``/``str``/``bool``/``int``/``float`` are objects, arrays, strings,
booleans and numbers.

Each node has three entry points, so that the output never aliases the event and the
``undefined`` clean-up (Segment's ``removeUndefined``) costs nothing where it cannot
matter:

* ``ev(payload)``: the JS value of the node, owned by the caller (event containers are
  copied), possibly holding ``UNDEFINED`` inside objects and arrays. Directives that
  consume a value use this, because ``{a: undefined}`` and ``{}`` differ for ``@merge``.
* ``out(payload)``: the value as it appears in the output: ``UNDEFINED`` members removed
  from objects and turned into ``None`` in arrays; ``UNDEFINED`` itself means "drop the
  key". Plain objects and arrays build this directly instead of cleaning afterwards.
* ``peek(payload)``: the value for a read-only consumer (a condition, a string
  conversion); event containers are *not* copied, so it must never be returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fql.js import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    array_index,
    js_int,
    js_json,
    js_ordered,
    js_string,
    js_trim,
    utf16_len,
    utf16_units,
)
from fql.js import js_truthy as truthy
from fql.limits import DEFAULT_EVENT_DEPTH, too_deep_message

from .errors import MappingInputError, MappingRuntimeError

_SCALARS = frozenset({str, float, bool, type(None)})


# --------------------------------------------------------------------------- JS values


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


# --------------------------------------------------------------------------- nodes


class Node:
    """A plan node. ``where`` is the node's place in the mapping (for run-time errors);
    ``may_undef`` says whether ``ev`` can hold ``UNDEFINED`` inside a container, and
    ``depth`` is the event nesting limit used when copying or converting values."""

    __slots__ = ("depth", "may_undef", "where")

    def __init__(self, where: str, depth: int, may_undef: bool = False) -> None:
        self.where = where
        self.depth = depth
        self.may_undef = may_undef

    def ev(self, payload: Any) -> Any:
        raise NotImplementedError

    def out(self, payload: Any) -> Any:
        value = self.ev(payload)
        return finalize(value, self.depth) if self.may_undef else value

    def peek(self, payload: Any) -> Any:
        return self.ev(payload)

    def fail(self, message: str) -> MappingRuntimeError:
        return MappingRuntimeError(message, path=self.where)


class ConstNode(Node):
    """A raw scalar (strings, numbers, booleans, null)."""

    __slots__ = ("value",)

    def __init__(self, where: str, depth: int, value: Any) -> None:
        super().__init__(where, depth)
        self.value = value

    def ev(self, payload: Any) -> Any:
        return self.value

    out = peek = ev


class RaiseNode(Node):
    """A place where Segment's mapping kit always throws when it gets there."""

    __slots__ = ("message",)

    def __init__(self, where: str, depth: int, message: str) -> None:
        super().__init__(where, depth)
        self.message = message

    def ev(self, payload: Any) -> Any:
        raise self.fail(self.message)

    out = peek = ev


class ObjectNode(Node):
    """A plain object of the mapping; its members are resolved in order.

    ``members`` is ``((key, keys, out), ...)``: for a ``@path`` member ``keys`` is its
    pre-split path and the walk runs inline (``pick``, without a call per member: the
    most common member of mappings and item shapes); otherwise ``keys`` is ``None``
    and ``out`` is the member's bound ``out`` method, looked up once."""

    __slots__ = ("evs", "items", "members")

    def __init__(self, where: str, depth: int, items: tuple[tuple[str, Node], ...]) -> None:
        super().__init__(where, depth, may_undef=True)
        self.items = items
        self.evs = tuple((key, node.ev) for key, node in items)
        self.members = tuple(
            (key, node.keys if type(node) is PathNode else None, node.out) for key, node in items
        )

    def ev(self, payload: Any) -> Any:
        return {key: ev(payload) for key, ev in self.evs}

    def out(self, payload: Any) -> Any:
        result = {}
        for key, keys, out in self.members:
            if keys is None:
                value = out(payload)
                if value is UNDEFINED:
                    continue
            else:  # pick() inlined
                value = payload
                for step in keys:
                    if type(value) is dict:
                        value = value.get(step, UNDEFINED)
                    elif not truthy(value):
                        break
                    else:
                        value = prop(value, step)
                t = type(value)
                if value is UNDEFINED:
                    continue
                if not (t is str or t is float or t is bool or value is None) and not (
                    t is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
                ):
                    value = own(value, self.depth)
            result[key] = value
        return result


class ArrayNode(Node):
    """A plain array of the mapping; ``undefined`` items stay as holes (``None``)."""

    __slots__ = ("nodes",)

    def __init__(self, where: str, depth: int, nodes: tuple[Node, ...]) -> None:
        super().__init__(where, depth, may_undef=True)
        self.nodes = nodes

    def ev(self, payload: Any) -> Any:
        return [node.ev(payload) for node in self.nodes]

    def out(self, payload: Any) -> Any:
        result = []
        for node in self.nodes:
            value = node.out(payload)
            result.append(None if value is UNDEFINED else value)
        return result


class PathNode(Node):
    """``@path`` with a string path, split at compile time."""

    __slots__ = ("keys",)

    def __init__(self, where: str, depth: int, keys: tuple[str, ...]) -> None:
        super().__init__(where, depth)
        self.keys = keys

    def peek(self, payload: Any) -> Any:
        return lookup(payload, self.keys)

    def ev(self, payload: Any) -> Any:
        return pick(payload, self.keys, self.depth)

    out = ev


class DynamicPathNode(Node):
    """``@path`` whose path is itself a directive: resolved, then split per event."""

    __slots__ = ("directive", "source")

    def __init__(self, where: str, depth: int, source: Node, directive: str) -> None:
        super().__init__(where, depth)
        self.source = source
        self.directive = directive

    def peek(self, payload: Any) -> Any:
        path = self.source.ev(payload)
        if type(path) is not str:
            raise self.fail(f"{self.directive}: expected string, got {type_name(path)}")
        return lookup(payload, split_path(strip_root(path)))

    def ev(self, payload: Any) -> Any:
        return own(self.peek(payload), self.depth)

    out = ev


TRIPLE = re.compile(r"\{\{\{([^}]+)\}\}\}")
DOUBLE = re.compile(r"\{\{([^}]+)\}\}")


def placeholder_text(value: Any, depth: int) -> str:
    """What a template placeholder becomes: ``String(value ?? '')``."""
    if type(value) is str:
        return value
    if value is None or value is UNDEFINED:
        return ""
    return to_string(value, depth)


def render_template(template: str, payload: Any, depth: int) -> str:
    """Segment's two-pass ``render``: ``{{{x}}}`` first, then ``{{x}}`` over the result
    (so text produced by the first pass can be read as a placeholder by the second)."""

    def replace(match: re.Match[str]) -> str:
        path = js_trim(match.group(1))
        return placeholder_text(lookup(payload, split_path(path)), depth)

    return DOUBLE.sub(replace, TRIPLE.sub(replace, template))


class TemplateNode(Node):
    """``@template`` with a static string: ``pieces`` is ``((text, keys), ...)``, each a
    literal run followed by a placeholder's pre-split path, then ``tail``. When the
    template has ``{{{...}}}`` placeholders their output is re-scanned, so ``rescan``
    sends the assembled first pass through the ``{{...}}`` pass again."""

    __slots__ = ("pieces", "rescan", "tail")

    def __init__(
        self,
        where: str,
        depth: int,
        pieces: tuple[tuple[str, tuple[str, ...]], ...],
        tail: str,
        rescan: bool,
    ) -> None:
        super().__init__(where, depth)
        self.pieces = pieces
        self.tail = tail
        self.rescan = rescan

    def ev(self, payload: Any) -> Any:
        parts = []
        for text, keys in self.pieces:
            parts.append(text)
            value = payload
            for key in keys:
                if type(value) is dict:
                    value = value.get(key, UNDEFINED)
                elif not truthy(value):
                    break
                else:
                    value = prop(value, key)
            parts.append(value if type(value) is str else placeholder_text(value, self.depth))
        parts.append(self.tail)
        result = "".join(parts)
        if self.rescan:
            return DOUBLE.sub(
                lambda m: placeholder_text(
                    lookup(payload, split_path(js_trim(m.group(1)))), self.depth
                ),
                result,
            )
        return result

    out = peek = ev


class DynamicTemplateNode(Node):
    """``@template`` whose template is a directive's result (must be a string)."""

    __slots__ = ("source",)

    def __init__(self, where: str, depth: int, source: Node) -> None:
        super().__init__(where, depth)
        self.source = source

    def ev(self, payload: Any) -> Any:
        template = self.source.ev(payload)
        if type(template) is not str:
            raise self.fail(f"@template: expected string, got {type_name(template)}")
        return render_template(template, payload, self.depth)

    out = peek = ev


class IfNode(Node):
    """``@if``: ``blank`` selects the loose ``!= ''`` test; ``then``/``otherwise`` are
    ``None`` when that branch yields undefined (absent ``then``, falsy ``else``)."""

    __slots__ = ("blank", "cond", "otherwise", "then")

    def __init__(
        self,
        where: str,
        depth: int,
        cond: Node,
        blank: bool,
        then: Node | None,
        otherwise: Node | None,
    ) -> None:
        may_undef = any(n is not None and n.may_undef for n in (then, otherwise))
        super().__init__(where, depth, may_undef)
        self.cond = cond
        self.blank = blank
        self.then = then
        self.otherwise = otherwise

    def _branch(self, payload: Any) -> Node | None:
        value = self.cond.peek(payload)
        ok = value is not None and value is not UNDEFINED
        if ok and self.blank:
            ok = not loose_blank(value)
        return self.then if ok else self.otherwise

    def ev(self, payload: Any) -> Any:
        branch = self._branch(payload)
        return UNDEFINED if branch is None else branch.ev(payload)

    def out(self, payload: Any) -> Any:
        value = self.cond.peek(payload)
        ok = value is not None and value is not UNDEFINED
        if ok and self.blank:
            ok = not loose_blank(value)
        branch = self.then if ok else self.otherwise
        return UNDEFINED if branch is None else branch.out(payload)

    def peek(self, payload: Any) -> Any:
        branch = self._branch(payload)
        return UNDEFINED if branch is None else branch.peek(payload)


class CoalesceNode(Node):
    """Extension ``@coalesce``: the first candidate that is neither null nor undefined."""

    __slots__ = ("candidates",)

    def __init__(self, where: str, depth: int, candidates: tuple[Node, ...]) -> None:
        super().__init__(where, depth, any(n.may_undef for n in candidates))
        self.candidates = candidates

    def ev(self, payload: Any) -> Any:
        for node in self.candidates:
            value = node.ev(payload)
            if value is not None and value is not UNDEFINED:
                return value
        return UNDEFINED


class CaseNode(Node):
    """``@case``: strings change case (JS ``toLowerCase``/``toUpperCase`` are full Unicode
    mappings, as Python's); other values pass through. ``upper`` is ``None`` for an
    operator other than lower/upper, which throws only when the value is a string."""

    __slots__ = ("upper", "value")

    def __init__(self, where: str, depth: int, value: Node, upper: bool | None) -> None:
        super().__init__(where, depth, value.may_undef)
        self.value = value
        self.upper = upper

    def ev(self, payload: Any) -> Any:
        return self._convert(self.value.ev(payload))

    def out(self, payload: Any) -> Any:
        return self._convert(self.value.out(payload))

    def _convert(self, value: Any) -> Any:
        if type(value) is str:
            if self.upper is None:
                raise self.fail('operator key should have a value of "lower" or "upper"')
            return value.upper() if self.upper else value.lower()
        return value


class Replacer:
    """One literal search-and-replace of ``@replace``. ``regex`` is set for
    case-insensitive search (JS ``i`` flag canonicalisation, built at compile time);
    ``parts`` is the replacement split into text and the JS tokens ``$&`` (0), ``$```
    (1) and ``$'`` (2), or ``None`` when it is plain text."""

    __slots__ = ("error", "global_", "parts", "pattern", "regex", "replacement")

    def __init__(
        self,
        pattern: str,
        regex: re.Pattern[str] | None,
        replacement: str,
        parts: tuple[str | int, ...] | None,
        global_: bool,
        error: str | None,
    ) -> None:
        self.pattern = pattern
        self.regex = regex
        self.replacement = replacement
        self.parts = parts
        self.global_ = global_
        self.error = error

    def apply(self, text: str) -> str:
        if self.regex is None and self.parts is None:
            return text.replace(self.pattern, self.replacement, -1 if self.global_ else 1)
        if self.regex is not None:
            spans = [m.span() for m in self.regex.finditer(text)]
        else:
            spans = []
            size = len(self.pattern)
            start = text.find(self.pattern)
            while start >= 0:
                spans.append((start, start + size))
                start = text.find(self.pattern, start + size)
        if not self.global_:
            spans = spans[:1]
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(text[last:start])
            if self.parts is None:
                out.append(self.replacement)
            else:
                for part in self.parts:
                    if part == 0:
                        out.append(text[start:end])
                    elif part == 1:
                        out.append(text[:start])
                    elif part == 2:
                        out.append(text[end:])
                    else:
                        out.append(part)  # type: ignore[arg-type]
            last = end
        out.append(text[last:])
        return "".join(out)


class ReplaceNode(Node):
    """``@replace``: numbers and booleans are stringified, any other non-string gives
    ``""``; ``steps`` are the one or two replacements, ``None`` when an option has a
    type Segment does not accept (then every value gives ``""``). A step whose
    ``error`` is set throws (Segment checks pattern lengths only at that point)."""

    __slots__ = ("steps", "value")

    def __init__(
        self, where: str, depth: int, value: Node, steps: tuple[Replacer, ...] | None
    ) -> None:
        super().__init__(where, depth)
        self.value = value
        self.steps = steps

    def ev(self, payload: Any) -> Any:
        value = self.value.peek(payload)
        t = type(value)
        if t is not str:
            if t is bool or t is int or t is float:
                value = to_string(value, self.depth)
            else:
                return ""
        if self.steps is None:
            return ""
        for step in self.steps:
            if step.error is not None:
                raise self.fail(step.error)
            value = step.apply(value)
        return value

    out = peek = ev


class ArrayPathNode(Node):
    """``@arrayPath``: ``keys`` is the pre-split root path, or ``None`` when the root is
    a directive (``root``); ``shape`` is ``None`` when there is no non-empty item shape."""

    __slots__ = ("keys", "root", "shape")

    def __init__(
        self,
        where: str,
        depth: int,
        keys: tuple[str, ...] | None,
        root: Node | None,
        shape: Node | None,
    ) -> None:
        may_undef = shape is not None or (root is not None and root.may_undef)
        super().__init__(where, depth, may_undef)
        self.keys = keys
        self.root = root
        self.shape = shape

    def _root(self, payload: Any) -> Any:
        if self.keys is not None:
            return lookup(payload, self.keys)
        return self.root.peek(payload)  # type: ignore[union-attr]

    def ev(self, payload: Any) -> Any:
        root = self._root(payload)
        shape = self.shape
        if shape is not None:
            if type(root) is list:
                return [shape.ev(item) for item in root]
            if type(root) is dict:
                return [shape.ev(root)]
        return own(root, self.depth)

    def out(self, payload: Any) -> Any:
        root = self._root(payload)
        shape = self.shape
        if shape is not None:
            if type(root) is dict:
                root = [root]
            if type(root) is list:
                shape_out = shape.out
                return [None if v is UNDEFINED else v for v in map(shape_out, root)]
        if self.root is not None and self.root.may_undef:
            return finalize(own(root, self.depth), self.depth)
        return own(root, self.depth)


def _assign(target: dict[str, Any], source: Any) -> None:
    """One source of ``Object.assign``: objects copy their members (``undefined`` ones
    too), arrays and strings their indices; numbers, booleans, null are ignored."""
    if isinstance(source, dict):
        for key, value in source.items():
            if key != "__proto__":
                target[key] = value
    elif isinstance(source, list):
        for i, value in enumerate(source):
            target[str(i)] = value
    elif isinstance(source, str):
        for i, unit in enumerate(utf16_units(source)):
            target[str(i)] = unit


class MergeNode(Node):
    """``@merge``: ``Object.assign({}, ...objects)``, reversed only when ``direction``
    is exactly ``"left"`` (``direction`` is a node: it may be a directive)."""

    __slots__ = ("direction", "objects")

    def __init__(self, where: str, depth: int, objects: tuple[Node, ...], direction: Node) -> None:
        super().__init__(where, depth, may_undef=True)
        self.objects = objects
        self.direction = direction

    def ev(self, payload: Any) -> Any:
        left = self.direction.ev(payload) == "left"
        sources = [node.ev(payload) for node in self.objects]
        if left:
            sources.reverse()
        result: dict[str, Any] = {}
        for source in sources:
            _assign(result, source)
        return js_ordered(result)


class FlattenNode(Node):
    """``@flatten``: ``separator`` is a node (it may be a directive) whose value must be
    a string; ``omit_arrays`` is the truthiness of the raw option."""

    __slots__ = ("omit_arrays", "separator", "value")

    def __init__(
        self, where: str, depth: int, value: Node, separator: Node, omit_arrays: bool
    ) -> None:
        super().__init__(where, depth, may_undef=True)
        self.value = value
        self.separator = separator
        self.omit_arrays = omit_arrays

    def ev(self, payload: Any) -> Any:
        return self._run(payload, False)

    def out(self, payload: Any) -> Any:
        return self._run(payload, True)

    def _run(self, payload: Any, final: bool) -> dict[str, Any]:
        separator = self.separator.ev(payload)
        if type(separator) is not str:
            raise self.fail("@flatten requires a string separator")
        result: dict[str, Any] = {}
        self._flatten(self.value.peek(payload), "", separator, result, self.depth, final)
        return js_ordered(result)

    def _flatten(
        self,
        value: Any,
        prefix: str,
        separator: str,
        out: dict[str, Any],
        depth: int,
        final: bool,
    ) -> None:
        """``flattenObject``; with ``final`` the leaves are output-ready (undefined
        leaves left out, containers kept whole by ``omitArrays`` cleaned)."""
        t = type(value)
        if t is dict or (t is list and not self.omit_arrays):
            if depth <= 0:
                raise too_deep()
            items = value.items() if t is dict else ((str(i), v) for i, v in enumerate(value))
            for key, item in items:
                key = f"{prefix}{separator}{key}" if prefix else key
                ti = type(item)
                if ti is str or ti is float or ti is bool or item is None:
                    out[key] = item  # the common leaf, without a call
                else:
                    self._flatten(item, key, separator, out, depth - 1, final)
        elif not final:
            out[prefix] = own(value, depth)
        elif value is not UNDEFINED:
            leaf = own(value, depth)
            out[prefix] = finalize(leaf, depth) if t is list else leaf


class JsonNode(Node):
    """``@json``: ``mode`` is ``"encode"``, ``"decode"`` or ``None`` (any other spelling,
    which yields undefined after the value is resolved)."""

    __slots__ = ("mode", "value")

    def __init__(self, where: str, depth: int, value: Node, mode: str | None) -> None:
        # decode output goes through finalize: parsed `__proto__` keys are lost in JS
        super().__init__(where, depth, mode == "decode")
        self.value = value
        self.mode = mode

    def ev(self, payload: Any) -> Any:
        if self.mode == "encode":
            return json_stringify(self.value.peek(payload), self.depth)
        value = self.value.ev(payload)
        if self.mode is None:
            return UNDEFINED
        if type(value) is str:
            try:
                return json_parse(value)
            except (ValueError, RecursionError):
                return value
        return value


class ExcludeNullNode(Node):
    """``@excludeWhenNull``: null becomes undefined; null members of objects (at any
    depth through objects, never inside arrays) are removed."""

    __slots__ = ("value",)

    def __init__(self, where: str, depth: int, value: Node) -> None:
        super().__init__(where, depth, value.may_undef)
        self.value = value

    def ev(self, payload: Any) -> Any:
        return _clean_nulls(self.value.ev(payload), UNDEFINED)

    def out(self, payload: Any) -> Any:
        return _clean_nulls(self.value.out(payload), None)


def _clean_nulls(value: Any, keep_marker: Any) -> Any:
    """``cleanNulls``; with ``keep_marker`` ``UNDEFINED`` null members become undefined
    (JS), with ``None`` they are deleted outright (output position)."""
    if value is None:
        return UNDEFINED
    if type(value) is not dict:
        return value
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            if keep_marker is UNDEFINED:
                cleaned[key] = UNDEFINED
        elif type(item) is dict:
            cleaned[key] = _clean_nulls(item, keep_marker)
        else:
            cleaned[key] = item
    return cleaned


class TransformNode(Node):
    """``@transform``: ``apply`` (output-cleaned, as ``transform`` does) becomes the
    payload of ``mapping``. A payload that is not an object throws, except undefined,
    which reads as ``{}`` (the default parameter of ``transform``)."""

    __slots__ = ("apply", "mapping")

    def __init__(self, where: str, depth: int, apply: Node, mapping: Node) -> None:
        super().__init__(where, depth, mapping.may_undef)
        self.apply = apply
        self.mapping = mapping

    def _payload(self, payload: Any) -> Any:
        if payload is UNDEFINED:
            payload = {}
        elif type(payload) is not dict:
            raise self.fail(f"data must be an object, got {type_name(payload)}")
        return self.apply.out(payload)

    def ev(self, payload: Any) -> Any:
        return self.mapping.ev(self._payload(payload))

    def out(self, payload: Any) -> Any:
        return self.mapping.out(self._payload(payload))


class LiquidNode(Node):
    """``@liquid``: ``render`` is the compiled template's render function (built by
    :mod:`actions.mapping.liquid`), returning a string or raising MappingRuntimeError."""

    __slots__ = ("render",)

    def __init__(self, where: str, depth: int, render: Callable[[Any], str]) -> None:
        super().__init__(where, depth)
        self.render = render

    def ev(self, payload: Any) -> Any:
        return self.render(payload)

    out = peek = ev


class JsonPathNode(Node):
    """Extension: a full JSONPath ``@path`` (``find`` is the compiled expression's
    match function); yields the list of matched values."""

    __slots__ = ("find",)

    def __init__(self, where: str, depth: int, find: Callable[[Any], list[Any]]) -> None:
        super().__init__(where, depth)
        self.find = find

    def ev(self, payload: Any) -> Any:
        return own(self.find(payload), self.depth)

    def peek(self, payload: Any) -> Any:
        return self.find(payload)

    out = ev
