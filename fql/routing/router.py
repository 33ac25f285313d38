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

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import actions
from actions.mapping import MappingInputError

from ..datafile import YamlError, load_data
from ..diagnostics import Diagnostic
from ..errors import FqlError, FqlEventError
from ..filters.destination import FilterList, FilterReason, FilterResult
from ..filters.errors import RuleError
from ..filters.paths import json_copy
from ..filters.transformations import CompiledTransformation, compile_transformation
from ..jsontext import loads_event
from ..limits import DEFAULT_EVENT_DEPTH, MAX_MAPPINGS_PER_DESTINATION
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
    # pydantic's stubs infer the factory's type from the field, not from the class given
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
    kind = "YAML" if path.suffix.lower() in (".yaml", ".yml") else "JSON"
    try:
        return load_data(text, path.suffix)
    except YamlError as err:
        raise RoutingError([Problem("", "RTE100", f"not {kind}: {err.message}")]) from None
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
    problems: list[Problem] = []
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
    if strict:
        return Router.load(source).config
    config, problems = _shape_problems(_read(source))
    if problems:
        raise RoutingError(problems)
    assert config is not None
    return config


class Delivery:
    """What one destination gets: ``payloads`` (empty when nothing is sent) and, when
    nothing is sent, ``reason`` (one of :data:`REASONS`) and ``detail`` (which filter,
    which rule and its error).

    Immutable. A classic destination's payload is the routed event itself; destinations
    that receive the same event share one private snapshot of it, and each delivery
    copies the snapshot the first time its ``payloads`` are read (the kernel's JSON
    copy). So a caller may change one destination's payload without any other delivery,
    or the caller's own event, seeing it, and a destination whose payload is never read
    costs no copy. :meth:`payload_views` gives the payloads without that copy, for
    serialising."""

    __slots__ = ("_payloads", "_shared", "destination", "detail", "reason")

    destination: str
    reason: str | None
    detail: str | None
    #: The payloads once copied (or as given); empty while ``_shared`` holds the snapshot.
    _payloads: tuple[dict[str, Any], ...]
    #: The shared snapshot until the first read of :attr:`payloads` copies it, else None.
    _shared: dict[str, Any] | None

    def __init__(self, destination: str, payloads: tuple[dict[str, Any], ...] = (),
                 reason: str | None = None, detail: str | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "destination", destination)
        set_(self, "_payloads", tuple(payloads))
        set_(self, "reason", reason)
        set_(self, "detail", detail)
        set_(self, "_shared", None)

    @classmethod
    def _sharing(cls, destination: str, snapshot: dict[str, Any]) -> Delivery:
        """A delivery of ``snapshot`` (a private copy of the event, never handed out)."""
        delivery = cls(destination)
        object.__setattr__(delivery, "_shared", snapshot)
        return delivery

    @property
    def payloads(self) -> tuple[dict[str, Any], ...]:
        """The payloads sent to the destination. A delivery that shares the router's snapshot
        makes its own copy on first read (and keeps it), so the caller may change what it
        gets without touching another destination's payload.
        """
        shared = self._shared
        if shared is not None:  # first read: this delivery's own copy, kept
            object.__setattr__(self, "_payloads", (json_copy(shared, _COPY_DEPTH),))
            object.__setattr__(self, "_shared", None)
        return self._payloads

    def payload_views(self) -> tuple[Mapping[str, Any], ...]:
        """The payloads without copying them: read them (serialise them), never change
        them, since a classic destination's view is shared with other destinations."""
        shared = self._shared
        return self._payloads if shared is None else (shared,)

    @property
    def sent(self) -> bool:
        """Whether anything is delivered (a shared snapshot or at least one payload), read
        without copying the payloads.
        """
        return self._shared is not None or bool(self._payloads)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Delivery is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Delivery):
            return NotImplemented
        return (self.destination, self.reason, self.detail, self.payload_views()) == (
            other.destination, other.reason, other.detail, other.payload_views())

    def __hash__(self) -> int:
        return hash((self.destination, self.reason, self.detail))

    def __repr__(self) -> str:
        return (f"Delivery(destination={self.destination!r}, "
                f"payloads={self.payload_views()!r}, reason={self.reason!r}, "
                f"detail={self.detail!r})")


