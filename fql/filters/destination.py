"""Destination Filters as Segment's Public API defines them, loaded and applied.

A filter (``DestinationFilterV1``) is ``{"if": <FQL or "all">, "actions": [...],
"enabled", "title", "description"}`` plus the API's bookkeeping fields (``id``,
``sourceId``, ``destinationId``, ``createdAt``, ``updatedAt``). Its actions are

* ``DROP``: the event is not sent (DF-02);
* ``SAMPLE`` with ``percent`` (a fraction in [0, 1], as the Public API documents it;
  the text ``"5%"`` is accepted too) and an optional ``path`` for consistent sampling
  (:mod:`fql.filters.sampling`, AM-02);
* ``DROP_PROPERTIES`` / ``ALLOW_PROPERTIES`` with ``fields``: a dot path to an object
  (``properties``, ``context``, ``traits``, ``""`` for the top level, or deeper such as
  ``properties.products``) mapped to key names. On an array every element is filtered
  (DF-03, DF-04, DF-09, EC-12; :mod:`fql.filters.paths`).

The older type names ``drop_event``, ``sample_event``, ``whitelist_fields`` and
``blocklist_fields`` load as ``DROP``, ``SAMPLE``, ``ALLOW_PROPERTIES`` and
``DROP_PROPERTIES`` (DF-06, AM-01); dumping (``model_dump(by_alias=True)``) writes the
Public API names. "Only send" filters are drops with the condition inverted
(:meth:`DestinationFilter.only_send`, DF-07); several of them that conflict send nothing
(EC-21), which falls out of the drop semantics.

Order (DF-15, AM-03): by default actions run by type, ``SAMPLE``, then ``DROP``, then
``DROP_PROPERTIES``, then ``ALLOW_PROPERTIES`` (the newer, more specific docs), filters
in workspace (list) order within a type; ``FilterOrder.WORKSPACE`` runs filters one at a
time in list order (the older docs). A filter's ``if`` is evaluated once per event, when
its first action comes up, against the event as the filters before it left it.

Fail closed (FQL-22, EC-10): :meth:`FilterList.load` with ``strict=True`` raises a
:class:`~fql.filters.errors.RuleError` naming the filter and the field; by default a
filter that cannot be read or compiled is kept as "invalid" and every event is dropped
with reason ``invalid_rule`` and the error, as Segment does. An ``if`` that fails while
evaluating does the same. Problems with the *event* raise ``RuleEventError``.

Every ``apply`` returns a small frozen :class:`FilterResult`: the new event (the
caller's event is never modified; unchanged parts are shared) or ``None``, with the
reason and the filter that decided, so a pipeline can report "filtered at destination".
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .. import expression
from ..errors import FqlError, FqlEventError
from ..limits import DEFAULT_FILTER_LIMITS, FilterLimits
from .errors import (
    INVALID_CONDITION,
    INVALID_PERCENT,
    RULE_SHAPE,
    TOO_MANY_FILTERS,
    RuleError,
    RuleEventError,
    from_validation_error,
    invalid,
    pointer,
)
from .paths import require_event, split_path
from .tsub import DropStep, FilterKeysStep, SampleStep, Step


class ActionType(str, enum.Enum):
    """The Public API's filter action types."""

    DROP = "DROP"
    SAMPLE = "SAMPLE"
    DROP_PROPERTIES = "DROP_PROPERTIES"
    ALLOW_PROPERTIES = "ALLOW_PROPERTIES"


#: The older names of the four types (DF-06), as the docs' table lists them.
LEGACY_ACTION_TYPES: Mapping[str, ActionType] = {
    "drop_event": ActionType.DROP,
    "sample_event": ActionType.SAMPLE,
    "whitelist_fields": ActionType.ALLOW_PROPERTIES,
    "blocklist_fields": ActionType.DROP_PROPERTIES,
}

_PERCENT_TEXT = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*")


