"""Segment's device-mode rule format ("tsub"): matchers, transformers, rules per destination.

Analytics.js receives destination filters compiled into *routing rules*::

    {"destinationName": "Amplitude", "scope": "destinations",
     "target_type": "workspace::project::destination::config",
     "matchers": [{"type": "fql", "ir": "[\\"=\\", \\"event\\", {\\"value\\": \\"Test\\"}]"}],
     "transformers": [[{"type": "drop"}]]}

``matchers[i]`` guards the transformer list ``transformers[i]``; rules without a
``destinationName`` apply to every destination. This module reads that format:

* :func:`matches` ``(event, matcher) -> bool``: ``all`` is true; ``fql`` evaluates the IR
  with this package's FQL (``fql.from_ir(ir).matches(event)``), i.e. the documented
  semantics, not tsub's JavaScript quirks (those are the FQL core's ``tsub_match`` cases);
  an empty IR is false; any other type is a :class:`RuleError` (``FLT101``).
* :func:`transform` ``(event, transformers) -> dict | None``: ``drop`` (returns ``None`` at
  once), ``drop_properties`` / ``allow_properties`` (see :mod:`fql.filters.paths`),
  ``sample_event`` (:mod:`fql.filters.sampling`), ``map_properties`` (``set``/``copy``/``move``/
  ``to_string``, every read from a snapshot taken before the first change, as tsub does)
  and ``hash_properties`` (accepted and ignored, as tsub does).
* :class:`RuleSet`: the rules of a source, grouped per destination, applied in order.

The caller's event is never modified: drops and property filters are copy-on-write, and
``map_properties`` works on a deep copy (the event before it is the snapshot). The
result may share unchanged sub-objects with the input.

Two readings (``mode``). The default, ``"fql"``, differs from tsub-js 2.0.1 on purpose
(``docs/semantics/filters.md`` lists each case): sampling with a path uses the
MD5-derived uniform real tsub *describes* rather than its hex-text arithmetic (quirk
41); an ``fql`` matcher follows the FQL documentation; rules are validated when they
are compiled, so a malformed transformer after a ``drop`` is an error even though tsub
would never reach it. ``mode="tsub"`` answers what the browser answers: matchers through
:mod:`fql.tsub_ir`, the device-mode sampler, invalid transformers reported when reached.
The ``fql lint`` rule FLT130 reports matchers whose two readings differ, with an example
event (:func:`reading_difference`).

The rule JSON carries a field tsub never reads, a matcher's ``config`` (``{"expr": ...}``,
the FQL text the IR was compiled from); it is accepted and ignored, as tsub ignores it.
Fields Segment's rule JSON does not carry are still errors (FLT100).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from .. import expression
from ..errors import FqlError
from ..js import array_index as js_array_index
from ..js import js_json
from ..limits import DEFAULT_EVENT_DEPTH, DEFAULT_FILTER_LIMITS
from .errors import (
    ARRAY_GROWTH,
    INVALID_CONDITION,
    NULL_PARENT,
    UNKNOWN_TYPE,
    RuleError,
    RuleEventError,
    from_validation_error,
    pointer,
)
from .paths import (
    MISSING,
    array_index,
    check_json,
    child,
    filter_keys,
    get,
    js_truthy,
    json_copy,
    require_event,
    split_path,
)
from .sampling import keep_consistent, keep_device_mode, keep_random

TRANSFORMER_TYPES = (
    "drop",
    "drop_properties",
    "allow_properties",
    "sample_event",
    "map_properties",
    "hash_properties",
)
MATCHER_TYPES = ("all", "fql")

#: How rules are read: ``fql`` (the documented FQL semantics, the default) or ``tsub``
#: (exactly as Segment's device-mode library evaluates them in the browser).
Mode = Literal["fql", "tsub"]


# --- rule file models (tsub's ``Rule``, ``Matcher``, ``Transformer`` and configs) ---


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SampleSpec(_Model):
    """``sample_event`` config: keep ``percent`` (a fraction; <= 0 drops, >= 1 keeps),
    consistently per value at ``path`` when given, else at random."""

    percent: float
    path: str = ""


class MapAction(_Model):
    """One ``map_properties`` entry. ``copy`` wins over ``move``, ``move`` over ``set``
    (an empty ``copy``/``move`` counts as absent); ``to_string`` applies afterwards."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    set: JsonValue = None
    copy_from: str = Field(default="", alias="copy")
    move: str = ""
    to_string: bool = False

    @property
    def has_set(self) -> bool:
        """tsub tests ``hasOwnProperty('set')``: an explicit ``"set": null`` sets null."""
        return "set" in self.model_fields_set


