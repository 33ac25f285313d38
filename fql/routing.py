"""Routing: from one event to every destination's payloads, in Segment's order of stages.

A :class:`WorkspaceConfig` (pydantic; JSON or YAML through :func:`load_config`) lists
consent categories, Protocols transformations and destinations. :class:`Router` compiles
it once; ``router.route(event)`` returns a :class:`RouteResult` with one
:class:`Delivery` per destination: the payloads to send, or the reason nothing is sent.

Stages, per destination (checklist §1.8, CI-01..CI-19, TR-13, TR-15, DF-16):

1. source-scoped transformations (once for all destinations);
2. consent (``context.consent.categoryPreferences``): reason "Filtered by end user
   consent";
3. the integrations object: "Filtered by integrations object";
4. destination filters: "Filtered at destination filter" / "Sampled out";
5. destination-scoped transformations;
6. classic destinations send the event; Actions destinations send one payload per
   enabled mapping whose trigger matches, in mapping order, or "No matching mapping".

Consent runs before the filters (the docs order only consent before the integrations
object, AM-20): a consent decision never depends on what a filter did, and a user who
has not consented must not be the subject of any further processing. Any rule that
cannot be read, or throws while running, fails closed for its destination only:
"Invalid rule". The caller's event is never modified.

Throughput: every distinct trigger of the workspace (by its canonical condition tree) is
compiled once and evaluated at most once per event, however many mappings share it; a
workspace of 20 destinations × 5 mappings built from a handful of triggers costs a
handful of evaluations, not 100 (``benchmarks/compare_routing.py``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .diagnostics import Diagnostic
from .errors import FqlError
from .filter_errors import RuleError
from .filters import FilterList, FilterReason
from .transformations import Transformations

CONSENT_EVENT = "Segment Consent Preference Updated"  # EC-28: delivered whatever consent says

# Reasons, in Segment's Delivery Overview wording where it has one (LT-12, TG-13).
CONSENT = "Filtered by end user consent"
INTEGRATIONS = "Filtered by integrations object"
DESTINATION_FILTER = "Filtered at destination filter"
SAMPLED_OUT = "Sampled out"
NO_MATCHING_MAPPING = "No matching mapping"
INVALID_RULE = "Invalid rule"
INVALID_EVENT = "Invalid event"
DISABLED = "Destination disabled"


class RoutingError(FqlError, ValueError):
    """An invalid workspace configuration; ``place`` says where (``destinations[1].name``)."""

    code = "RTE100"

    def __init__(self, message: str, *, place: str = "", code: str | None = None) -> None:
        super().__init__(f"{place}: {message}" if place else message, code=code)
        self.place = place


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ConsentCategory(_Model):
    """A consent category of the workspace; a disabled one is not enforced (EC-26)."""

    id: str
    enabled: bool = True


class ActionMapping(_Model):
    """One Actions mapping: a trigger, a mapping, and whether it is enabled (TG-14)."""

    name: str = ""
    trigger: str
    mapping: dict[str, Any]
    enabled: bool = True


class Destination(_Model):
    """A destination: ``name`` is its key in the integrations object (CI-03, exact
    case); ``id`` selects destination-scoped transformations (``destinationMetadataId``).
    Without ``mappings`` it is a classic destination that receives the filtered event."""

    name: str = Field(min_length=1)
    id: str | None = None
    enabled: bool = True
    consent_categories: list[str] = Field(default_factory=list, alias="consentCategories")
    filters: list[dict[str, Any]] = Field(default_factory=list)
    mappings: list[ActionMapping] | None = None


class RoutingLimits(_Model):
    max_mappings_per_destination: int = Field(50, alias="maxMappingsPerDestination")  # MP-09


class WorkspaceConfig(_Model):
    consent_categories: list[ConsentCategory] = Field(default_factory=list,
                                                      alias="consentCategories")
    transformations: list[dict[str, Any]] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)
    limits: RoutingLimits = Field(default_factory=RoutingLimits)  # type: ignore[arg-type]

    @field_validator("destinations")
    @classmethod
    def _unique_names(cls, value: list[Destination]) -> list[Destination]:
        seen: set[str] = set()
        for d in value:
            if d.name in seen:
                raise ValueError(f"two destinations are named {d.name!r}")
            seen.add(d.name)
        return value


def _place(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_config(source: str | Path | Mapping[str, Any]) -> WorkspaceConfig:
    """Load a workspace configuration from a JSON/YAML file path or from data; every
    error names its place in the file (``destinations[2].mappings[0].trigger``)."""
    data: Any = source
    if isinstance(source, (str, Path)):
        path = Path(source)
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        raise RoutingError(first["msg"], place=_place(tuple(first["loc"])),
                           code="RTE101") from None
    limit = config.limits.max_mappings_per_destination
    for i, dest in enumerate(config.destinations):
        if dest.mappings is not None and len(dest.mappings) > limit:
            raise RoutingError(f"{len(dest.mappings)} mappings; the limit is {limit}",
                               place=f"destinations[{i}].mappings", code="RTE102")
    return config


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one destination gets: ``payloads`` (empty when nothing is sent) and, when
    nothing is sent, ``reason`` (one of the module's reason constants) and ``detail``
    (which filter, which rule and its error)."""

    destination: str
    payloads: tuple[dict[str, Any], ...] = ()
    reason: str | None = None
    detail: str | None = None

    @property
    def sent(self) -> bool:
        return bool(self.payloads)