#: Depth of a classic destination's snapshot (the filters' event depth).
_COPY_DEPTH = DEFAULT_EVENT_DEPTH


class RouteResult(Mapping[str, Delivery]):
    """Every destination's :class:`Delivery`: a read-only mapping from destination name
    to delivery, in configuration order (``result["Amplitude"]``, ``in``, iteration,
    ``len``). ``trigger_evaluations`` counts the triggers actually run for this event.

    Lazy: ``route`` computes only the destinations the router's index says can receive
    the event; every other destination's answer (disabled, consent, integrations
    object, invalid rule, "No matching mapping") is one of its shared immutable
    deliveries, picked when it is looked up; a destination with filters whose triggers
    cannot match runs its filters when it is looked up, to say whether they dropped the
    event (so read a result before changing the event it was routed from).
    :meth:`sending` lists the deliveries with payloads without looking at the others."""

    __slots__ = ("_all", "_computed", "_failed", "_integrations", "_router", "_source",
                 "_uniform", "_verdicts", "trigger_evaluations")

    def __init__(self, router: Router, computed: dict[int, Delivery], *,
                 failed: frozenset[str] | None = None, integrations: Any = None,
                 uniform: tuple[str, str | None] | None = None,
                 source: Mapping[str, Any] | None = None,
                 verdicts: dict[int, FilterResult] | None = None,
                 trigger_evaluations: int = 0) -> None:
        self._router = router
        self._source = source
        self._verdicts = verdicts if verdicts is not None else {}
        self._computed = computed
        self._failed = failed
        self._integrations = integrations
        self._uniform = uniform
        self._all: tuple[Delivery, ...] | None = None
        self.trigger_evaluations = trigger_evaluations

    def _at(self, index: int) -> Delivery:
        found = self._computed.get(index)
        if found is not None:
            return found
        route = self._router.routes[index]
        if self._uniform is not None:
            found = self._computed[index] = Delivery(route.config.name,
                                                     reason=self._uniform[0],
                                                     detail=self._uniform[1])
            return found
        settled = route.settled(self._failed, self._integrations)
        if settled is not None:
            return settled
        if route.config.filters and self._source is not None:
            # Its triggers cannot match this event; its filters still decide whether
            # the reason is theirs: run them now, once.
            found = self._computed[index] = self._router._lazy_filter(route, self._source,
                                                                       self._verdicts)
            return found
        return route.no_match

    def __getitem__(self, destination: str) -> Delivery:
        return self._at(self._router.positions[destination])

    def __iter__(self) -> Iterator[str]:
        return iter(self._router.positions)

    def __len__(self) -> int:
        return len(self._router.routes)

    def __contains__(self, destination: object) -> bool:
        return destination in self._router.positions

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        """Every delivery, in configuration order."""
        if self._all is None:
            self._all = tuple(self._at(i) for i in range(len(self._router.routes)))
        return self._all

    def explicit(self) -> list[Delivery]:
        """Every delivery except the destinations' shared "No matching mapping" ones, in
        configuration order: what a summary needs to count, the rest being "No matching
        mapping" for each Actions destination. Reads only the destinations ``route``
        computed, those answered without rules (disabled, invalid), those whose filters
        decide their answer, those under a category the event does not consent to and
        those its integrations object names (every destination when it says
        ``"All": false``)."""
        router = self._router
        routes = router.routes
        integrations = self._integrations
        if self._uniform is not None or (
                integrations is not None and integrations.get("All", True) is False):
            indices: Iterable[int] = range(len(routes))
        else:
            found = {*self._computed, *router._static, *router._lazy_filtered}
            for category in self._failed or ():
                found.update(router._by_category.get(category, ()))
            if integrations is not None:  # only the destinations it names can be off
                positions = router.positions
                found.update(positions[name] for name in integrations if name in positions)
            indices = sorted(found)
        out = []
        for i in indices:
            delivery = self._at(i)
            if delivery is not routes[i].no_match:
                out.append(delivery)
        return out

    def sending(self) -> list[Delivery]:
        """The deliveries that send something, in configuration order; this reads only
        the destinations ``route`` computed."""
        return [d for _, d in sorted(self._computed.items()) if d.sent]

    def __repr__(self) -> str:
        return f"RouteResult({list(self.deliveries)!r})"