class DropPropertiesConfig(_Model):
    drop: dict[str, list[str]]


class AllowPropertiesConfig(_Model):
    allow: dict[str, list[str]]


class SampleEventConfig(_Model):
    sample: SampleSpec


class MapPropertiesConfig(_Model):
    map: dict[str, MapAction]


_CONFIG_MODELS: dict[str, type[_Model]] = {
    "drop_properties": DropPropertiesConfig,
    "allow_properties": AllowPropertiesConfig,
    "sample_event": SampleEventConfig,
    "map_properties": MapPropertiesConfig,
}


class _RuleModel(BaseModel):
    """The rule file's own objects: every field Segment's rule JSON carries (as the CDN
    settings' ``routingRules`` hold them) and nothing else, so a misspelt
    ``destinationName`` is an error rather than a rule applied to every destination."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class Transformer(_RuleModel):
    """``{"type": ..., "config": ...}``; the config is checked per type when compiled."""

    type: str
    config: JsonValue = None


class Matcher(_RuleModel):
    """``{"type": "all"}`` or ``{"type": "fql", "ir": "<IR as JSON text>",
    "config": {"expr": "<the FQL text it was compiled from>"}}``. ``config`` is kept
    and never evaluated: the IR decides, exactly as in tsub (which ignores ``config``)."""

    type: str
    ir: JsonValue = ""
    config: dict[str, JsonValue] | None = None


class Rule(_RuleModel):
    """A routing rule: ``matchers[i]`` guards ``transformers[i]``."""

    scope: str = ""
    target_type: str = ""
    matchers: list[Matcher]
    transformers: list[list[Transformer]]
    destination_name: str | None = Field(default=None, alias="destinationName")


# --- compiled transformer steps ---

Removed = set[str] | None


@dataclass(frozen=True, slots=True)
class DropStep:
    """``drop``: the event is not sent."""

    def apply(self, payload: dict[str, Any], removed: Removed, rng: random.Random | None) -> None:
        """Return ``None``: the event is dropped and later steps do not run."""
        return None


@dataclass(frozen=True, slots=True)
class FilterKeysStep:
    """``drop_properties`` / ``allow_properties``: per ``(object path, names)`` rule."""

    rules: tuple[tuple[str, tuple[str, ...]], ...]
    allow: bool

    def apply(
        self, payload: dict[str, Any], removed: Removed, rng: random.Random | None
    ) -> dict[str, Any]:
        """Remove (``drop_properties``) or keep only (``allow_properties``) the named keys of
        each object path, copy-on-write, recording removed paths in ``removed`` when given.
        """
        for parent, names in self.rules:
            payload = filter_keys(payload, parent, names, allow=self.allow, removed=removed)
        return payload


@dataclass(frozen=True, slots=True)
class SampleStep:
    """``sample_event``: keep ``percent`` of events, per value at ``path`` if given."""

    percent: float
    path: tuple[str, ...] | None
    max_event_depth: int = DEFAULT_EVENT_DEPTH
    #: ``mode="tsub"``: decide as the device-mode sampler does (quirk 41)
    device_mode: bool = False

    def keeps(self, payload: dict[str, Any], rng: random.Random | None) -> bool:
        """Whether this event is in the sampled share: at random without a path, otherwise
        decided by the JSON text of the value at ``path`` so the same user is kept or
        dropped consistently.
        """
        if self.path is None:
            return keep_random(self.percent, rng)
        keep = keep_device_mode if self.device_mode else keep_consistent
        value = get(payload, self.path)
        if value is MISSING:
            return keep(None, self.percent, missing=True)
        check_json(value, self.max_event_depth)  # the key is hashed as its JSON text
        return keep(value, self.percent)

    def apply(
        self, payload: dict[str, Any], removed: Removed, rng: random.Random | None
    ) -> dict[str, Any] | None:
        """The payload when :meth:`keeps` says so, else ``None`` (dropped)."""
        return payload if self.keeps(payload, rng) else None


@dataclass(frozen=True, slots=True)
class MapStep:
    """``map_properties``; ``entries`` keep the config's order, as tsub iterates it."""

    entries: tuple[tuple[str, MapAction], ...]
    max_event_depth: int
    max_array_growth: int = DEFAULT_FILTER_LIMITS.max_array_growth

    def apply(
        self, payload: dict[str, Any], removed: Removed, rng: random.Random | None
    ) -> dict[str, Any]:
        """Apply ``map_properties`` to a copy of the payload; every entry reads the payload as
        it was before the step (the snapshot), as tsub does, so entries do not see each
        other's writes.
        """
        snapshot = payload  # never modified: every earlier step was copy-on-write
        working = json_copy(payload, self.max_event_depth)
        for key, action in self.entries:
            _map_one(working, snapshot, key, action, self)
        return working


