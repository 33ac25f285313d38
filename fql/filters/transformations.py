"""Protocols transformations (``TransformationV1`` of Segment's Public API), applied.

A transformation has an ``if`` (FQL; it applies only when the value is exactly true) and
changes (TR-01..TR-04):

* ``newEventName``: renames a Track event (other types have no ``event`` to rename).
* ``propertyRenames`` ``[{"oldName", "newName"}]``: rename or move properties of Track,
  Page and Screen events, or traits of Identify and Group events. Names are paths inside
  that object (``properties`` or ``traits``), so ``address.city`` -> ``city`` moves a value
  out of an object and ``city`` -> ``address.city`` into one (TR-11). ``\\.`` is a dot
  inside a key (``ingredients\\.salad`` is one key, TR-12); paths are at most
  ``MAX_PATH_DEPTH`` (4) levels deep and array paths (``products.$.id``) are refused
  (TR-10, EC-13). Renames read every old value first, so swaps work.
* ``propertyValueTransformations`` ``[{"propertyPaths": [...], "propertyValue": "USD"}]``:
  static values on top-level fields and on fields inside ``context`` and ``properties``
  (TR-06). Missing parent objects are created; a parent that exists but is not an
  object is left alone.
* ``fqlDefinedProperties`` ``[{"fql": "lowercase(properties.x)", "propertyName":
  "properties.x"}]``: the FQL expression's value (evaluated on the incoming event) is
  written to the property (TR-03, FQL-02). One entry only, and not together with the
  other changes (TR-05).

Conflicts Segment rejects (TR-05..TR-07) are rejected when loading, with a
:class:`~fql.filters.errors.RuleError` naming the transformation and the field: a second
``fqlDefinedProperties`` entry or one combined with other changes; the same path twice
in ``propertyValueTransformations``; a value path that is also a rename's old or new
name; renames outside ``properties``/``traits``. Two renames of one old name, or onto one
new name, are refused too (they would race).

Scope (TR-08, TR-13): a transformation with ``destinationMetadataId`` is
destination-scoped, else source-scoped. :func:`deliver` runs the source-scoped ones,
then the destination's filters, then its destination-scoped ones, in list order.

The caller's event is never modified; the objects a transformation writes into are
copied, the rest is shared with the input.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import expression
from ..errors import FqlError
from ..limits import DEFAULT_EVENT_DEPTH
from .destination import FilterList, FilterResult
from .errors import (
    INVALID_CONDITION,
    INVALID_PATH,
    TRANSFORMATION_CONFLICT,
    RuleError,
    from_validation_error,
    pointer,
)
from .paths import MISSING, json_copy, require_event

#: Property paths may be at most this many levels deep (TR-10: "up to four levels").
MAX_PATH_DEPTH = 4

#: Where ``propertyRenames`` apply, per event type; every other type uses ``properties``.
TRAIT_EVENT_TYPES = frozenset({"identify", "group"})

#: Objects whose fields ``propertyValueTransformations`` may set (besides top-level fields).
VALUE_ROOTS = frozenset({"context", "properties"})

_SEGMENT = re.compile(r"(?:\\.|[^.\\])*")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class PropertyRename(_Model):
    old_name: str = Field(alias="oldName", min_length=1)
    new_name: str = Field(alias="newName", min_length=1)


class PropertyValueTransformation(_Model):
    property_paths: list[str] = Field(alias="propertyPaths", min_length=1)
    property_value: str = Field(alias="propertyValue")


class FqlDefinedProperty(_Model):
    fql: str
    property_name: str = Field(alias="propertyName", min_length=1)


class Transformation(_Model):
    """A Protocols transformation; loads the Public API's JSON unchanged."""

    condition: str = Field(alias="if")
    name: str = ""
    enabled: bool = True
    id: str | None = None
    workspace_id: str | None = Field(default=None, alias="workspaceId")
    source_id: str | None = Field(default=None, alias="sourceId")
    destination_metadata_id: str | None = Field(default=None, alias="destinationMetadataId")
    new_event_name: str | None = Field(default=None, alias="newEventName")
    property_renames: list[PropertyRename] = Field(
        default_factory=list, alias="propertyRenames"
    )
    property_value_transformations: list[PropertyValueTransformation] = Field(
        default_factory=list, alias="propertyValueTransformations"
    )
    fql_defined_properties: list[FqlDefinedProperty] = Field(
        default_factory=list, alias="fqlDefinedProperties"
    )

    @property
    def destination_scoped(self) -> bool:
        """Whether the transformation applies to one destination only (it names a destination
        metadata id) rather than to the whole source.
        """
        return bool(self.destination_metadata_id)