@dataclass(frozen=True, slots=True)
class _Action:
    name: str
    trigger: int  # id in the router's TriggerSet
    mapping: Any  # compiled mapping


@dataclass(frozen=True, slots=True)
class _Route:
    """One destination compiled, with every answer that does not depend on the event
    made once (the shared immutable deliveries)."""

    config: Destination
    filters: FilterList | None
    transformations: tuple[CompiledTransformation, ...]  # destination-scoped
    actions: tuple[_Action, ...] | None  # None: a classic destination
    error: str | None  # the first rule that cannot be read: fail closed
    categories: frozenset[str]  # its enforced consent categories
    disabled: Delivery
    no_consent: Delivery
    no_integration: Delivery
    invalid: Delivery
    no_match: Delivery

    @property
    def visit_always(self) -> bool:
        """Whether the index cannot answer for this destination: a classic one (it
        sends), or one with destination-scoped transformations (they may change the
        fields its triggers are indexed on). Filters only remove fields or drop the
        event, which can make no indexed equality true, so a destination with filters
        is visited only when one of its triggers may match."""
        return self.actions is None or bool(self.transformations)

    def settled(self, failed: frozenset[str] | None, integrations: Any) -> Delivery | None:
        """The answer that needs no rule run (stages before the filters), or None."""
        if not self.config.enabled:
            return self.disabled
        if failed and self.categories and not failed.isdisjoint(self.categories):
            return self.no_consent
        if integrations is not None and not _integrations_allow(integrations,
                                                                 self.config.name):
            return self.no_integration
        if self.error is not None:
            return self.invalid
        return None


def _integrations_allow(integrations: Mapping[str, Any], name: str) -> bool:
    """CI-01..CI-03, CI-06, EC-23/24: exact names; true or an options object enables,
    false disables; an absent name falls back to ``All`` (default true)."""
    value = integrations.get(name)
    if value is None:
        return integrations.get("All", True) is not False
    return value is not False