@dataclass(frozen=True, slots=True)
class InvalidStep:
    """An invalid transformer in a leniently compiled list: it raises its error only
    when reached, as tsub does (a ``drop`` before it returns first)."""

    error: RuleError

    def apply(self, payload: dict[str, Any], removed: Removed, rng: random.Random | None) -> None:
        """Raise the transformer's compile error, now that the event reaches it."""
        raise self.error


Step = DropStep | FilterKeysStep | SampleStep | MapStep | InvalidStep


def _map_one(
    working: dict[str, Any], snapshot: dict[str, Any], key: str, action: MapAction,
    step: MapStep,
) -> None:
    depth, growth = step.max_event_depth, step.max_array_growth
    segments = key.split(".")
    parent = get(snapshot, segments[:-1]) if len(segments) > 1 else working
    if parent is MISSING or not (parent is None or isinstance(parent, (dict, list))):
        return  # tsub: "Can't manipulate non-objects" (typeof parent !== 'object')
    if action.copy_from:
        value = get(snapshot, split_path(action.copy_from))
        if value is not MISSING:
            _dset(working, segments, json_copy(value, depth), key, growth)
    elif action.move:
        value = get(snapshot, split_path(action.move))
        if value is not MISSING:
            _dset(working, segments, json_copy(value, depth), key, growth)
        _unset(working, split_path(action.move))
    elif action.has_set:
        _dset(working, segments, json_copy(action.set, depth), key, growth)
    if action.to_string:
        current = get(working, segments)
        if isinstance(current, (str, dict, list)):
            return  # tsub leaves strings, objects and arrays alone
        text = "undefined" if current is MISSING else js_json(current)
        _dset(working, segments, text, key, growth)


# What ``keys[i] * 0 !== 0`` accepts in dset: a string JS's Number() reads as finite.
_JS_NUMERIC = re.compile(
    r"\s*(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+)?\s*"
)