class FilterOrder(str, enum.Enum):
    """How a destination's filters are sequenced (DF-15, AM-03)."""

    #: Sample, Drop ("Only Sends" are Drops), Drop Properties, Allow Properties.
    ACTION_TYPE = "action_type"
    #: One filter at a time, in the order they appear in the workspace (the list).
    WORKSPACE = "workspace"


#: The type order of ``FilterOrder.ACTION_TYPE``.
ACTION_TYPE_ORDER: tuple[ActionType, ...] = (
    ActionType.SAMPLE,
    ActionType.DROP,
    ActionType.DROP_PROPERTIES,
    ActionType.ALLOW_PROPERTIES,
)




# --- the Public API models ---


class FilterAction(BaseModel):
    """One action of a filter (``DestinationFilterActionV1``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ActionType
    percent: float | None = None
    path: str | None = None
    fields: dict[str, list[str]] | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _legacy_type(cls, value: Any) -> Any:
        return LEGACY_ACTION_TYPES.get(value, value) if isinstance(value, str) else value

    @field_validator("percent", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        """A fraction in [0, 1]; ``"5%"`` means 0.05. A bare number above 1 is refused
        rather than guessed (``5`` could mean 5% or 500%)."""
        if isinstance(value, bool):
            raise invalid(INVALID_PERCENT, "percent must be a number, not a boolean")
        if isinstance(value, str):
            found = _PERCENT_TEXT.fullmatch(value)
            if not found:
                raise invalid(INVALID_PERCENT, "percent text must look like '5%'")
            value = float(found.group(1)) / 100
        if isinstance(value, (int, float)) and not 0 <= value <= 1:
            raise invalid(
                INVALID_PERCENT,
                "percent is a fraction between 0 and 1 (0.05 is 5%); write '5%' for a"
                " percentage",
            )
        return value

    @model_validator(mode="after")
    def _parameters(self) -> FilterAction:
        if self.type is ActionType.SAMPLE and self.percent is None:
            raise invalid(INVALID_PERCENT, "a SAMPLE action needs percent")
        if self.type in (ActionType.DROP_PROPERTIES, ActionType.ALLOW_PROPERTIES) and (
            self.fields is None
        ):
            raise invalid(RULE_SHAPE, f"a {self.type.value} action needs fields")
        return self

    def compile(self, limits: FilterLimits = DEFAULT_FILTER_LIMITS) -> Step:
        """The device-mode step this action is (Segment compiles filters to tsub)."""
        if self.type is ActionType.DROP:
            return DropStep()
        if self.type is ActionType.SAMPLE:
            assert self.percent is not None
            path = split_path(self.path) if self.path else None
            return SampleStep(self.percent, path, limits.max_event_depth)
        assert self.fields is not None
        rules = tuple((parent, tuple(names)) for parent, names in self.fields.items())
        return FilterKeysStep(rules, allow=self.type is ActionType.ALLOW_PROPERTIES)


class DestinationFilter(BaseModel):
    """A destination filter (``DestinationFilterV1``); loads the API's JSON unchanged."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    condition: str = Field(alias="if")
    actions: list[FilterAction] = Field(min_length=1)
    enabled: bool = True
    title: str = ""
    description: str | None = None
    id: str | None = None
    source_id: str | None = Field(default=None, alias="sourceId")
    destination_id: str | None = Field(default=None, alias="destinationId")
    created_at: str | None = Field(default=None, alias="createdAt")
    updated_at: str | None = Field(default=None, alias="updatedAt")

    @classmethod
    def only_send(cls, condition: str, *, title: str = "", **fields: Any) -> DestinationFilter:
        """The UI's "Only send events that match": a ``DROP`` of ``!(condition)``."""
        return cls.model_validate(
            {"if": f"!({condition})", "actions": [{"type": "DROP"}], "title": title, **fields}
        )


# --- results ---


class FilterReason(str, enum.Enum):
    """Why a filter list changed or stopped an event."""

    DROPPED = "dropped"
    SAMPLED_OUT = "sampled_out"
    FIELDS_REMOVED = "fields_removed"
    #: Fail closed: a filter could not be read, compiled or evaluated.
    INVALID_RULE = "invalid_rule"