@dataclass(frozen=True, slots=True)
class RouteResult:
    deliveries: tuple[Delivery, ...]
    trigger_evaluations: int = field(default=0, compare=False)

    def __getitem__(self, destination: str) -> Delivery:
        for d in self.deliveries:
            if d.destination == destination:
                return d
        raise KeyError(destination)


@dataclass(frozen=True, slots=True)
class _Action:
    name: str
    trigger: int | None  # index into the router's shared triggers; None if invalid
    mapping: Any  # compiled mapping, or None if invalid
    error: str | None


@dataclass(frozen=True, slots=True)
class _Route:
    config: Destination
    filters: FilterList | None
    actions: tuple[_Action, ...] | None
    error: str | None


class Router:
    """A workspace configuration compiled once; :meth:`route` per event."""

    def __init__(self, config: WorkspaceConfig | Mapping[str, Any], *,
                 share_triggers: bool = True) -> None:
        """Compile ``config``. ``share_triggers=False`` evaluates every mapping's
        trigger on its own (the benchmarks' baseline); answers are the same."""
        import actions

        self.config = config if isinstance(config, WorkspaceConfig) else load_config(config)
        self.enforced = {c.id for c in self.config.consent_categories if c.enabled}
        self.transformations_error: str | None = None
        try:
            self.transformations: Transformations | None = Transformations.load(
                self.config.transformations)
        except RuleError as err:
            self.transformations, self.transformations_error = None, str(err.message)
        keys: dict[str, int] = {}
        self.matchers: list[Any] = []  # each distinct trigger's bound ``matches``
        routes = []
        for dest in self.config.destinations:
            try:
                filters = FilterList.load(dest.filters)
                error = None
            except RuleError as err:
                filters, error = None, err.message
            compiled: list[_Action] | None = None
            if dest.mappings is not None:
                compiled = []
                for m in dest.mappings:
                    if not m.enabled:
                        continue
                    try:
                        trigger = actions.Trigger.parse(m.trigger)
                        key = json.dumps(trigger.conditions, sort_keys=True) \
                            if share_triggers else str(len(self.matchers))
                        if key not in keys:
                            keys[key] = len(self.matchers)
                            self.matchers.append(trigger.matches)
                        mapping = actions.compile_mapping(m.mapping)
                        compiled.append(_Action(m.name, keys[key], mapping, None))
                    except (FqlError, actions.MappingError) as exc:
                        compiled.append(_Action(m.name, None, None, f"{m.name}: {exc}"))
            routes.append(_Route(dest, filters, None if compiled is None else tuple(compiled),
                                 error))
        self.routes = tuple(routes)

    # -- stages ---------------------------------------------------------------

    @staticmethod
    def _preferences(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The event's consent preferences, or None when consent is not enforced: no
        consent object (EC-25) or the reserved consent event (EC-28)."""
        if event.get("type") == "track" and event.get("event") == CONSENT_EVENT:
            return None
        context = event.get("context")
        consent = context.get("consent") if isinstance(context, Mapping) else None
        prefs = consent.get("categoryPreferences") if isinstance(consent, Mapping) else None
        return prefs if isinstance(prefs, Mapping) else None

    def _consented(self, prefs: Mapping[str, Any] | None, dest: Destination) -> bool:
        """Every enforced category of the destination must be true; a category the
        event lacks is false; unknown keys are ignored (EC-26)."""
        if prefs is None:
            return True
        return all(prefs.get(c) is True for c in dest.consent_categories if c in self.enforced)

    @staticmethod
    def _integrations_allow(integrations: Any, name: str) -> bool:
        """CI-01..CI-03, EC-23/24: exact names; true or an options object enables, false
        disables; an absent name falls back to ``All`` (default true)."""
        if not isinstance(integrations, Mapping):
            return True
        value = integrations.get(name)
        if value is None:
            return integrations.get("All", True) is not False
        return value is not False

    def route(self, event: Mapping[str, Any]) -> RouteResult:
        """Every destination's delivery for ``event`` (never modified, never raises on
        a JSON object; a non-object event is an :class:`FqlError`)."""
        if not isinstance(event, Mapping):
            raise RoutingError("an event must be a JSON object", code="RTE300")
        if self.transformations_error is not None:
            return RouteResult(tuple(Delivery(r.config.name, reason=INVALID_RULE,
                                              detail=self.transformations_error)
                                     for r in self.routes))
        try:
            source = self.transformations.apply_source(event) if self.transformations \
                else event
        except FqlError as exc:
            return RouteResult(tuple(Delivery(r.config.name, reason=INVALID_RULE,
                                              detail=str(exc.message)) for r in self.routes))
        prefs = self._preferences(source)
        integrations = source.get("integrations")
        cache: dict[int, list[Any]] = {}  # id(event as a destination sees it) -> results
        deliveries = []
        for route in self.routes:
            name = route.config.name
            if not route.config.enabled:
                deliveries.append(Delivery(name, reason=DISABLED))
            elif not self._consented(prefs, route.config):
                deliveries.append(Delivery(name, reason=CONSENT))
            elif not self._integrations_allow(integrations, name):
                deliveries.append(Delivery(name, reason=INTEGRATIONS))
            else:
                try:
                    deliveries.append(self._deliver(route, source, cache))
                except FqlError as exc:  # an event the rules cannot read (too deep...)
                    deliveries.append(Delivery(name, reason=INVALID_EVENT,
                                               detail=f"{exc.code} {exc.message}"))
        evaluations = sum(len(r) - r.count(None) for r in cache.values())
        return RouteResult(tuple(deliveries), trigger_evaluations=evaluations)

    def _deliver(self, route: _Route, event: Mapping[str, Any],
                 cache: dict[int, list[Any]]) -> Delivery:
        """Filters, destination-scoped transformations, then delivery."""
        dest = route.config
        name = dest.name
        if route.filters is None:
            return Delivery(name, reason=INVALID_RULE, detail=route.error)
        payload: Mapping[str, Any] = event
        if dest.filters:
            result = route.filters.apply(event)
            if result.dropped:
                if result.reason is FilterReason.SAMPLED_OUT:
                    return Delivery(name, reason=SAMPLED_OUT, detail=result.filter_title)
                if result.reason is FilterReason.INVALID_RULE:
                    return Delivery(name, reason=INVALID_RULE, detail=str(result.error))
                return Delivery(name, reason=DESTINATION_FILTER, detail=result.filter_title)
            payload = result.event  # type: ignore[assignment]
        if self.transformations is not None and dest.id is not None:
            try:
                payload = self.transformations.apply_destination(payload, dest.id)
            except FqlError as exc:
                return Delivery(name, reason=INVALID_RULE, detail=str(exc.message))
        if route.actions is None:
            return Delivery(name, payloads=(copy.deepcopy(dict(payload)),))
        return self._actions(route, payload, cache)

    def _actions(self, route: _Route, event: Mapping[str, Any],
                 cache: dict[int, list[Any]]) -> Delivery:
        """Triggers and mappings. A trigger's answer is shared by every mapping that
        uses it, for as long as destinations see the same event object (filters or
        destination transformations that change the event start a fresh cache)."""
        import actions

        results = cache.get(id(event))
        if results is None:
            results = cache[id(event)] = [None] * len(self.matchers)
        matchers = self.matchers
        payloads = []
        for action in route.actions or ():
            index = action.trigger
            if index is None:
                return Delivery(route.config.name, reason=INVALID_RULE, detail=action.error)
            matched = results[index]
            if matched is None:
                try:
                    matched = results[index] = matchers[index](event)
                except FqlError as exc:
                    matched = results[index] = f"{action.name}: {exc.message}"
            if matched is True:
                try:
                    payloads.append(action.mapping.apply(event))
                except actions.MappingError as exc:
                    return Delivery(route.config.name, reason=INVALID_RULE,
                                    detail=f"{action.name}: {exc}")
            elif matched is not False:
                return Delivery(route.config.name, reason=INVALID_RULE, detail=matched)
        if not payloads:
            return Delivery(route.config.name, reason=NO_MATCHING_MAPPING)
        return Delivery(route.config.name, payloads=tuple(payloads))


def check_config(data: Any) -> list[Diagnostic]:
    """Lint a workspace configuration: RTE1xx for an invalid file, then every rule's
    findings (triggers, mappings, filter conditions) at its JSON-pointer path."""
    import actions

    from . import check as fql_check

    try:
        config = load_config(data)
    except RoutingError as err:
        return [Diagnostic(err.code, err.message, path="/" + err.place.replace(".", "/")
                           .replace("[", "/").replace("]", ""))]
    found: list[Diagnostic] = []
    for i, dest in enumerate(config.destinations):
        for j, f in enumerate(dest.filters):
            condition = f.get("if")
            if isinstance(condition, str) and condition.strip() != "all":
                found.extend(Diagnostic(d.code, d.message, d.severity, d.line, d.column,
                                        d.end_line, d.end_column,
                                        path=f"/destinations/{i}/filters/{j}/if",
                                        hint=d.hint, extra={"in_string": True})
                             for d in fql_check(condition))
        for j, m in enumerate(dest.mappings or ()):
            base = f"/destinations/{i}/mappings/{j}"
            found.extend(Diagnostic(d.code, d.message, d.severity, d.line, d.column,
                                    d.end_line, d.end_column, path=f"{base}/trigger",
                                    hint=d.hint, extra={"in_string": True})
                         for d in actions.check_trigger(m.trigger))
            found.extend(Diagnostic(d.code, d.message, d.severity, path=f"{base}/mapping"
                                    + (d.path or ""), hint=d.hint)
                         for d in actions.check_mapping(m.mapping))
    return found