def _dset(obj: Any, segments: Sequence[str], value: Any, key: str, growth: int) -> None:
    """``dset(obj, key, value)``: walk, reusing object-typed children (``null`` too, which
    then fails) and creating ``{}`` (or ``[]`` before a numeric segment) otherwise."""
    target = obj
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment in ("__proto__", "constructor", "prototype"):
            return
        if target is None:
            raise RuleEventError(
                f"map_properties cannot set {key!r}: its parent is null", code=NULL_PARENT
            )
        if i == last:
            new = value
        else:
            existing = child(target, segment)
            if existing is None or isinstance(existing, (dict, list)):
                new = existing
            else:
                new = [] if _JS_NUMERIC.fullmatch(segments[i + 1]) else {}
        _js_assign(target, segment, new, key, growth)
        target = new


def _js_assign(
    container: dict[str, Any] | list[Any], segment: str, value: Any, key: str, growth: int
) -> None:
    """``container[segment] = value``; a write past an array's end leaves holes (null),
    at most ``growth`` of them (``FilterLimits.max_array_growth``), and a non-index key
    on an array is a JS property that JSON never shows."""
    if isinstance(container, dict):
        container[segment] = value
    elif (index := js_array_index(segment)) >= 0:
        if index - len(container) > growth:
            raise RuleEventError(
                f"map_properties cannot set {key!r}: index {index} is {index - len(container)}"
                f" past the array's end (FilterLimits.max_array_growth is {growth})",
                code=ARRAY_GROWTH,
            )
        container.extend([None] * (index + 1 - len(container)))
        container[index] = value


def _unset(obj: Any, segments: tuple[str, ...]) -> None:
    """tsub's ``unset``: delete the field only if its value is JS-truthy (so moving ``0``,
    ``""``, ``false`` or ``null`` copies). Deleting an array index leaves a hole."""
    if not js_truthy(get(obj, segments)):
        return
    for segment in segments[:-1]:
        obj = child(obj, segment)
    last = segments[-1]
    if isinstance(obj, dict):
        del obj[last]
    else:
        index = array_index(obj, last)
        if index is not None:
            obj[index] = None


# --- compiling ---


@dataclass(frozen=True, slots=True)
class TransformerChain:
    """A compiled transformer list; :meth:`apply` returns the new event or ``None``."""

    steps: tuple[Step, ...]

    def apply(
        self,
        event: Mapping[str, Any],
        *,
        removed: Removed = None,
        rng: random.Random | None = None,
    ) -> dict[str, Any] | None:
        """Run the steps in order on ``event`` and return the new event, or ``None`` when a
        step drops it. The caller's event is never modified: steps copy on write.
        """
        payload = require_event(event)
        for step in self.steps:
            result = step.apply(payload, removed, rng)
            if result is None:
                return None
            payload = result
        return payload


def compile_step(
    transformer: Transformer | Mapping[str, Any],
    *,
    rule: str = "transformer",
    field: str = "",
    max_event_depth: int = DEFAULT_EVENT_DEPTH,
    mode: Mode = "fql",
) -> Step | None:
    """One transformer as a step (``None`` for ``hash_properties``, which is ignored)."""
    try:
        model = Transformer.model_validate(transformer)
    except ValidationError as err:
        raise from_validation_error(err, rule=rule, base=field) from None
    kind = model.type
    if kind not in TRANSFORMER_TYPES:
        raise RuleError(
            f"unknown transformer type {kind!r}; expected one of " + ", ".join(TRANSFORMER_TYPES),
            code=UNKNOWN_TYPE,
            rule=rule,
            field=field + "/type",
        )
    if kind == "drop":
        return DropStep()
    if kind == "hash_properties":
        return None
    if model.config is None:
        raise RuleError(f"{kind} needs a config", rule=rule, field=field + "/config")
    try:
        config = _CONFIG_MODELS[kind].model_validate(model.config)
    except ValidationError as err:
        raise from_validation_error(err, rule=rule, base=field + "/config") from None
    if isinstance(config, (DropPropertiesConfig, AllowPropertiesConfig)):
        allow = isinstance(config, AllowPropertiesConfig)
        rules = config.allow if isinstance(config, AllowPropertiesConfig) else config.drop
        return FilterKeysStep(tuple((k, tuple(v)) for k, v in rules.items()), allow=allow)
    if isinstance(config, SampleEventConfig):
        spec = config.sample
        path = split_path(spec.path) if spec.path else None
        return SampleStep(spec.percent, path, max_event_depth, device_mode=mode == "tsub")
    assert isinstance(config, MapPropertiesConfig)
    return MapStep(tuple(config.map.items()), max_event_depth)


