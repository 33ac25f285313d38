"""Rules as they travel to Spark's Python workers, and the workers' cache of compiled ones.

A compiled rule holds kernel programs, which do not pickle and should not: a job ships
the rule's *source* (FQL text, a trigger's condition tree, a mapping's JSON, a
destination's filters, a workspace configuration) in a small frozen :class:`RuleSpec`,
and each Python worker compiles it the first time a batch needs it, then reuses it for
every later batch and task that worker runs (Spark reuses its Python workers between
tasks by default). The alternative, compiling per row inside a plain UDF, is what the
benchmark's baseline pays for and what this module exists to avoid.

:func:`spec` runs on the driver, when the job is defined: it compiles the rule there
once, so an invalid rule raises the library's own error (``FqlSyntaxError``,
``MappingError``, ``RuleError``, ``RoutingError``) before any task starts, instead of
failing inside an executor. The worker then compiles exactly what the driver checked.

This module imports neither pyspark nor pyarrow, so it is tested without a cluster.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import actions
import fql
from actions.mapping import DEFAULT_LIMITS as MAPPING_LIMITS
from fql.filters import ActionType, FilterList, FilterOrder
from fql.filters.errors import RuleError
from fql.routing import Router, WorkspaceConfig, load_config

Kind = Literal["fql", "trigger", "mapping", "filters", "workspace"]

#: Distinct rules one worker keeps compiled (SQL users may pass a different rule text
#: per row; the oldest is dropped past this many).
WORKER_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """What a job ships to its workers: the rule's kind and its source as text (FQL, or
    canonical JSON), plus the options that change what it compiles to."""

    kind: Kind
    source: str
    options: tuple[tuple[str, Any], ...] = ()

    def compile(self) -> Any:
        """The compiled rule (a worker calls :func:`compiled`, which caches this)."""
        return _COMPILERS[self.kind](self)


def _canonical(data: Any) -> str:
    """Compact JSON text of ``data``, its keys in their order (a mapping's key order is
    its payload's key order)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _compile_fql(spec: RuleSpec) -> fql.Expression:
    return fql.compile(spec.source)


def _compile_trigger(spec: RuleSpec) -> actions.Trigger:
    return actions.Trigger.from_conditions(json.loads(spec.source))


def _compile_mapping(spec: RuleSpec) -> actions.Mapping:
    options = dict(spec.options)  # none for a mapping from SQL: the defaults
    return actions.compile_mapping(json.loads(spec.source),
                                   extensions=options.get("extensions", False),
                                   limits=options.get("limits", MAPPING_LIMITS))


def _compile_filters(spec: RuleSpec) -> FilterList:
    return FilterList.load(json.loads(spec.source), strict=True,
                           order=FilterOrder(dict(spec.options)["order"]))


def _compile_workspace(spec: RuleSpec) -> tuple[Router, tuple[str, ...]]:
    """The router and its destination names in configuration order (the rows of a
    route job are written in that order; ``RouteResult`` is read by name only)."""
    config = WorkspaceConfig.model_validate(json.loads(spec.source))
    return Router(config), tuple(d.name for d in config.destinations)


_COMPILERS: dict[str, Callable[[RuleSpec], Any]] = {
    "fql": _compile_fql,
    "trigger": _compile_trigger,
    "mapping": _compile_mapping,
    "filters": _compile_filters,
    "workspace": _compile_workspace,
}


# --- driver side: a rule, checked, as a spec ---------------------------------------


def expression_spec(rule: str | fql.Expression) -> RuleSpec:
    """FQL text or a compiled :class:`fql.Expression`; raises what ``fql.compile``
    raises. An expression travels as its text (``from_ir`` expressions as their
    canonical text, which compiles to the same tree)."""
    if isinstance(rule, fql.Expression):
        rule = rule.text
    if not isinstance(rule, str):
        raise TypeError(f"an FQL rule is text or an fql.Expression, not {type(rule).__name__}")
    checked = RuleSpec("fql", rule)
    checked.compile()
    return checked


def match_spec(rule: str | fql.Expression | actions.Trigger) -> RuleSpec:
    """A rule for ``matches``: FQL (text or compiled) or an :class:`actions.Trigger`,
    which travels as its condition tree (so it matches exactly as the trigger does,
    whichever mode its text was read in)."""
    if isinstance(rule, actions.Trigger):
        return RuleSpec("trigger", _canonical(rule.conditions))
    return expression_spec(rule)


def trigger_spec(rule: str | actions.Trigger) -> RuleSpec:
    """A trigger, as text (read in the default mode) or an :class:`actions.Trigger`."""
    trigger = rule if isinstance(rule, actions.Trigger) else actions.Trigger.parse(rule)
    return RuleSpec("trigger", _canonical(trigger.conditions))


def mapping_spec(mapping: Any, *, extensions: bool = False) -> RuleSpec:
    """An Actions mapping: a compiled :class:`actions.Mapping` (its source, extensions
    and limits travel), its JSON data, or JSON text. Raises ``MappingError``."""
    if isinstance(mapping, actions.Mapping):
        source, extensions, limits = mapping.source, mapping.extensions, mapping.limits
    else:
        source = json.loads(mapping) if isinstance(mapping, str) else mapping
        limits = MAPPING_LIMITS
    checked = RuleSpec("mapping", _canonical(source),
                       (("extensions", extensions), ("limits", limits)))
    checked.compile()
    return checked


def filters_spec(filters: FilterList | Iterable[Any] | Mapping[str, Any],
                 order: FilterOrder = FilterOrder.ACTION_TYPE) -> RuleSpec:
    """A destination's filters: a :class:`FilterList` (its order is kept) or the data
    ``FilterList.load`` takes. Loaded strictly: a filter that cannot be read raises its
    ``RuleError`` now, where the library would fail every event closed."""
    if isinstance(filters, FilterList):
        if filters.errors:
            raise filters.errors[0]
        data: Any = [f.model_dump(by_alias=True, exclude_none=True) for f in filters.filters]
        order = filters.order
    else:
        data = filters.get("filters") if isinstance(filters, Mapping) else filters
        if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
            raise RuleError("filters must be a list of filter objects")
        data = list(data)
    checked = RuleSpec("filters", _canonical(data), (("order", FilterOrder(order).value),))
    loaded: FilterList = checked.compile()
    random_sampling = any(a.type is ActionType.SAMPLE and not a.path
                          for f in loaded.filters if f.enabled for a in f.actions)
    return RuleSpec("filters", checked.source,
                    (*checked.options, ("random_sampling", random_sampling)))


def workspace_spec(config: Router | WorkspaceConfig | Mapping[str, Any] | str | Path
                   ) -> RuleSpec:
    """A workspace: a :class:`Router`, a :class:`WorkspaceConfig`, its data, or a JSON or
    YAML file path. Checked with ``load_config(strict=True)``: ``RoutingError`` lists
    every rule that cannot be read."""
    if isinstance(config, Router):
        config = config.config
    if not isinstance(config, WorkspaceConfig):
        config = load_config(config)
    else:
        load_config(config.model_dump(by_alias=True))
    return RuleSpec("workspace", _canonical(config.model_dump(by_alias=True)))


# --- worker side: compiled once per process ----------------------------------------

_CACHE: OrderedDict[RuleSpec, Any] = OrderedDict()
#: How many compilations this process has run (what the tests read).
compilations = 0


def compiled(spec: RuleSpec) -> Any:
    """``spec`` compiled, from this process's cache (least recently used dropped past
    :data:`WORKER_CACHE_SIZE`)."""
    found = _CACHE.get(spec)
    if found is not None:
        _CACHE.move_to_end(spec)
        return found
    global compilations
    found = _CACHE[spec] = spec.compile()
    compilations += 1
    if len(_CACHE) > WORKER_CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found