@dataclass(frozen=True, slots=True)
class AppliedAction:
    """One action that changed or stopped the event."""

    filter_index: int
    filter_title: str
    action: ActionType
    removed_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FilterResult:
    """What a destination's filters did to one event.

    ``event`` is the event to send (``None`` when it is not sent); ``reason`` says why it
    was dropped, or ``fields_removed``, or ``None`` when nothing happened;
    ``filter_index``/``filter_title`` name the filter that decided (for removals, the
    first that removed something); ``removed_fields`` lists every removed path;
    ``applied`` every acting filter in order; ``error`` the rule error when failing
    closed.
    """

    event: dict[str, Any] | None
    reason: FilterReason | None = None
    filter_index: int | None = None
    filter_title: str | None = None
    removed_fields: tuple[str, ...] = ()
    applied: tuple[AppliedAction, ...] = ()
    error: RuleError | None = None

    @property
    def dropped(self) -> bool:
        """True when the event is not sent ("filtered at destination")."""
        return self.event is None


# --- compiled filters ---


@dataclass(frozen=True, slots=True)
class _Compiled:
    index: int
    title: str
    enabled: bool
    matches: Any  # Callable[[event], bool]; None for invalid filters
    error: RuleError | None


@dataclass(frozen=True, slots=True)
class _Planned:
    filter: _Compiled
    action: ActionType
    step: Step


def _filter_name(index: int, title: str) -> str:
    return f'filter {index} "{title}"' if title else f"filter {index}"


def _compile_filter(index: int, raw: Any) -> tuple[DestinationFilter, _Compiled]:
    """Validate and compile one filter; raises :class:`RuleError` naming it."""
    title = raw.get("title", "") if isinstance(raw, Mapping) else ""
    name = _filter_name(index, title if isinstance(title, str) else "")
    try:
        model = raw if isinstance(raw, DestinationFilter) else DestinationFilter.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, rule=name, base=pointer(index)) from None
    text = model.condition
    try:
        matches = expression.compile(text).matches
    except FqlError as err:
        raise RuleError(
            f"the if condition is not valid FQL: {err.message}",
            code=INVALID_CONDITION,
            rule=name,
            field=pointer(index, "if"),
            cause=err,
        ) from None
    return model, _Compiled(index, model.title, model.enabled, matches, None)