def compile_transformers(
    transformers: TransformerChain | Iterable[Transformer | Mapping[str, Any]],
    *,
    rule: str = "transformers",
    field: str = "",
    strict: bool = True,
    max_event_depth: int = DEFAULT_EVENT_DEPTH,
    mode: Mode = "fql",
) -> TransformerChain:
    """Validate and compile a transformer list once, for :func:`transform` or reuse.

    ``strict`` raises the first invalid transformer's :class:`RuleError` now; otherwise
    it is raised when an event reaches it (tsub's order: an earlier ``drop`` wins).
    ``mode="tsub"`` samples as the device-mode library does (see :class:`SampleStep`).
    """
    if isinstance(transformers, TransformerChain):
        return transformers
    if isinstance(transformers, (str, bytes, Mapping)) or not isinstance(transformers, Iterable):
        raise RuleError("transformers must be a list", rule=rule, field=field or None)
    steps: list[Step] = []
    for i, transformer in enumerate(transformers):
        try:
            step = compile_step(
                transformer, rule=rule, field=f"{field}/{i}", max_event_depth=max_event_depth,
                mode=mode,
            )
        except RuleError as err:
            if strict:
                raise
            step = InvalidStep(err)
        if step is not None:
            steps.append(step)
    return TransformerChain(tuple(steps))


MatcherFn = Callable[[Mapping[str, Any]], bool]


def compile_matcher(
    matcher: Matcher | Mapping[str, Any],
    *,
    rule: str = "matcher",
    field: str = "",
    mode: Mode = "fql",
) -> MatcherFn:
    """A matcher as a function of the event; the IR is compiled here, once.
    ``mode="fql"`` reads the IR as documented FQL; ``mode="tsub"`` as the device-mode
    library does (:mod:`fql.tsub_ir`), where a rule the browser would throw on raises
    ``FQL505`` when an event reaches it."""
    try:
        model = Matcher.model_validate(matcher)
    except ValidationError as err:
        raise from_validation_error(err, rule=rule, base=field) from None
    if model.type == "all":
        return _match_all
    if model.type != "fql":
        raise RuleError(
            f"unknown matcher type {model.type!r}; expected one of " + ", ".join(MATCHER_TYPES),
            code=UNKNOWN_TYPE,
            rule=rule,
            field=field + "/type",
        )
    if not model.ir:
        return _match_none  # tsub: an empty IR matches nothing
    try:
        if isinstance(model.ir, str):
            return _compile_ir(model.ir, mode)
        # data: depth-checked as it is read, never through json.dumps (which recurses)
        return expression.from_ir(model.ir, mode=mode).matches
    except FqlError as err:
        raise RuleError(
            f"invalid FQL IR: {err.message}",
            code=INVALID_CONDITION,
            rule=rule,
            field=field + "/ir",
            cause=err,
        ) from None


@lru_cache(maxsize=1024)
def _compile_ir(text: str, mode: Mode) -> MatcherFn:
    return expression.from_ir(text, mode=mode).matches


def _match_all(event: Mapping[str, Any]) -> bool:
    return True


def _match_none(event: Mapping[str, Any]) -> bool:
    return False


# --- the two readings compared (lint rule FLT130) ---

_PROBES: tuple[Any, ...] = (None, True, False, 0, 1, -1, "", "a", "ア", [], ["a"], {})


