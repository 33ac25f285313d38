"""Routing: from one event to every destination's payloads, in Segment's order of stages.

A :class:`WorkspaceConfig` (pydantic; JSON or YAML through :func:`load_config`) lists
consent categories, Protocols transformations and destinations. :class:`Router` compiles
it once; ``router.route(event)`` returns a :class:`RouteResult` with one
:class:`Delivery` per destination: the payloads to send, or the reason nothing is sent.

Stages, per destination (checklist §1.8 PO-01..PO-10, CI-01..CI-19, TR-13, TR-15):

1. source-scoped transformations (once for all destinations);
2. consent (``context.consent.categoryPreferences``): reason "Filtered by end user
   consent";
3. the integrations object: "Filtered by integrations object";
4. destination filters: "Filtered at destination filter" / "Sampled out";
5. destination-scoped transformations;
6. classic destinations send the event; Actions destinations send one payload per
   enabled mapping whose trigger matches, in mapping order, or "No matching mapping".

Consent runs before the filters (the docs order only consent before the integrations
object, PO-08/PO-10/AM-20): a consent decision never depends on what a filter did, and
an event a user did not consent to is not processed further. A rule that cannot be read,
or throws while running, fails closed for the destinations it belongs to: "Invalid
rule". The caller's event is never modified, and no JSON value makes ``route`` raise.

Throughput: the workspace's triggers are evaluated together (:mod:`fql.routing.triggers`):
identical triggers once, and triggers ruled out by one read of ``event``/``type`` not at
all (``benchmarks/compare_routing.py``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import actions

from ..diagnostics import Diagnostic
from ..errors import FqlError
from ..filters.destination import FilterList, FilterReason
from ..filters.errors import RuleError
from ..filters.transformations import CompiledTransformation, compile_transformation
from ..limits import MAX_MAPPINGS_PER_DESTINATION
from .triggers import Answers, TriggerSet

CONSENT_EVENT = "Segment Consent Preference Updated"  # CI-19, EC-28: consent not enforced

# Reasons, in Segment's Delivery Overview wording where it has one (CI-17, LT-12, TG-13).
CONSENT = "Filtered by end user consent"
INTEGRATIONS = "Filtered by integrations object"
DESTINATION_FILTER = "Filtered at destination filter"
SAMPLED_OUT = "Sampled out"
NO_MATCHING_MAPPING = "No matching mapping"
INVALID_RULE = "Invalid rule"
INVALID_EVENT = "Invalid event"
DISABLED = "Destination disabled"

REASONS = (CONSENT, INTEGRATIONS, DESTINATION_FILTER, SAMPLED_OUT, NO_MATCHING_MAPPING,
           INVALID_RULE, INVALID_EVENT, DISABLED)


@dataclass(frozen=True, slots=True)
class Problem:
    """One configuration error: where (``destinations[2].mappings[0].trigger``), its
    code (RTE1xx for the file's shape, the rule's own code otherwise) and message."""

    place: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.code} {self.message}" if self.place else \
            f"{self.code} {self.message}"


class RoutingError(FqlError, ValueError):
    """An invalid workspace configuration. ``problems`` lists every error found;
    ``place`` is the first one's place."""

    code = "RTE100"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)), code=problems[0].code)
        self.problems = tuple(problems)
        self.place = problems[0].place


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ConsentCategory(_Model):
    """A consent category of the workspace; a disabled one is not enforced (CI-15)."""

    id: str = Field(min_length=1)
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
    """Limits of a workspace configuration (every limit is listed in :mod:`fql.limits`)."""

    max_mappings_per_destination: int = Field(
        MAX_MAPPINGS_PER_DESTINATION, ge=1, alias="maxMappingsPerDestination")


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


def _pointer(place: str) -> str:
    """``destinations[1].name`` → ``/destinations/1/name`` (for the linter)."""
    return "/" + place.replace(".", "/").replace("[", "/").replace("]", "") if place else ""


