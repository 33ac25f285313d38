"""The compiled :class:`Mapping` and :func:`compile_mapping`, the entry points.

``compile_mapping`` runs the stages (engine guards → root handling → Segment's
validation → compilation, see :mod:`~actions.mapping.compiler`) once; ``Mapping.apply``
only runs the plan. A Mapping is immutable and holds no per-event state, so one
instance may serve many threads.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .compiler import Finding, compile_plan
from .errors import MappingInputError
from .limits import DEFAULT_LIMITS, MappingLimits
from .runtime import UNDEFINED, Node, type_name


class Mapping:
    """A compiled mapping. ``apply(event)`` returns the payload Segment would send.

    ``source`` is a private copy of the mapping JSON; ``extensions`` says whether
    non-portable directives were allowed when it was compiled.
    """

    __slots__ = ("_findings", "_root", "extensions", "limits", "source")

    def __init__(
        self,
        source: Any,
        root: Node,
        findings: list[Finding],
        limits: MappingLimits,
        extensions: bool,
    ) -> None:
        self.source = source
        self._root = root
        self._findings = tuple(findings)
        self.limits = limits
        self.extensions = extensions

    def apply(self, event: Any, *, missing: Any = None) -> Any:
        """Map one event (a dict; never mutated; the result shares nothing with it).

        The result is normally a dict; a mapping whose root is a directive may yield any
        JSON value, or JS ``undefined`` (e.g. ``{"@path": "$.nope"}``), which is
        returned as ``missing``. Raises MappingRuntimeError where Segment's mapping kit
        throws for this event, MappingInputError for an event that is not a JSON object.
        """
        if type(event) is not dict and not isinstance(event, dict):
            raise MappingInputError(f"data must be an object, got {type_name(event)}")
        try:
            result = self._root.out(event)
        except RecursionError:
            raise MappingInputError(
                "event value nested too deeply (over max_value_depth levels) or cyclic"
            ) from None
        return missing if result is UNDEFINED else result

    def apply_batch(self, events: Iterable[Any], *, missing: Any = None) -> list[Any]:
        """``apply`` to each event, in order (Segment's ``transformBatch``)."""
        apply = self.apply
        return [apply(event, missing=missing) for event in events]

    def __repr__(self) -> str:
        flag = ", extensions=True" if self.extensions else ""
        return f"Mapping({self.source!r}{flag})"


def compile_mapping(
    mapping: Any, *, extensions: bool = False, limits: MappingLimits = DEFAULT_LIMITS
) -> Mapping:
    """Validate and compile ``mapping`` (the JSON of a Destination Actions mapping).

    Raises MappingError listing every problem, each with its path (``/user_id/@if``).
    ``extensions=True`` enables the non-portable directives (full JSONPath in ``@path``,
    ``@coalesce``); ``check_mapping`` flags each use.
    """
    root, findings = compile_plan(mapping, limits, extensions)
    return Mapping(copy.deepcopy(mapping), root, findings, limits, extensions)
