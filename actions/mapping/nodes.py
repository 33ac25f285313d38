"""The per-event runtime of compiled mappings: the plan nodes.

A compiled mapping is a tree of the node objects below, built once by
:mod:`actions.mapping.compiler`. Every decision that does not depend on the event
(which directive, which options, path splitting, template splitting, static throws,
replacement-token parsing) was taken there; a node only walks the event and builds
the output. This module imports nothing but the standard library, :mod:`fql.js`,
:mod:`actions.mapping.values` and the error classes, so the Cython kernel
(``src_ext/_mapping.pyx``) mirrors it class for class (each common node becomes a
``cdef class`` with the same slots and methods; the rest run as themselves inside the
kernel's tree).

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

import re
from collections.abc import Callable
from typing import Any

from fql.js import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    js_ordered,
    js_trim,
    utf16_units,
)
from fql.js import js_truthy as truthy

from .errors import MappingInputError, MappingRuntimeError
from .values import (
    finalize,
    json_parse,
    json_stringify,
    lookup,
    loose_blank,
    own,
    pick,
    prop,
    split_path,
    strip_root,
    to_string,
    too_deep,
    type_name,
)


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
        """The node's JS value for ``payload``, owned by the caller (may hold
        ``UNDEFINED`` inside objects and arrays)."""
        raise NotImplementedError

    def out(self, payload: Any) -> Any:
        """The node's value as the output holds it (``UNDEFINED`` members removed;
        ``UNDEFINED`` itself means "drop the key")."""
        value = self.ev(payload)
        return finalize(value, self.depth) if self.may_undef else value

    def peek(self, payload: Any) -> Any:
        """The node's value for a read-only consumer: event containers are not copied,
        so it must never be returned as output."""
        return self.ev(payload)

    def fail(self, message: str) -> MappingRuntimeError:
        """The error Segment's mapping kit throws at this node."""
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


def template_too_large(where: str, limit: int) -> MappingInputError:
    """The error for a template whose output would pass ``max_template_output``."""
    return MappingInputError(
        f"@template output exceeds {limit} characters (MappingLimits.max_template_output)",
        path=where)


def fill_placeholders(
    pattern: re.Pattern[str], text: str, payload: Any, depth: int, where: str, limit: int
) -> str:
    """``text`` with each ``pattern`` placeholder filled; the output is counted as each
    placeholder is filled (the text so far plus what is still to fill), so it never
    passes ``limit`` characters."""
    left = [limit - len(text)]

    def replace(match: re.Match[str]) -> str:
        filled = placeholder_text(lookup(payload, split_path(js_trim(match.group(1)))), depth)
        left[0] -= len(filled) - (match.end() - match.start())
        if left[0] < 0:
            raise template_too_large(where, limit)
        return filled

    return pattern.sub(replace, text)


def render_template(template: str, payload: Any, depth: int, where: str, limit: int) -> str:
    """Segment's two-pass ``render``: ``{{{x}}}`` first, then ``{{x}}`` over the result
    (so text produced by the first pass can be read as a placeholder by the second);
    each pass's output is at most ``limit`` characters."""
    first = fill_placeholders(TRIPLE, template, payload, depth, where, limit)
    return fill_placeholders(DOUBLE, first, payload, depth, where, limit)


class TemplateNode(Node):
    """``@template`` with a static string: ``pieces`` is ``((text, keys), ...)``, each a
    literal run followed by a placeholder's pre-split path, then ``tail``. When the
    template has ``{{{...}}}`` placeholders their output is re-scanned, so ``rescan``
    sends the assembled first pass through the ``{{...}}`` pass again."""

    __slots__ = ("limit", "pieces", "rescan", "tail")

    def __init__(
        self,
        where: str,
        depth: int,
        pieces: tuple[tuple[str, tuple[str, ...]], ...],
        tail: str,
        rescan: bool,
        limit: int,
    ) -> None:
        super().__init__(where, depth)
        self.pieces = pieces
        self.tail = tail
        self.rescan = rescan
        #: ``MappingLimits.max_template_output``, counted as the pieces are filled
        self.limit = limit

    def ev(self, payload: Any) -> Any:
        parts = []
        size = len(self.tail)
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
            if type(value) is not str:
                value = placeholder_text(value, self.depth)
            size += len(text) + len(value)
            if size > self.limit:
                raise template_too_large(self.where, self.limit)
            parts.append(value)
        parts.append(self.tail)
        result = "".join(parts)
        if self.rescan:
            return fill_placeholders(DOUBLE, result, payload, self.depth, self.where, self.limit)
        return result

    out = peek = ev


class DynamicTemplateNode(Node):
    """``@template`` whose template is a directive's result (must be a string)."""

    __slots__ = ("limit", "source")

    def __init__(self, where: str, depth: int, source: Node, limit: int) -> None:
        super().__init__(where, depth)
        self.source = source
        self.limit = limit

    def ev(self, payload: Any) -> Any:
        template = self.source.ev(payload)
        if type(template) is not str:
            raise self.fail(f"@template: expected string, got {type_name(template)}")
        return render_template(template, payload, self.depth, self.where, self.limit)

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
        # ``root`` is set whenever ``keys`` is None (the compiler gives one of the two)
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