def _read(source: str | Path | Mapping[str, Any]) -> Any:
    if not isinstance(source, (str, Path)):
        return source
    path = Path(source)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise RoutingError([Problem("", "RTE100", f"not YAML: {err}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise RoutingError([Problem("", "RTE100", f"not JSON: {err}")]) from None


def _shape_problems(data: Any) -> tuple[WorkspaceConfig | None, list[Problem]]:
    """The configuration, or every shape error (RTE101), undeclared consent category
    (RTE103) and mapping limit (RTE102) at its place."""
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as err:
        return None, [Problem(_place(tuple(e["loc"])), "RTE101", e["msg"])
                      for e in err.errors()]
    problems = []
    declared = {c.id for c in config.consent_categories}
    limit = config.limits.max_mappings_per_destination
    for i, dest in enumerate(config.destinations):
        problems.extend(
            Problem(f"destinations[{i}].consentCategories[{j}]", "RTE103",
                    f"consent category {c!r} is not declared in consentCategories")
            for j, c in enumerate(dest.consent_categories) if c not in declared)
        if dest.mappings is not None and len(dest.mappings) > limit:
            problems.append(Problem(f"destinations[{i}].mappings", "RTE102",
                                    f"{len(dest.mappings)} mappings; the limit is {limit}"))
    return config, problems


def load_config(source: str | Path | Mapping[str, Any], *, strict: bool = True
                ) -> WorkspaceConfig:
    """Load a workspace configuration from a JSON/YAML file path or from data.

    Raises :class:`RoutingError` listing every error at its place in the file
    (``destinations[2].mappings[0].trigger: FQL104 ...``). ``strict`` (the default) also
    compiles every rule, so a deploy rejects a trigger, mapping, filter or
    transformation that cannot be read; with ``strict=False`` such rules are accepted
    and fail closed when routing, as Segment does with a stored rule it cannot run."""
    config, problems = _shape_problems(_read(source))
    if config is not None and strict:
        problems.extend(Router(config).problems)
    if problems:
        raise RoutingError(problems)
    assert config is not None
    return config


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one destination gets: ``payloads`` (empty when nothing is sent) and, when
    nothing is sent, ``reason`` (one of :data:`REASONS`) and ``detail`` (which filter,
    which rule and its error)."""

    destination: str
    payloads: tuple[dict[str, Any], ...] = ()
    reason: str | None = None
    detail: str | None = None

    @property
    def sent(self) -> bool:
        return bool(self.payloads)


@dataclass(frozen=True, slots=True)
class RouteResult:
    """Every destination's :class:`Delivery`, in configuration order.
    ``trigger_evaluations`` counts the triggers actually run for this event."""

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
    trigger: int  # id in the router's TriggerSet
    mapping: Any  # compiled mapping


@dataclass(frozen=True, slots=True)
class _Route:
    config: Destination
    filters: FilterList | None
    transformations: tuple[CompiledTransformation, ...]  # destination-scoped
    actions: tuple[_Action, ...] | None  # None: a classic destination
    error: str | None  # the first rule that cannot be read: fail closed


class Router:
    """A workspace configuration compiled once; :meth:`route` per event.

    ``problems`` lists every rule that cannot be read (at its place); the destinations
    they belong to fail closed with "Invalid rule" (all of them for a source-scoped
    transformation), the others route normally."""

    def __init__(self, config: WorkspaceConfig | Mapping[str, Any], *,
                 share_triggers: bool = True) -> None:
        """Compile ``config`` (data is loaded with ``strict=False``).
        ``share_triggers=False`` evaluates every mapping's trigger on its own (the
        benchmarks' baseline); the answers are the same."""
        self.config = config if isinstance(config, WorkspaceConfig) \
            else load_config(config, strict=False)
        self.enforced = {c.id for c in self.config.consent_categories if c.enabled}
        self.triggers = TriggerSet(share=share_triggers)
        self._problems: list[Problem] = []
        self.source: list[CompiledTransformation] = []
        self.source_error: str | None = None
        scoped = self._compile_transformations()
        self.routes = tuple(self._compile_route(i, dest, scoped)
                            for i, dest in enumerate(self.config.destinations))
        self.problems = tuple(self._problems)

    def _problem(self, place: str, code: str, message: str) -> str:
        self._problems.append(Problem(place, code, message))
        return f"{place}: {code} {message}"

    def _compile_transformations(self) -> dict[str, list[CompiledTransformation | str]]:
        """Source-scoped transformations into ``self.source``; destination-scoped ones
        by ``destinationMetadataId`` (an error message in place of one that cannot be
        read, so only its destination fails closed)."""
        scoped: dict[str, list[CompiledTransformation | str]] = {}
        for i, raw in enumerate(self.config.transformations):
            target = raw.get("destinationMetadataId")
            try:
                compiled: CompiledTransformation | str = compile_transformation(raw, i)
            except RuleError as err:
                compiled = self._problem(f"transformations[{i}]", err.code, err.message)
            if isinstance(target, str) and target:
                scoped.setdefault(target, []).append(compiled)
            elif isinstance(compiled, str):
                self.source_error = self.source_error or compiled
            else:
                self.source.append(compiled)
        return scoped

    def _compile_route(self, i: int, dest: Destination,
                       scoped: dict[str, list[CompiledTransformation | str]]) -> _Route:
        errors: list[str] = []
        try:
            filters: FilterList | None = FilterList.load(dest.filters, strict=True)
        except RuleError as err:
            filters = None
            errors.append(self._problem(f"destinations[{i}].filters", err.code, err.message))
        transformations = scoped.get(dest.id, []) if dest.id is not None else []
        errors.extend(t for t in transformations if isinstance(t, str))
        compiled: list[_Action] | None = None
        if dest.mappings is not None:
            compiled = []
            for j, m in enumerate(dest.mappings):
                if not m.enabled:
                    continue
                place = f"destinations[{i}].mappings[{j}]"
                try:
                    trigger = self.triggers.add(actions.Trigger.parse(m.trigger))
                except FqlError as err:
                    errors.append(self._problem(f"{place}.trigger", err.code, err.message))
                    continue
                try:
                    compiled.append(_Action(m.name or f"mappings[{j}]", trigger,
                                            actions.compile_mapping(m.mapping)))
                except actions.MappingError as err:
                    errors.append(self._problem(f"{place}.mapping", err.code, str(err)))
        return _Route(dest, filters,
                      tuple(t for t in transformations if not isinstance(t, str)),
                      None if compiled is None else tuple(compiled),
                      errors[0] if errors else None)

    # -- stages ---------------------------------------------------------------

    @staticmethod
    def _preferences(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The event's consent preferences, or None when consent is not enforced: no
        consent object or no ``categoryPreferences`` in it (CI-10, EC-25, AM-19), or the
        reserved consent event (CI-19, EC-28). Preferences that are not an object
        enforce with every category false: a malformed consent never opens the gate."""
        if event.get("type") == "track" and event.get("event") == CONSENT_EVENT:
            return None
        context = event.get("context")
        consent = context.get("consent") if isinstance(context, Mapping) else None
        if not isinstance(consent, Mapping) or consent.get("categoryPreferences") is None:
            return None
        prefs = consent["categoryPreferences"]
        return prefs if isinstance(prefs, Mapping) else {}

    def _consented(self, prefs: Mapping[str, Any] | None, dest: Destination) -> bool:
        """Every enforced category of the destination must be ``true`` (CI-11, EC-26);
        a category the event lacks is false (CI-13); unknown keys are never read."""
        if prefs is None:
            return True
        return all(prefs.get(c) is True for c in dest.consent_categories if c in self.enforced)

    @staticmethod
    def _integrations_allow(integrations: Any, name: str) -> bool:
        """CI-01..CI-03, CI-06, EC-23/24: exact names; true or an options object enables,
        false disables; an absent name falls back to ``All`` (default true)."""
        if not isinstance(integrations, Mapping):
            return True
        value = integrations.get(name)
        if value is None:
            return integrations.get("All", True) is not False
        return value is not False

    def _everywhere(self, reason: str, detail: str | None) -> RouteResult:
        return RouteResult(tuple(Delivery(r.config.name, reason=reason, detail=detail)
                                 for r in self.routes))

    def route(self, event: Any) -> RouteResult:
        """Every destination's delivery for ``event``. The event is never modified and
        no value raises: a non-object is an "Invalid event" for every destination."""
        if not isinstance(event, Mapping):
            return self._everywhere(INVALID_EVENT,
                                    f"an event is a JSON object, not {type(event).__name__}")
        if self.source_error is not None:
            return self._everywhere(INVALID_RULE, self.source_error)
        try:
            source: Mapping[str, Any] = _run(self.source, event)
        except FqlError as exc:
            return self._everywhere(INVALID_EVENT, f"{exc.code} {exc.message}")
        prefs = self._preferences(source)
        integrations = source.get("integrations")
        answers: dict[int, Answers] = {}  # id(event as a destination sees it) -> answers
        deliveries = []
        for route in self.routes:
            name = route.config.name
            if not route.config.enabled:
                deliveries.append(Delivery(name, reason=DISABLED))
            elif not self._consented(prefs, route.config):
                deliveries.append(Delivery(name, reason=CONSENT))
            elif not self._integrations_allow(integrations, name):
                deliveries.append(Delivery(name, reason=INTEGRATIONS))
            elif route.error is not None:
                deliveries.append(Delivery(name, reason=INVALID_RULE, detail=route.error))
            else:
                try:
                    deliveries.append(self._deliver(route, source, answers))
                except FqlError as exc:  # an event the rules cannot read (too deep...)
                    deliveries.append(Delivery(name, reason=INVALID_EVENT,
                                               detail=f"{exc.code} {exc.message}"))
        return RouteResult(tuple(deliveries),
                           trigger_evaluations=sum(a.evaluations for a in answers.values()))

    def _deliver(self, route: _Route, event: Mapping[str, Any],
                 answers: dict[int, Answers]) -> Delivery:
        """Filters, destination-scoped transformations, then delivery."""
        name = route.config.name
        payload: Mapping[str, Any] = event
        if route.config.filters:
            assert route.filters is not None
            result = route.filters.apply(event)
            if result.dropped:
                which = f"filters[{result.filter_index}]" + (
                    f" {result.filter_title!r}" if result.filter_title else "")
                if result.reason is FilterReason.SAMPLED_OUT:
                    return Delivery(name, reason=SAMPLED_OUT, detail=which)
                if result.reason is FilterReason.INVALID_RULE:
                    return Delivery(name, reason=INVALID_RULE, detail=f"{which}: {result.error}")
                return Delivery(name, reason=DESTINATION_FILTER, detail=which)
            payload = result.event  # type: ignore[assignment]
        if route.transformations:
            payload = _run(route.transformations, payload)
        if route.actions is None:
            return Delivery(name, payloads=(copy.deepcopy(dict(payload)),))
        # Destinations that see the same event object share the triggers' answers; the
        # Answers object holds the event, so its id is not reused while cached.
        seen = answers.get(id(payload))
        if seen is None:
            seen = answers[id(payload)] = self.triggers.answers(payload)
        return self._actions(route, payload, seen)

    @staticmethod
    def _actions(route: _Route, event: Mapping[str, Any], answers: Answers) -> Delivery:
        """Every enabled mapping whose trigger matches, in mapping order (TG-12, TG-15)."""
        name = route.config.name
        payloads = []
        for action in route.actions or ():
            matched = answers.get(action.trigger)
            if matched is True:
                try:
                    payloads.append(action.mapping.apply(event))
                except actions.MappingError as exc:
                    return Delivery(name, reason=INVALID_RULE, detail=f"{action.name}: {exc}")
            elif matched is not False:
                return Delivery(name, reason=INVALID_RULE, detail=f"{action.name}: {matched}")
        if not payloads:
            return Delivery(name, reason=NO_MATCHING_MAPPING)
        return Delivery(name, payloads=tuple(payloads))


def _run(transformations: list[CompiledTransformation] | tuple[CompiledTransformation, ...],
         event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Transformations in list order; each copies what it writes (never the input)."""
    for transformation in transformations:
        event = transformation.apply(event)
    return event


def shape_diagnostics(data: Any) -> tuple[WorkspaceConfig | None, list[Diagnostic]]:
    """The configuration ``data`` describes (None if it has shape errors) and every shape
    error (RTE101..103) at its JSON-pointer path; ``fql lint`` adds each rule's findings
    (:func:`fql.lint.sources.check_config`)."""
    config, problems = _shape_problems(data)
    return config, [Diagnostic(p.code, p.message, path=_pointer(p.place)) for p in problems]


__all__ = [
    "CONSENT",
    "CONSENT_EVENT",
    "DESTINATION_FILTER",
    "DISABLED",
    "INTEGRATIONS",
    "INVALID_EVENT",
    "INVALID_RULE",
    "NO_MATCHING_MAPPING",
    "REASONS",
    "SAMPLED_OUT",
    "ActionMapping",
    "ConsentCategory",
    "Delivery",
    "Destination",
    "Problem",
    "RouteResult",
    "Router",
    "RoutingError",
    "RoutingLimits",
    "WorkspaceConfig",
    "load_config",
    "shape_diagnostics",
]