def _literals(ir: Any, found: list[Any], depth: int = 0) -> None:
    """The scalar literal values an IR mentions (``{"value": v}``), in order."""
    if depth > 64:
        return
    if isinstance(ir, list):
        for item in ir:
            _literals(item, found, depth + 1)
    elif isinstance(ir, dict) and "value" in ir:
        value = ir["value"]
        if isinstance(value, list):
            _literals(value, found, depth + 1)
        elif not isinstance(value, dict) and value not in found:
            found.append(value)


def _with_value(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``event`` with ``value`` at the dotted ``path`` (``MISSING``: removed)."""
    out = json_copy(event)
    target = out
    keys = path.split(".")
    for key in keys[:-1]:
        child_value = target.get(key)
        if not isinstance(child_value, dict):
            child_value = {}
            target[key] = child_value
        target = child_value
    if value is MISSING:
        target.pop(keys[-1], None)
    else:
        target[keys[-1]] = value
    return out


def _answer(matcher: Callable[[Mapping[str, Any]], bool], event: dict[str, Any]) -> Any:
    try:
        return matcher(event)
    except FqlError as err:
        return f"error {err.code}"


def reading_difference(ir: Any, *, budget: int = 3000) -> tuple[dict[str, Any], Any, Any] | None:
    """An event on which the documented reading (``mode="fql"``) and the device-mode
    reading (``mode="tsub"``) of ``ir`` answer differently, as ``(event, fql answer,
    tsub answer)`` (an answer is ``True``, ``False`` or ``"error CODE"``), or None when
    the search finds none. The search tries, within ``budget`` events, the fields the
    IR reads set to missing, to each literal it mentions (and that literal's text, its
    number, and a one-element list of it), and to a set of probes (``null``, booleans,
    ``0``, ``""``, a non-ASCII string, ``[]``, ``{}``): first one field at a time, then
    pairs. None does not prove the readings agree; IR the documented reading rejects is
    reported by the loader instead."""
    default = expression.from_ir(ir)
    device = expression.from_ir(ir, mode="tsub")
    paths = [p for p in device.paths if p] or ["event"]
    literals: list[Any] = []
    _literals(device.ir, literals)
    values: list[Any] = [MISSING]
    for literal in literals:
        for variant in (literal, js_json(literal) if not isinstance(literal, str) else None,
                        [literal]):
            if variant is not None and variant not in values:
                values.append(variant)
        if isinstance(literal, str) and literal.lstrip("-").isdigit():
            values.append(int(literal))
    values.extend(v for v in _PROBES if v not in values)

    def differs(event: dict[str, Any]) -> tuple[dict[str, Any], Any, Any] | None:
        fql_answer, tsub_answer = _answer(default.matches, event), _answer(device.matches, event)
        return (event, fql_answer, tsub_answer) if fql_answer != tsub_answer else None

    tried = 0
    singles = [(path, value) for path in paths for value in values]
    for path, value in singles:
        found = differs(_with_value({}, path, value))
        tried += 1
        if found or tried >= budget:
            return found
    for i, (path, value) in enumerate(singles):
        base = _with_value({}, path, value)
        for other, other_value in singles[i + 1:]:
            if other == path:
                continue
            found = differs(_with_value(base, other, other_value))
            tried += 1
            if found or tried >= budget:
                return found
    return None


# --- the public functions ---


def matches(
    event: Mapping[str, Any], matcher: Matcher | Mapping[str, Any], *, mode: Mode = "fql"
) -> bool:
    """Whether ``matcher`` (``all`` or ``fql`` with IR) selects ``event``; ``mode`` as
    in :func:`compile_matcher`."""
    return compile_matcher(matcher, mode=mode)(require_event(event))


def transform(
    event: Mapping[str, Any],
    transformers: TransformerChain | Iterable[Transformer | Mapping[str, Any]],
    *,
    rng: random.Random | None = None,
    mode: Mode = "fql",
) -> dict[str, Any] | None:
    """Apply tsub transformers; the new event, or ``None`` when it was dropped or
    sampled out. ``event`` is never modified. Pass a :class:`TransformerChain` (from
    :func:`compile_transformers`) to validate once for many events. ``mode="tsub"``
    samples exactly as the device-mode library does."""
    chain = compile_transformers(transformers, strict=False, mode=mode)
    return chain.apply(event, rng=rng)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with its matchers and transformer lists compiled, pairwise."""

    destination_name: str | None
    branches: tuple[tuple[MatcherFn, TransformerChain], ...]


class RuleSet:
    """A source's routing rules, grouped per destination (tsub's ``Store``).

    ``RuleSet.load(rules)`` validates and compiles every rule (errors name the rule and
    the field); :meth:`rules_for` returns the rules that apply to one destination (its
    own and the global ones, in file order); :meth:`apply` runs them.
    """

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self._rules = tuple(rules)
        self._by_destination: dict[str | None, tuple[CompiledRule, ...]] = {}

    @classmethod
    def load(
        cls,
        rules: Iterable[Rule | Mapping[str, Any]],
        *,
        max_event_depth: int = DEFAULT_EVENT_DEPTH,
        mode: Mode = "fql",
    ) -> RuleSet:
        """Validate and compile ``rules``. ``mode="tsub"`` reads matchers and samples as
        the device-mode library does, and (like it) reports an invalid transformer only
        when an event reaches it."""
        compiled = []
        for i, raw in enumerate(rules):
            name = f"rule {i}"
            try:
                rule = Rule.model_validate(raw)
            except ValidationError as err:
                raise from_validation_error(err, rule=name, base=pointer(i)) from None
            if rule.destination_name:
                name = f"rule {i} ({rule.destination_name})"
            if len(rule.matchers) != len(rule.transformers):
                raise RuleError(
                    f"{len(rule.matchers)} matchers but {len(rule.transformers)} transformer"
                    " lists; matchers[i] guards transformers[i]",
                    rule=name,
                    field=pointer(i, "transformers"),
                )
            branches = tuple(
                (
                    compile_matcher(m, rule=name, field=pointer(i, "matchers", j), mode=mode),
                    compile_transformers(
                        t, rule=name, field=pointer(i, "transformers", j),
                        max_event_depth=max_event_depth, mode=mode, strict=mode == "fql",
                    ),
                )
                for j, (m, t) in enumerate(zip(rule.matchers, rule.transformers, strict=True))
            )
            compiled.append(CompiledRule(rule.destination_name, branches))
        return cls(compiled)

    @property
    def destinations(self) -> tuple[str, ...]:
        """The destinations that have rules of their own, in file order."""
        names = (r.destination_name for r in self._rules if r.destination_name)
        return tuple(dict.fromkeys(names))

    def rules_for(self, destination: str) -> tuple[CompiledRule, ...]:
        """The destination's own rules and the global ones (no ``destinationName``)."""
        found = self._by_destination.get(destination)
        if found is None:
            found = tuple(
                r for r in self._rules if r.destination_name in (None, "", destination)
            )
            self._by_destination[destination] = found
        return found

    def apply(
        self,
        event: Mapping[str, Any],
        destination: str,
        *,
        rng: random.Random | None = None,
    ) -> dict[str, Any] | None:
        """The event as ``destination`` receives it, or ``None`` if a rule dropped it.
        Each matcher sees the event as the rules before it left it (analytics.js's
        routing middleware)."""
        payload: dict[str, Any] = require_event(event)
        for rule in self.rules_for(destination):
            for matcher, chain in rule.branches:
                if matcher(payload):
                    result = chain.apply(payload, rng=rng)
                    if result is None:
                        return None
                    payload = result
        return payload


__all__ = [
    "MATCHER_TYPES",
    "TRANSFORMER_TYPES",
    "CompiledRule",
    "MapAction",
    "Matcher",
    "Rule",
    "RuleSet",
    "SampleSpec",
    "Transformer",
    "TransformerChain",
    "compile_matcher",
    "compile_transformers",
    "matches",
    "reading_difference",
    "transform",
]