def split_escaped(path: str) -> tuple[str, ...] | None:
    """Segments of a Protocols path: ``.`` separates, ``\\.`` is a literal dot and
    ``\\\\`` a backslash. None when the path is empty or has an empty segment."""
    segments: list[str] = []
    pos = 0
    while True:
        found = _SEGMENT.match(path, pos)
        assert found is not None  # the pattern matches the empty string
        text = found.group(0)
        if not text:
            return None
        segments.append(re.sub(r"\\(.)", r"\1", text))
        pos = found.end()
        if pos == len(path):
            return tuple(segments)
        if path[pos] != ".":  # a trailing lone backslash
            return None
        pos += 1


# --- compiled transformations ---


@dataclass(frozen=True, slots=True)
class CompiledTransformation:
    """A validated transformation with its FQL compiled and its paths split."""

    index: int
    model: Transformation
    matches: Any  # Callable[[event], bool]
    renames: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    values: tuple[tuple[tuple[str, ...], str], ...]
    computed: tuple[tuple[tuple[str, ...], Any], ...]  # (path, Expression)
    max_event_depth: int

    def apply(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The transformed event, or ``event`` itself when ``if`` does not match."""
        source = require_event(event)
        if not self.model.enabled or not self.matches(source):
            return source
        writer = _Writer(source, self.max_event_depth)
        if self.model.new_event_name is not None and source.get("type") == "track":
            writer.set(("event",), self.model.new_event_name)
        if self.renames:
            root = "traits" if source.get("type") in TRAIT_EVENT_TYPES else "properties"
            moved = [(old, new, _get(source, (root, *old))) for old, new in self.renames]
            for old, _, value in moved:
                if value is not MISSING:
                    writer.delete((root, *old))
            for _, new, value in moved:
                if value is not MISSING:
                    writer.set((root, *new), value)
        for path, value in self.values:
            writer.set(path, value)
        for path, expr in self.computed:
            writer.set(path, expr.evaluate(source))
        return writer.event


def _get(event: Any, segments: Sequence[str]) -> Any:
    for segment in segments:
        if not isinstance(event, dict) or segment not in event:
            return MISSING
        event = event[segment]
    return event


class _Writer:
    """Copy-on-write edits of nested objects: a container is copied (deeply, once) the
    first time something inside it is written, so the caller's event stays as it was."""

    def __init__(self, event: dict[str, Any], max_depth: int) -> None:
        self.event = dict(event)
        self._copied: set[str] = set()
        self._max_depth = max_depth

    def _root(self, name: str, create: bool) -> Any:
        if name not in self._copied:
            current = self.event.get(name, MISSING)
            if current is MISSING:
                if not create:
                    return MISSING
                current = {}
            self.event[name] = json_copy(current, self._max_depth)
            self._copied.add(name)
        return self.event[name]

    def set(self, path: Sequence[str], value: Any) -> None:
        """Write a copy of ``value`` (it may come from the caller's event)."""
        value = json_copy(value, self._max_depth)
        if len(path) == 1:
            self.event[path[0]] = value
            return
        target = self._root(path[0], create=True)
        for segment in path[1:-1]:
            if not isinstance(target, dict):
                return
            target = target.setdefault(segment, {})
        if isinstance(target, dict):
            target[path[-1]] = value

    def delete(self, path: Sequence[str]) -> None:
        target = self._root(path[0], create=False)
        for segment in path[1:-1]:
            target = target.get(segment) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(path[-1], None)


# --- loading and checking ---


def _name(index: int, model_name: str) -> str:
    return f'transformation {index} "{model_name}"' if model_name else f"transformation {index}"


def _path(
    text: str, *, rule: str, field: str, max_depth: int, roots: frozenset[str] | None = None
) -> tuple[str, ...]:
    """Split and check one path; ``roots`` (value paths) allows a top-level field or a
    field under one of those objects, else the path is relative to properties/traits."""
    segments = split_escaped(text)
    if segments is None:
        raise RuleError(f"{text!r} is not a property path", code=INVALID_PATH, rule=rule,
                        field=field)
    if "$" in segments:
        raise RuleError(f"{text!r}: array paths (.$.) are not supported (TR-10)",
                        code=INVALID_PATH, rule=rule, field=field)
    nested = segments if roots is None else segments[1:]
    if roots is not None and nested and segments[0] not in roots:
        allowed = ", ".join(sorted(roots))
        raise RuleError(
            f"{text!r}: values can be set on top-level fields or inside {allowed} (TR-06)",
            code=INVALID_PATH, rule=rule, field=field,
        )
    if len(nested) > max_depth:
        raise RuleError(f"{text!r} is {len(nested)} levels deep; the limit is {max_depth}",
                        code=INVALID_PATH, rule=rule, field=field)
    return segments


def _conflict(message: str, *, rule: str, field: str) -> RuleError:
    return RuleError(message, code=TRANSFORMATION_CONFLICT, rule=rule, field=field)


def compile_transformation(
    raw: Transformation | Mapping[str, Any],
    index: int = 0,
    *,
    max_path_depth: int = MAX_PATH_DEPTH,
    max_event_depth: int = DEFAULT_EVENT_DEPTH,
) -> CompiledTransformation:
    """Validate one transformation, reject Segment's conflicts, compile its FQL."""
    title = raw.get("name", "") if isinstance(raw, Mapping) else raw.name
    rule = _name(index, title if isinstance(title, str) else "")
    try:
        model = raw if isinstance(raw, Transformation) else Transformation.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, rule=rule, base=pointer(index)) from None

    fql_props = model.fql_defined_properties
    if len(fql_props) > 1:
        raise _conflict("only one fqlDefinedProperties entry is allowed (TR-05)", rule=rule,
                        field=pointer(index, "fqlDefinedProperties", 1))
    if fql_props and (model.new_event_name is not None or model.property_renames
                      or model.property_value_transformations):
        raise _conflict("fqlDefinedProperties cannot be combined with newEventName,"
                        " propertyRenames or propertyValueTransformations (TR-05)",
                        rule=rule, field=pointer(index, "fqlDefinedProperties"))

    renames = []
    olds: dict[tuple[str, ...], int] = {}
    news: dict[tuple[str, ...], int] = {}
    for i, rename in enumerate(model.property_renames):
        at = pointer(index, "propertyRenames", i)
        old = _path(rename.old_name, rule=rule, field=at + "/oldName", max_depth=max_path_depth)
        new = _path(rename.new_name, rule=rule, field=at + "/newName", max_depth=max_path_depth)
        for seen, segments, key in ((olds, old, "oldName"), (news, new, "newName")):
            if segments in seen:
                raise _conflict(f"{key} repeats propertyRenames/{seen[segments]}", rule=rule,
                                field=f"{at}/{key}")
            seen[segments] = i
        renames.append((old, new))

    renamed = set(olds) | set(news)
    values = []
    value_paths: dict[tuple[str, ...], str] = {}
    for i, change in enumerate(model.property_value_transformations):
        for j, text in enumerate(change.property_paths):
            at = pointer(index, "propertyValueTransformations", i, "propertyPaths", j)
            segments = _path(text, rule=rule, field=at, max_depth=max_path_depth,
                             roots=VALUE_ROOTS)
            if segments in value_paths:
                raise _conflict(f"{text!r} already gets a value at {value_paths[segments]}"
                                " (TR-07)", rule=rule, field=at)
            value_paths[segments] = at
            if segments in renamed or (segments[0] == "properties" and segments[1:] in renamed):
                raise _conflict(f"{text!r} is also renamed in propertyRenames (TR-07)",
                                rule=rule, field=at)
            values.append((segments, change.property_value))

    computed = []
    for i, prop in enumerate(fql_props):
        at = pointer(index, "fqlDefinedProperties", i)
        segments = _path(prop.property_name, rule=rule, field=at + "/propertyName",
                         max_depth=max_path_depth, roots=VALUE_ROOTS)
        computed.append((segments, _compile(prop.fql, rule=rule, field=at + "/fql")))

    matches = _compile(model.condition, rule=rule, field=pointer(index, "if")).matches
    return CompiledTransformation(index, model, matches, tuple(renames), tuple(values),
                                  tuple(computed), max_event_depth)