class Router:
    """A workspace configuration compiled once; :meth:`route` per event.

    ``problems`` lists every rule that cannot be read (at its place); the destinations
    they belong to fail closed with "Invalid rule" (all of them for a source-scoped
    transformation), the others route normally.

    Per event the work follows the matches, not the destinations: an index from each
    trigger (itself indexed on ``type``/``event`` equalities, :mod:`.triggers`) to the
    Actions destinations that use it gives the only destinations that can send; those
    with filters, destination-scoped transformations, a trigger the index cannot rule
    out, or no mappings (classic) are always visited. Consent and the integrations
    object are read once per event, and every destination not visited gets one of its
    shared deliveries when the (lazy) :class:`RouteResult` is read."""

    def __init__(self, config: WorkspaceConfig | Mapping[str, Any], *,
                 share_triggers: bool = True) -> None:
        """Compile ``config`` (data is loaded with ``strict=False``).
        ``share_triggers=False`` evaluates every mapping's trigger on its own and visits
        every destination (the benchmarks' baseline); the answers are the same."""
        self.config = config if isinstance(config, WorkspaceConfig) \
            else load_config(config, strict=False)
        self.enforced = {c.id for c in self.config.consent_categories if c.enabled}
        self.triggers = TriggerSet(share=share_triggers)
        self._problems: list[Problem] = []
        self._trigger_ids: dict[str, int] = {}  # trigger text -> id: each text parsed once
        self._mappings: dict[str, Any] = {}  # mapping JSON -> compiled mapping
        self._filter_lists: dict[str, FilterList] = {}  # filters JSON -> compiled
        #: ids of the filter lists whose result for an event every destination shares
        self._shared_filters: set[int] = set()
        self.source: list[CompiledTransformation] = []
        self.source_error: str | None = None
        with _collector_paused():
            scoped = self._compile_transformations()
            self.routes = tuple(self._compile_route(i, dest, scoped)
                                for i, dest in enumerate(self.config.destinations))
        self.problems = tuple(self._problems)
        self.positions = {r.config.name: i for i, r in enumerate(self.routes)}
        #: The enforced categories some destination needs: the only ones read per event.
        self._categories = tuple(sorted(set().union(*(r.categories for r in self.routes))))
        by_trigger: dict[int, list[int]] = {}
        always: list[int] = []
        unindexed = self.triggers.unindexed
        for i, route in enumerate(self.routes):
            if not route.config.enabled or route.error is not None:
                continue  # answered without running a rule
            if not share_triggers or route.visit_always or any(
                    a.trigger in unindexed for a in route.actions or ()):
                always.append(i)
                continue
            for action in route.actions or ():
                users = by_trigger.setdefault(action.trigger, [])
                if not users or users[-1] != i:
                    users.append(i)
        self._always = tuple(always)
        #: Destinations answered without a rule (disabled, or a rule that cannot be read).
        self._static = tuple(i for i, r in enumerate(self.routes)
                             if not r.config.enabled or r.error is not None)
        visited = set(always)
        by_category: dict[str, list[int]] = {}
        for i, r in enumerate(self.routes):
            for category in r.categories:
                by_category.setdefault(category, []).append(i)
        #: Destinations under each enforced consent category.
        self._by_category = {c: tuple(users) for c, users in by_category.items()}
        #: Destinations not always visited whose filters decide their answer.
        self._lazy_filtered = tuple(
            i for i, r in enumerate(self.routes)
            if r.config.enabled and r.error is None and i not in visited and r.config.filters)
        self._by_trigger = {t: tuple(users) for t, users in by_trigger.items()}

    @classmethod
    def load(cls, source: str | Path | Mapping[str, Any]) -> Router:
        """``Router(load_config(source))`` with one compilation: the strict check and
        the router are the same build. Raises :class:`RoutingError` like
        :func:`load_config`."""
        with _collector_paused():
            config, problems = _shape_problems(_read(source))
        if config is None:
            raise RoutingError(problems)
        router = cls(config)
        problems.extend(router.problems)
        if problems:
            raise RoutingError(problems)
        return router

    def _filter_list(self, filters: list[dict[str, Any]]) -> FilterList:
        """The compiled filters; identical filter lists are compiled once and, when they
        do not sample at random, run once per event for all their destinations."""
        try:
            key = json.dumps(filters, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError, RecursionError):  # not JSON: load reports it
            return FilterList.load(filters, strict=True)
        compiled = self._filter_lists.get(key)
        if compiled is None:
            compiled = self._filter_lists[key] = FilterList.load(filters, strict=True)
            if not any(isinstance(a, Mapping) and a.get("type") == "SAMPLE"
                       for f in filters if isinstance(f, Mapping)
                       for a in f.get("actions") or () if isinstance(f.get("actions"), list)):
                self._shared_filters.add(id(compiled))
        return compiled

    def _mapping(self, source: dict[str, Any]) -> Any:
        """The compiled mapping; identical mapping JSON is compiled once per workspace
        (a compiled mapping holds no per-call state, so destinations can share it)."""
        try:
            key = json.dumps(source, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError, RecursionError):  # not JSON: compile reports it
            return actions.compile_mapping(source)
        compiled = self._mappings.get(key)
        if compiled is None:
            compiled = self._mappings[key] = actions.compile_mapping(source)
        return compiled

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
            filters: FilterList | None = self._filter_list(dest.filters)
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
                    trigger = self._trigger_ids.get(m.trigger) if self.triggers.share \
                        else None
                    if trigger is None:
                        trigger = self._trigger_ids[m.trigger] = \
                            self.triggers.add(actions.Trigger.parse(m.trigger))
                except FqlError as err:
                    errors.append(self._problem(f"{place}.trigger", err.code, err.message))
                    continue
                try:
                    compiled.append(_Action(m.name or f"mappings[{j}]", trigger,
                                            self._mapping(m.mapping)))
                except actions.MappingError as err:
                    errors.append(self._problem(f"{place}.mapping", err.code, str(err)))
        name = dest.name
        error = errors[0] if errors else None
        return _Route(dest, filters,
                      tuple(t for t in transformations if not isinstance(t, str)),
                      None if compiled is None else tuple(compiled), error,
                      frozenset(c for c in dest.consent_categories if c in self.enforced),
                      Delivery(name, reason=DISABLED), Delivery(name, reason=CONSENT),
                      Delivery(name, reason=INTEGRATIONS),
                      Delivery(name, reason=INVALID_RULE, detail=error),
                      Delivery(name, reason=NO_MATCHING_MAPPING))

    # -- stages ---------------------------------------------------------------

    @staticmethod
    def _preferences(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The event's consent preferences, or None when consent is not enforced: no
        consent object or no ``categoryPreferences`` in it (CI-10, EC-25, AM-19), or the
        reserved consent event (CI-19, EC-28). Preferences that are not an object
        enforce with every category false: a malformed consent never opens the gate."""
        context = event.get("context")
        if type(context) is not dict and not isinstance(context, Mapping):
            return None
        consent = context.get("consent")
        if type(consent) is not dict and not isinstance(consent, Mapping):
            return None
        prefs = consent.get("categoryPreferences")
        if prefs is None:
            return None
        if event.get("type") == "track" and event.get("event") == CONSENT_EVENT:
            return None
        return prefs if type(prefs) is dict or isinstance(prefs, Mapping) else {}

    def _failed_categories(self, event: Mapping[str, Any]) -> frozenset[str] | None:
        """The enforced categories the event does not consent to (CI-11, EC-26: only
        ``true`` consents; CI-13: a category the event lacks is false), or None when
        consent is not enforced for this event."""
        if not self._categories:
            return None  # no destination needs a consent decision
        prefs = self._preferences(event)
        if prefs is None:
            return None
        return frozenset([c for c in self._categories if prefs.get(c) is not True])

    def _everywhere(self, reason: str, detail: str | None) -> RouteResult:
        return RouteResult(self, {}, uniform=(reason, detail))

    def route(self, event: Any) -> RouteResult:
        """Every destination's delivery for ``event``. The event is never modified and
        no value raises: a non-object is an "Invalid event" for every destination."""
        if type(event) is not dict and not isinstance(event, Mapping):
            return self._everywhere(INVALID_EVENT,
                                    f"an event is a JSON object, not {type(event).__name__}")
        try:
            # One private JSON copy, checked as it is made: a non-JSON value, a key that
            # is not a string, nesting deeper than DEFAULT_EVENT_DEPTH or a cycle is an
            # invalid event for every destination (no rule could read it as JSON), and
            # no stage can reach the caller's objects.
            event = json_copy(dict(event), DEFAULT_EVENT_DEPTH)
        except FqlEventError as exc:
            return self._everywhere(INVALID_EVENT, f"{exc.code} {exc.message}")
        except Exception as exc:  # a Mapping (or dict subclass) whose own methods fail
            return self._everywhere(INVALID_EVENT, f"the event cannot be read: "
                                                   f"{type(exc).__name__}: {exc}")
        if self.source_error is not None:
            return self._everywhere(INVALID_RULE, self.source_error)
        try:
            source: Mapping[str, Any] = _run(self.source, event)
        except FqlError as exc:
            return self._everywhere(INVALID_EVENT, f"{exc.code} {exc.message}")
        failed = self._failed_categories(source)
        integrations = source.get("integrations")
        if integrations is not None and type(integrations) is not dict and \
                not isinstance(integrations, Mapping):
            integrations = None
        # id(event as a destination sees it) -> the triggers' answers; the Answers
        # object holds the event, so its id is not reused while cached.
        source_answers = self.triggers.answers(source)
        answers: dict[int, Answers] = {id(source): source_answers}
        snapshots: dict[int, Any] = {}  # id(payload) -> its private copy (classic)
        verdicts: dict[int, FilterResult] = {}  # id(shared filter list) -> its result
        visit = set(self._always)
        by_trigger = self._by_trigger
        for trigger in source_answers.candidates:
            users = by_trigger.get(trigger)
            if users is not None:
                visit.update(users)
        computed: dict[int, Delivery] = {}
        routes = self.routes
        for i in visit:
            route = routes[i]
            if route.settled(failed, integrations) is not None:
                continue  # the lazy result gives the same shared delivery
            try:
                computed[i] = self._deliver(route, source, answers, snapshots, verdicts)
            except FqlError as exc:  # an event the rules cannot read (too deep...)
                computed[i] = Delivery(route.config.name, reason=INVALID_EVENT,
                                       detail=f"{exc.code} {exc.message}")
            except Exception as exc:  # route never raises: this destination fails closed
                computed[i] = Delivery(route.config.name, reason=INVALID_RULE,
                                       detail=f"internal error: {type(exc).__name__}: {exc}")
        return RouteResult(self, computed, failed=failed, integrations=integrations,
                           source=source, verdicts=verdicts,
                           trigger_evaluations=sum(a.evaluations for a in answers.values()))

    def _filter(self, route: _Route, event: Mapping[str, Any],
                verdicts: dict[int, FilterResult]) -> tuple[Delivery | None, Any]:
        """The destination's filters: ``(delivery, None)`` when they drop the event,
        ``(None, event to send)`` otherwise. A shared filter list runs once per event."""
        assert route.filters is not None
        key = id(route.filters)
        result = verdicts.get(key)
        if result is None:
            result = route.filters.apply(event)
            if key in self._shared_filters:
                verdicts[key] = result
        if not result.dropped:
            return None, result.event
        name = route.config.name
        which = f"filters[{result.filter_index}]" + (
            f" {result.filter_title!r}" if result.filter_title else "")
        if result.reason is FilterReason.SAMPLED_OUT:
            return Delivery(name, reason=SAMPLED_OUT, detail=which), None
        if result.reason is FilterReason.INVALID_RULE:
            return Delivery(name, reason=INVALID_RULE, detail=f"{which}: {result.error}"), None
        return Delivery(name, reason=DESTINATION_FILTER, detail=which), None

    def _lazy_filter(self, route: _Route, source: Mapping[str, Any],
                     verdicts: dict[int, FilterResult]) -> Delivery:
        """A destination not visited by :meth:`route` (no trigger of it may match) that
        has filters: their reason if they drop the event, else "No matching mapping"
        (filters only remove fields, which can make no indexed equality true)."""
        try:
            dropped, _ = self._filter(route, source, verdicts)
            return route.no_match if dropped is None else dropped
        except FqlError as exc:
            return Delivery(route.config.name, reason=INVALID_EVENT,
                            detail=f"{exc.code} {exc.message}")

    def route_json(self, data: str | bytes) -> RouteResult:
        """:meth:`route` for one event given as JSON text or UTF-8 bytes (a Kafka message,
        an HTTP body), read exactly (:mod:`fql.jsontext`: big integers stay integers).
        Text that is not a JSON object raises :class:`fql.jsontext.FqlJsonError` (code
        FQL602/FQL603/FQL604, with the reason); a JSON object never raises."""
        return self.route(loads_event(data))

    def _deliver(self, route: _Route, event: Mapping[str, Any],
                 answers: dict[int, Answers], snapshots: dict[int, Any],
                 verdicts: dict[int, FilterResult]) -> Delivery:
        """Filters, destination-scoped transformations, then delivery."""
        name = route.config.name
        payload: Mapping[str, Any] = event
        if route.config.filters:
            dropped, payload = self._filter(route, event, verdicts)
            if dropped is not None:
                return dropped
        if route.transformations:
            payload = _run(route.transformations, payload)
        if route.actions is None:
            # One private snapshot per distinct payload object, shared by every classic
            # destination that sends it; each delivery copies it when read.
            snapshot = snapshots.get(id(payload))
            if snapshot is None:
                snapshot = snapshots[id(payload)] = (
                    json_copy(payload, _COPY_DEPTH), payload)  # keeps the id alive
            return Delivery._sharing(name, snapshot[0])
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
                except MappingInputError as exc:
                    return Delivery(name, reason=INVALID_EVENT, detail=f"{action.name}: {exc}")
                except actions.MappingError as exc:
                    return Delivery(name, reason=INVALID_RULE, detail=f"{action.name}: {exc}")
            elif matched is not False:
                return Delivery(name, reason=INVALID_RULE, detail=f"{action.name}: {matched}")
        if not payloads:
            return route.no_match
        return Delivery(name, payloads=tuple(payloads))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Compiling a workspace allocates many long-lived objects and no cycles worth
    collecting: the cyclic collector's passes over them were half the build time at
    1000 destinations. It is paused for the build and restored after (it is
    process-wide, so other threads' collections wait for the build too)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


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
