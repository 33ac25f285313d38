"""The compiled :class:`Mapping` and :func:`compile_mapping`, the entry points.

``compile_mapping`` runs the stages (engine guards → root handling → Segment's
validation → compilation, see :mod:`~actions.mapping.compiler`) once; ``Mapping.apply``
only runs the plan. A Mapping is immutable and holds no per-event state, so one
instance may serve many threads.

The plan (a tree of :mod:`~actions.mapping.runtime` nodes) runs on the backend
:mod:`fql.backend` chooses: the Cython kernel ``fql._ext._mapping`` when it was built
(it takes the same tree), else the runtime nodes themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from fql.backend import kernel
from fql.jsontext import loads_event
from fql.values import json_copy

from .compiler import Finding, compile_plan
from .errors import MappingInputError
from .limits import DEFAULT_LIMITS, MappingLimits
from .runtime import TOO_DEEP, UNDEFINED, Node, type_name

_KERNEL = kernel("_mapping")



def runner(root: Node) -> Any:
    """What runs ``root`` on this backend: an object with ``apply(event, *, missing)``
    and ``apply_batch(events, *, missing)`` (the kernel's ``Program``, or its twin)."""
    return PythonRunner(root) if _KERNEL is None else _KERNEL.build(root)


class PythonRunner:
    """The pure-Python twin of the kernel's ``Program``: runs the runtime nodes."""

    __slots__ = ("_out",)

    def __init__(self, root: Node) -> None:
        self._out = root.out

    def apply(self, event: Any, *, missing: Any = None) -> Any:
        """The payload for one event (``missing`` where the mapping yields
        ``undefined``): the twin of the kernel's ``Program.apply``."""
        if type(event) is not dict and not isinstance(event, dict):
            raise MappingInputError(f"data must be an object, got {type_name(event)}")
        try:
            result = self._out(event)
        except RecursionError:
            raise MappingInputError(TOO_DEEP) from None
        return missing if result is UNDEFINED else result

    def apply_batch(self, events: Iterable[Any], *, missing: Any = None) -> list[Any]:
        """The payloads for many events, in order."""
        apply = self.apply
        return [apply(event, missing=missing) for event in events]


class Mapping:
    """A compiled mapping.

    - ``apply(event, *, missing=None)`` maps one event (a dict; never mutated; the
      result shares nothing with it) to the payload Segment would send. The result is
      normally a dict; a mapping whose root is a directive may yield any JSON value, or
      JS ``undefined`` (e.g. ``{"@path": "$.nope"}``), which is returned as ``missing``.
      Raises MappingRuntimeError where Segment's mapping kit throws for this event,
      MappingInputError for an event that is not a JSON object (or nests too deeply).
    - ``apply_batch(events, *, missing=None)``: ``apply`` to each event, in order
      (Segment's ``transformBatch``), the loop in the kernel when there is one.

    Both are the backend's own entry points, bound once here, so a call costs no extra
    Python frame. ``source`` is a private copy of the mapping JSON; ``extensions`` says
    whether non-portable directives were allowed when it was compiled.
    """

    __slots__ = ("_findings", "_root", "apply", "apply_batch", "extensions", "limits",
                 "source")

    apply: Callable[..., Any]
    apply_batch: Callable[..., list[Any]]

    def __init__(
        self,
        source: Any,
        root: Node,
        findings: list[Finding],
        limits: MappingLimits,
        extensions: bool,
        run: Callable[[Node], Any] = runner,
    ) -> None:
        self.source = source
        self._root = root
        self._findings = tuple(findings)
        self.limits = limits
        self.extensions = extensions
        backend = run(root)
        self.apply = backend.apply
        self.apply_batch = backend.apply_batch

    def apply_json(self, data: str | bytes, *, missing: Any = None) -> Any:
        """``apply`` for one event given as JSON text or UTF-8 bytes, read exactly
        (:mod:`fql.jsontext`); text that is not a JSON object raises
        :class:`fql.jsontext.FqlJsonError`. The event is parsed here and owned by
        no one else, so nothing is copied on the way in."""
        return self.apply(loads_event(data), missing=missing)

    def __repr__(self) -> str:
        flag = ", extensions=True" if self.extensions else ""
        return f"Mapping({self.source!r}{flag})"

    @property
    def paths(self) -> tuple[str, ...]:
        """Segment's *value keys* of this mapping (mapping kit ``getFieldValueKeys``): the
        event paths its directives read, as written (``$.properties.email`` for a
        ``@path``, the text between ``{{ }}`` of a ``@template``, the variables of a
        ``@liquid``, ``@arrayPath`` item keys relative to the item), each once, in
        mapping order."""
        return tuple(dict.fromkeys(value_keys(self.source)))


def with_runner(mapping: Mapping, run: Callable[[Node], Any]) -> Mapping:
    """``mapping`` run by ``run`` (:class:`PythonRunner`, or a kernel's ``build``):
    how tests and benchmarks hold one compiled mapping on each backend."""
    return Mapping(mapping.source, mapping._root, list(mapping._findings), mapping.limits,
                   mapping.extensions, run=run)


def compile_mapping(
    mapping: Any, *, extensions: bool = False, limits: MappingLimits = DEFAULT_LIMITS
) -> Mapping:
    """Validate and compile ``mapping`` (the JSON of a Destination Actions mapping).

    Raises MappingError listing every problem, each with its path (``/user_id/@if``).
    ``extensions=True`` enables the non-portable directives (full JSONPath in ``@path``,
    ``@coalesce``); ``check_mapping`` flags each use.
    """
    root, findings = compile_plan(mapping, limits, extensions)
    # compile_plan has checked that the mapping is JSON nested within the limit, so the
    # copy (kept so later changes to the caller's dict do not reach ``source``) never
    # refuses it.
    return Mapping(json_copy(mapping, limits.max_mapping_depth + 1), root, findings, limits,
                   extensions)


_TEMPLATE_KEY = re.compile(r"{{(.*?)}}")
#: Directives whose operands are read for keys: the value(s) below each.
_KEYED_OPERANDS: dict[str, tuple[str, ...]] = {
    "@if": ("blank", "exists", "then", "else"),
    "@case": ("value",), "@replace": ("value",), "@json": ("value",),
    "@flatten": ("value",), "@transform": ("apply", "mapping"),
}


def value_keys(value: Any) -> list[str]:
    """Segment's ``getFieldValueKeys`` over a mapping value, ``@liquid`` included (its
    variables, as liquidjs's ``fullVariablesSync`` lists them); empty keys dropped."""
    keys: list[str] = []
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        found = _directive_keys(node)
        if found is None:
            stack.extend(reversed(list(node.values())))
        else:
            keys.extend(k for k in found[0] if k)
            stack.extend(reversed(found[1]))
    return keys


def _directive_keys(node: dict[str, Any]) -> tuple[list[str], list[Any]] | None:
    """``(keys, operands to visit)`` for a directive, None for a plain object."""
    if "@path" in node:
        path = node["@path"]
        return ([path] if isinstance(path, str) else [], [] if isinstance(path, str) else [path])
    if "@template" in node:
        text = node["@template"]
        return (_TEMPLATE_KEY.findall(text) if isinstance(text, str) else [], [])
    if "@liquid" in node:
        text = node["@liquid"]
        if not isinstance(text, str):
            return [], []
        from .liquid import liquid_variables

        try:
            return liquid_variables(text), []
        except ImportError:  # python-liquid not installed: no keys to report
            return [], []
    if "@literal" in node:
        return [], []
    if "@arrayPath" in node:
        items = node["@arrayPath"]
        return [], list(items) if isinstance(items, list) else []
    if "@merge" in node:
        spec = node["@merge"]
        objects = spec.get("objects") if isinstance(spec, dict) else None
        return [], list(objects) if isinstance(objects, list) else []
    if "@excludeWhenNull" in node:
        return [], [node["@excludeWhenNull"]]
    for directive, operands in _KEYED_OPERANDS.items():
        if directive in node:
            spec = node[directive]
            return [], [spec[k] for k in operands if isinstance(spec, dict) and k in spec]
    return None
