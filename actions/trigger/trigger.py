"""The public ``Trigger``: one condition tree, its compiled matcher, its text."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, Literal

import fql
from fql import Expression
from fql.backend import kernel
from fql.format import format_path
from fql.js import UNDEFINED, js_truthy
from fql.jsontext import loads_event

from .conditions import NAMED_TYPES, ROOT_OF
from .errors import TriggerError, TriggerMatchError
from .expression import to_fql_expression, tree_from_expression
from .from_fql import to_tree
from .generate import generate
from .matcher import ThrownByReference, build
from .nodes import fields_read
from .plan import GET_SPLIT, MAX_TREE_DEPTH, compile_tree, tree_too_deep
from .segment_parser import read

Mode = Literal["default", "segment"]

_KERNEL = kernel("_trigger")


def matchers(plan: Any, kernel: Any = _KERNEL) -> tuple[Any, Any]:
    """``(matches, matches_many)`` for a compiled plan: the ``kernel``'s ``Program``
    (``src_ext/_trigger.pyx``; by default this backend's) or, when it is None, the
    twin's matcher (``matcher.build``)."""
    if kernel is not None:
        program = kernel.build(plan)
        return program.matches, program.matches_many
    match = build(plan)
    return match, lambda events: [match(event) for event in events]


def _public(exc: Exception, events: list[Any]) -> Exception:
    """The public error for what a matcher raised over ``events``: Segment's throw, or
    TRG311 for the first event that is not an object (the matchers read events with
    ``dict.get``); an AttributeError with every event a dict is a bug, kept as it is."""
    if isinstance(exc, ThrownByReference):
        return TriggerMatchError(f"Segment's validate throws here: {exc}")
    for event in events:
        if not isinstance(event, dict):
            return TriggerError(f"an event is a JSON object, not {type(event).__name__}",
                                code="TRG311")
    return exc


#: JSON levels a condition tree may span: each group level is two (the group object and
#: its ``children`` list), plus a condition and its value at the bottom.
_MAX_TREE_LEVELS = 2 * MAX_TREE_DEPTH + 4


def _copy_tree(node: Any, levels: int) -> Any:
    """A deep copy of a condition tree that refuses (TRG302) nesting beyond ``levels``
    before it recurses, so a hostile tree (or a cycle) meets the tree-depth limit
    instead of exhausting the stack in ``copy.deepcopy``."""
    if isinstance(node, (dict, list)):
        if levels <= 0:
            raise tree_too_deep()
        if isinstance(node, dict):
            return {key: _copy_tree(value, levels - 1) for key, value in node.items()}
        return [_copy_tree(item, levels - 1) for item in node]
    return copy.deepcopy(node)


#: The payload kinds Segment's ``validate`` reads like an empty object: a string, number,
#: boolean or array has none of ``type``, ``event``, ``properties``, ``traits``,
#: ``context``, so every read is ``undefined``.
_READ_AS_EMPTY = (str, bool, int, float, list)
_EMPTY: dict[str, Any] = {}


def _reads_payload(node: Any) -> bool:
    """Whether evaluating ``node`` can read the payload (a condition of a known type
    somewhere in its groups); when not, the answer is the same for every payload."""
    children = node.get("children") if isinstance(node, dict) else None
    if not isinstance(children, list):
        return True  # malformed: let the matcher decide
    for child in children:
        ctype = child.get("type") if isinstance(child, dict) else None
        if ctype in ("event-type", "event", "event-property", "event-context") or (
                ctype == "group" and _reads_payload(child)) or not isinstance(child, dict):
            return True
    return False


def _validate_null(node: Any) -> bool:
    """``validate(tree, null)``: the group walk runs, and the first condition that
    reads the payload throws (``null.type``); unknown condition types, unknown group
    operators and empty groups answer without reading it."""
    if not isinstance(node, dict):
        raise TriggerMatchError("Segment's validate throws here: a condition is not an object")
    children = node.get("children")
    if node.get("operator") not in ("and", "or") or not isinstance(children, list):
        return False if isinstance(children, list) else _throw_null()
    results = (_validate_null_condition(child) for child in children)
    return all(results) if node["operator"] == "and" else any(results)


def _validate_null_condition(node: Any) -> bool:
    ctype = node.get("type") if isinstance(node, dict) else _throw_null()
    if ctype == "group":
        return _validate_null(node)
    if ctype in ("event-type", "event", "event-property", "event-context"):
        return _throw_null()
    return False


def _throw_null() -> bool:
    raise TriggerMatchError(
        "Segment's validate throws here: Cannot read properties of null")


class Trigger:
    """A Destination Actions trigger: which events start a mapping.

    Build one from text (:meth:`parse`) or from Segment's condition tree
    (:meth:`from_conditions`). The tree is compiled once; :meth:`matches` then answers
    exactly what Segment's ``validate`` answers. Instances are immutable and can be
    shared between threads.
    """

    __slots__ = ("_fql", "_many", "_match", "_reads_nothing", "_tree", "mode", "source")

    def __init__(self, tree: Any, *, mode: Mode | None = None, source: str | None = None) -> None:
        """Prefer :meth:`parse` / :meth:`from_conditions`; ``tree`` is copied."""
        self._tree = _copy_tree(tree, _MAX_TREE_LEVELS)
        self._match, self._many = matchers(compile_tree(self._tree))
        self._reads_nothing = not _reads_payload(self._tree)
        self._fql: str | None = None
        #: how ``source`` was read (``None`` for a tree given directly)
        self.mode = mode
        #: the text this trigger was parsed from, if any
        self.source = source

    @classmethod
    def parse(cls, text: str, mode: Mode = "default") -> Trigger:
        """Read trigger text. ``default`` reads it as FQL (precedence, nesting, escapes)
        and raises :class:`TriggerError` for what the tree cannot express; ``segment``
        reads it exactly as Segment's trigger parser does, bugs included."""
        if not isinstance(text, str):
            raise TriggerError(f"trigger text must be a string, not {type(text).__name__}",
                               code="TRG000")
        if mode == "default":
            tree = to_tree(text)
        elif mode == "segment":
            tree = read(text)
        else:
            raise ValueError(f"mode must be 'default' or 'segment', not {mode!r}")
        return cls(tree, mode=mode, source=text)

    @classmethod
    def from_conditions(cls, tree: Any) -> Trigger:
        """A trigger from Segment's condition tree (as stored by Segment: a ``group``
        at the top). Any JSON is accepted and evaluated as Segment would: unknown types
        and operators are false, and malformed nodes raise :class:`TriggerMatchError`
        only when evaluation reaches them."""
        return cls(tree)

    @property
    def plan(self) -> Any:
        """The compiled plan (:mod:`actions.trigger.plan`): equal for triggers that
        match alike, so a set of triggers can keep one of each."""
        return compile_tree(self._tree)

    @property
    def fields(self) -> frozenset[str]:
        """The top-level event fields the trigger can read: its answer for an event
        depends on these alone, so a reader may decode only them
        (:class:`fql.jsontext.FieldDecoder`)."""
        return fields_read(self.plan)

    @property
    def conditions(self) -> Any:
        """The condition tree, in Segment's shape (a fresh copy each time)."""
        return copy.deepcopy(self._tree)

    @property
    def fql(self) -> str:
        """The trigger text Segment's generator prints for this tree (with the repairs
        listed in docs/semantics/triggers.md). Raises :class:`TriggerError` for trees
        Segment cannot print (unknown condition types)."""
        if self._fql is None:
            self._fql = generate(self._tree)
        return self._fql

    @property
    def paths(self) -> tuple[str, ...]:
        """The event fields the trigger reads, as FQL path text (``type``,
        ``properties.order\\ id``, ``context.page.url``), each once, in tree order. A
        condition's ``name`` is split as Segment's lookup splits it (on ``.``, ``[``,
        ``]``); conditions Segment never evaluates (unknown types) read nothing."""
        found: dict[str, None] = {}
        stack = [self._tree]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            children = node.get("children")
            if isinstance(children, list):
                stack.extend(reversed(children))
                continue
            # any JSON value: one that names no condition type finds nothing
            root = ROOT_OF.get(node.get("type"))  # type: ignore[arg-type]
            if root is None:
                continue
            segments: tuple[str, ...] = (root,)
            if node.get("type") in NAMED_TYPES:
                name = node.get("name")
                if not isinstance(name, str) or not GET_SPLIT.findall(name):
                    continue
                segments += tuple(GET_SPLIT.findall(name))
            found.setdefault(format_path(segments))
        return tuple(found)

    def to_fql_expression(self) -> str:
        """FQL text that ``fql.compile`` evaluates exactly like this trigger (guards
        included where the two lookups differ). Raises ``TRG4xx`` where no exact
        expression exists (docs/semantics/triggers.md, "Conversions")."""
        return to_fql_expression(self._tree)

    def to_expression(self) -> Expression:
        """:meth:`to_fql_expression`, compiled."""
        return fql.compile(self.to_fql_expression())

    @classmethod
    def from_expression(cls, text: str) -> Trigger:
        """The trigger for an FQL expression that means the same in both engines;
        ``TRG405`` (with the trigger's exact meaning as a hint) when it would not."""
        return cls(tree_from_expression(text), mode="default", source=text)

    def matches(self, event: dict[str, Any]) -> bool:
        """Whether ``event`` (a JSON object) triggers the mapping.

        Other payloads get Segment's answers: :data:`fql.js.UNDEFINED` is false (an
        explicit guard in ``validate``); a string (``""`` too), number, boolean or
        array is read like ``{}`` (it has none of the fields a condition reads);
        ``None`` raises :class:`TriggerMatchError` where Segment throws (at the first
        condition that reads it). Anything that is not JSON is ``TRG311``.
        """
        if event is UNDEFINED:
            return False
        try:
            return self._match(event)
        except (ThrownByReference, AttributeError) as exc:
            if type(event) is dict:
                raise _public(exc, [event]) from None
        return self._matches_payload(event)

    def _matches_payload(self, event: Any) -> bool:
        if isinstance(event, dict):  # a dict subclass: its plain copy
            return self.matches(dict(event))
        if js_truthy(self._tree.get("error", UNDEFINED) if isinstance(self._tree, dict)
                     else UNDEFINED):
            return False
        if event is None:
            return _validate_null(self._tree)
        if isinstance(event, _READ_AS_EMPTY):
            return self.matches(_EMPTY)
        raise _public(AttributeError(), [event])

    def matches_json(self, data: str | bytes) -> bool:
        """``matches`` for one event given as JSON text or UTF-8 bytes, read exactly
        (:mod:`fql.jsontext`); text that is not a JSON object raises
        :class:`fql.jsontext.FqlJsonError`."""
        return self.matches(loads_event(data))

    def matches_many(self, events: Iterable[dict[str, Any]]) -> list[bool]:
        """``matches`` over ``events``, in order; the loop runs in the kernel when there
        is one. Raises what ``matches`` raises for the first event it raises for."""
        if type(events) is not list:
            events = list(events)
        try:
            answers: list[bool] = self._many(events)
        except (ThrownByReference, AttributeError) as exc:
            if all(type(event) is dict for event in events):
                raise _public(exc, events) from None
            return [self.matches(event) for event in events]
        if self._reads_nothing:  # the one case where undefined got past the matcher
            return [answer and event is not UNDEFINED
                    for answer, event in zip(answers, events, strict=True)]
        return answers

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trigger) and other._tree == self._tree

    def __hash__(self) -> int:
        return hash(repr(self._tree))

    def __repr__(self) -> str:
        try:
            return f"Trigger({self.fql!r})"
        except TriggerError:
            return f"Trigger.from_conditions({self._tree!r})"
