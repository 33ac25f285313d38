"""Errors of the mapping engine.

One root, :class:`MappingError`, raised by :func:`~actions.mapping.compile_mapping` with
*every* problem found (each a :class:`~fql.diagnostics.Diagnostic` with a JSON-pointer-like
``path``), and two run-time subclasses:

* :class:`MappingRuntimeError`: the mapping is valid, but Segment's mapping kit throws
  for this event at this directive (``@merge`` without ``direction``, a disabled Liquid
  filter, ...). The event would not be sent by Segment either.
* :class:`MappingInputError`: the event is not something the engine can read as JSON
  (not a dict, nested too deeply or cyclic, a ``datetime`` where JSON is expected).

``str(err)`` lists one ``/path message`` line per problem, the layout of Segment's
aggregated validation error, so messages can be compared side by side.
"""

from __future__ import annotations

from collections.abc import Iterable

from fql.diagnostics import Diagnostic

#: Codes (stable; listed in docs/semantics/mappings.md).
VALIDATION = "MAP001"  # a problem Segment's validation reports
LIMIT = "MAP002"  # one of this engine's size limits (MappingLimits)
NOT_JSON = "MAP003"  # the mapping holds a value that is not JSON
UNAVAILABLE = "MAP004"  # an optional dependency (python-liquid, jsonpath-ng) is missing
ROOT_DIRECTIVE = "MAP005"  # a malformed __segment_internal_directive root
RUNTIME = "MAP301"  # Segment throws while applying the mapping to this event
INPUT = "MAP302"  # the event cannot be read as JSON


class MappingError(ValueError):
    """A mapping was rejected; ``problems`` lists every finding, in mapping order."""

    code = VALIDATION

    def __init__(self, problems: Iterable[Diagnostic] | str, *, path: str = "/") -> None:
        if isinstance(problems, str):
            problems = [Diagnostic(self.code, problems, path=path)]
        self.problems: tuple[Diagnostic, ...] = tuple(problems)
        super().__init__(str(self))

    @property
    def path(self) -> str | None:
        """Where the first problem is."""
        return self.problems[0].path if self.problems else None

    def __str__(self) -> str:
        return "\n".join(f"{p.path or '/'} {p.message}" for p in self.problems)


class MappingRuntimeError(MappingError):
    """Segment's mapping kit throws for this event; ``path`` is the directive's place."""

    code = RUNTIME


class MappingInputError(MappingError):
    """The event is not a JSON object the engine can read (type, depth, cycles)."""

    code = INPUT