class FilterList:
    """The filters of one destination, compiled once and applied to many events.

    Build it with :meth:`load`. It is immutable; with a sampling ``rng`` given it is as
    thread-safe as that generator.
    """

    def __init__(
        self,
        filters: Sequence[DestinationFilter],
        plan: Sequence[_Planned],
        invalid: Sequence[_Compiled],
        *,
        order: FilterOrder,
        rng: random.Random | None,
    ) -> None:
        self.filters = tuple(filters)
        self.order = order
        self._plan = tuple(plan)
        self._invalid = tuple(invalid)
        self._rng = rng

    @property
    def errors(self) -> tuple[RuleError, ...]:
        """The errors of filters that failed to load (lenient mode), enabled or not."""
        return tuple(f.error for f in self._invalid if f.error is not None)

    @classmethod
    def load(
        cls,
        data: Iterable[Any] | Mapping[str, Any],
        *,
        strict: bool = False,
        order: FilterOrder = FilterOrder.ACTION_TYPE,
        limits: FilterLimits = DEFAULT_FILTER_LIMITS,
        rng: random.Random | None = None,
    ) -> FilterList:
        """Load a destination's filters: a list of filter objects, or the Public API's
        list response ``{"filters": [...]}``. ``strict`` raises the first invalid filter;
        otherwise invalid filters fail closed when applied (an invalid *disabled* filter
        is only recorded in :attr:`errors`)."""
        raws = data.get("filters") if isinstance(data, Mapping) else data
        if isinstance(raws, (str, bytes)) or not isinstance(raws, Iterable):
            raise RuleError("filters must be a list of filter objects", field=pointer("filters"))
        raws = list(raws)
        if len(raws) > limits.max_filters_per_destination:
            raise RuleError(
                f"{len(raws)} filters for one destination; the limit is "
                f"{limits.max_filters_per_destination}",
                code=TOO_MANY_FILTERS,
            )
        models: list[DestinationFilter] = []
        plan: list[_Planned] = []
        invalid_filters: list[_Compiled] = []
        for index, raw in enumerate(raws):
            try:
                model, compiled = _compile_filter(index, raw)
            except RuleError as err:
                if strict:
                    raise
                enabled = not (isinstance(raw, Mapping) and raw.get("enabled") is False)
                title = raw.get("title") if isinstance(raw, Mapping) else None
                title = title if isinstance(title, str) else ""
                invalid_filters.append(_Compiled(index, title, enabled, None, err))
                continue
            models.append(model)
            if model.enabled:
                plan.extend(_Planned(compiled, a.type, a.compile(limits)) for a in model.actions)
        if order is FilterOrder.ACTION_TYPE:
            plan.sort(key=lambda p: ACTION_TYPE_ORDER.index(p.action))  # stable
        return cls(models, plan, invalid_filters, order=order, rng=rng)

    def apply(self, event: Mapping[str, Any]) -> FilterResult:
        """Run the filters on ``event``; never modifies it."""
        payload = require_event(event)
        for bad in self._invalid:
            if bad.enabled:
                return _fail_closed(bad.index, bad.title, bad.error)
        verdicts: dict[int, bool] = {}
        applied: list[AppliedAction] = []
        for planned in self._plan:
            info = planned.filter
            verdict = verdicts.get(info.index)
            if verdict is None:
                try:
                    verdict = verdicts[info.index] = bool(info.matches(payload))
                except RuleEventError:
                    raise
                except FqlEventError as err:  # the documented class, naming FQL's code
                    raise RuleEventError(f"{err.code} {err.message}") from err
                except Exception as err:  # fail closed on any evaluation failure (EC-10)
                    error = RuleError(
                        f"the if condition failed while evaluating: {err}",
                        code=INVALID_CONDITION,
                        rule=_filter_name(info.index, info.title),
                        field=pointer(info.index, "if"),
                        cause=err,
                    )
                    return _fail_closed(info.index, info.title, error)
            if not verdict:
                continue
            removed: set[str] = set()
            result = planned.step.apply(payload, removed, self._rng)
            if result is None:
                reason = (
                    FilterReason.SAMPLED_OUT
                    if planned.action is ActionType.SAMPLE
                    else FilterReason.DROPPED
                )
                applied.append(AppliedAction(info.index, info.title, planned.action))
                return FilterResult(
                    None, reason, info.index, info.title, _removed(applied), tuple(applied)
                )
            if removed:
                applied.append(
                    AppliedAction(info.index, info.title, planned.action, tuple(sorted(removed)))
                )
            payload = result
        if not applied:
            return FilterResult(payload)
        first = applied[0]
        return FilterResult(
            payload,
            FilterReason.FIELDS_REMOVED,
            first.filter_index,
            first.filter_title,
            _removed(applied),
            tuple(applied),
        )


def _removed(applied: Sequence[AppliedAction]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(path for a in applied for path in a.removed_fields))


def _fail_closed(index: int, title: str, error: RuleError | None) -> FilterResult:
    return FilterResult(None, FilterReason.INVALID_RULE, index, title, error=error)


def apply_filters(event: Mapping[str, Any], filters: FilterList | Iterable[Any]) -> FilterResult:
    """One-off convenience: load ``filters`` (leniently) and apply them to ``event``.
    Services should :meth:`FilterList.load` once and reuse it."""
    filter_list = filters if isinstance(filters, FilterList) else FilterList.load(filters)
    return filter_list.apply(event)


__all__ = [
    "ACTION_TYPE_ORDER",
    "DEFAULT_FILTER_LIMITS",
    "LEGACY_ACTION_TYPES",
    "ActionType",
    "AppliedAction",
    "DestinationFilter",
    "FilterAction",
    "FilterLimits",
    "FilterList",
    "FilterOrder",
    "FilterReason",
    "FilterResult",
    "apply_filters",
]