def _compile(text: str, *, rule: str, field: str) -> expression.Expression:
    try:
        return expression.compile(text)
    except FqlError as err:
        raise RuleError(f"not valid FQL: {err.message}", code=INVALID_CONDITION, rule=rule,
                        field=field, cause=err) from None


class Transformations:
    """A source's transformations, compiled once; split by scope (TR-08, TR-13)."""

    def __init__(self, compiled: Sequence[CompiledTransformation]) -> None:
        self.all = tuple(compiled)

    @classmethod
    def load(
        cls,
        data: Iterable[Transformation | Mapping[str, Any]] | Mapping[str, Any],
        *,
        max_path_depth: int = MAX_PATH_DEPTH,
        max_event_depth: int = DEFAULT_EVENT_DEPTH,
    ) -> Transformations:
        """Load a list of transformations or the API's ``{"transformations": [...]}``;
        raises :class:`RuleError` for the first invalid one (a transformation cannot fail
        closed: it never decides whether an event is sent)."""
        raws = data.get("transformations") if isinstance(data, Mapping) else data
        if isinstance(raws, (str, bytes)) or not isinstance(raws, Iterable):
            raise RuleError("transformations must be a list", field=pointer("transformations"))
        return cls([
            compile_transformation(raw, i, max_path_depth=max_path_depth,
                                   max_event_depth=max_event_depth)
            for i, raw in enumerate(raws)
        ])

    def source_scoped(self) -> tuple[CompiledTransformation, ...]:
        """Transformations without a ``destinationMetadataId``."""
        return tuple(t for t in self.all if not t.model.destination_scoped)

    def destination_scoped(self, destination_metadata_id: str) -> Sequence[CompiledTransformation]:
        """The transformations scoped to one destination."""
        return tuple(
            t for t in self.all if t.model.destination_metadata_id == destination_metadata_id
        )

    def apply_source(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The source-scoped transformations, in list order."""
        return _run(self.source_scoped(), event)

    def apply_destination(
        self, event: Mapping[str, Any], destination_metadata_id: str
    ) -> dict[str, Any]:
        """One destination's destination-scoped transformations, in list order."""
        return _run(self.destination_scoped(destination_metadata_id), event)


def _run(transformations: Iterable[CompiledTransformation], event: Mapping[str, Any]) -> Any:
    result = require_event(event)
    for transformation in transformations:
        result = transformation.apply(result)
    return result


def deliver(
    event: Mapping[str, Any],
    *,
    filters: FilterList,
    transformations: Transformations | None = None,
    destination_metadata_id: str | None = None,
) -> FilterResult:
    """The event as one destination receives it (TR-13): source-scoped transformations,
    then the destination's filters, then its destination-scoped transformations."""
    if transformations is None:
        return filters.apply(event)
    result = filters.apply(transformations.apply_source(event))
    if result.event is None or destination_metadata_id is None:
        return result
    final = transformations.apply_destination(result.event, destination_metadata_id)
    return dataclasses.replace(result, event=final)


__all__ = [
    "MAX_PATH_DEPTH",
    "CompiledTransformation",
    "FqlDefinedProperty",
    "PropertyRename",
    "PropertyValueTransformation",
    "Transformation",
    "Transformations",
    "compile_transformation",
    "deliver",
    "split_escaped",
]
