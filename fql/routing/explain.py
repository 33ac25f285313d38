"""``fql route --explain``: one event's path through every destination's stages.

For each destination, the stages in the order :meth:`Router.route` runs them, each
with what it read and what it decided: consent (the categories asked for and the
event's answers), the integrations object (the key that decided), each destination
filter with the value of its condition and what it did, the transformations that
applied, and for Actions destinations each mapping's trigger with the sub-expression
that decided it (the REPL's ``:explain`` for routing). The last line of each
destination is the outcome :meth:`Router.route` itself gives, so the explanation can
never disagree with the routing it explains.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import actions

from ..errors import FqlError
from ..explain import deciding_part, value_of
from ..expression import compile as compile_fql
from ..format import format_node
from .router import CONSENT, INTEGRATIONS, Delivery, Router, _run


@dataclass(frozen=True, slots=True)
class Explanation:
    """One destination: the stages it went through and the delivery route() gives."""

    destination: str
    steps: tuple[str, ...]
    delivery: Delivery

    def outcome(self) -> str:
        """One line for the delivery: how many payloads were sent, or the reason (and detail)
        it was not.
        """
        d = self.delivery
        if d.sent:
            return f"sent {len(d.payloads)} payload{'s' if len(d.payloads) != 1 else ''}"
        return f"{d.reason}" + (f" ({d.detail})" if d.detail else "")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class RouteExplanation:
    """The source-scoped stage (once for every destination), then each destination."""

    source_steps: tuple[str, ...]
    destinations: tuple[Explanation, ...]


def explain_route(router: Router, event: Any) -> RouteExplanation:
    """Every destination's stages for ``event``, with the outcome of ``router.route``."""
    result = router.route(event)
    unexplained = RouteExplanation((), tuple(Explanation(d.destination, (), d)
                                             for d in result.deliveries))
    if not isinstance(event, Mapping) or router.source_error is not None:
        return unexplained
    try:
        source: Mapping[str, Any] = _run(router.source, event)
    except FqlError:
        return unexplained
    applied = [t.model.name for t in router.source if t.model.enabled and t.matches(event)]
    head = (f"source transformations: {', '.join(map(repr, applied))} applied"
            if applied else "source transformations: none applied",)
    prefs = router._preferences(source)
    explanations = []
    for route, delivery in zip(router.routes, result.deliveries, strict=True):
        steps: list[str] = []
        config = route.config
        if not config.enabled:
            steps.append("disabled")
        else:
            steps.extend(_consent(router, prefs, config.consent_categories))
            if delivery.reason != CONSENT:
                steps.append(_integrations(source.get("integrations"), config.name))
                if delivery.reason != INTEGRATIONS and route.error is None:
                    steps.extend(_after_gates(router, route, source))
        explanations.append(Explanation(config.name, tuple(steps), delivery))
    return RouteExplanation(head, tuple(explanations))


def _consent(router: Router, prefs: Mapping[str, Any] | None,
             categories: list[str]) -> list[str]:
    enforced = [c for c in categories if c in router.enforced]
    if not categories:
        return ["consent: the destination has no consent category: passes"]
    if not enforced:
        return [f"consent: its categories {categories} are not enforced: passes"]
    if prefs is None:
        return ["consent: the event has no context.consent.categoryPreferences (or is the "
                "consent event): not enforced, passes"]
    answers = ", ".join(f"{c} = {_json(prefs.get(c))}" for c in enforced)
    verdict = "passes" if all(prefs.get(c) is True for c in enforced) else \
        "stops here (every category must be true)"
    return [f"consent: requires {enforced}; the event says {answers}: {verdict}"]


def _integrations(integrations: Any, name: str) -> str:
    if not isinstance(integrations, Mapping):
        return "integrations: the event has no integrations object: passes"
    value = integrations.get(name)
    if value is None:
        everything = integrations.get("All", True)
        verdict = "passes" if everything is not False else "stops here"
        return (f"integrations: no {name!r} key; \"All\" = {_json(everything)}"
                f" (true when absent): {verdict}")
    verdict = "passes" if value is not False else "stops here"
    return f"integrations: {name!r} = {_json(value)}: {verdict}"


def _after_gates(router: Router, route: Any, event: Mapping[str, Any]) -> list[str]:
    steps: list[str] = []
    payload: Mapping[str, Any] = event
    if route.config.filters and route.filters is not None:
        for index, raw in enumerate(route.config.filters):
            steps.append(_filter_step(index, raw, event))
        result = route.filters.apply(event)
        if result.dropped:
            return steps
        payload = result.event or {}
        if result.removed_fields:
            steps.append(f"filters removed {', '.join(result.removed_fields)}")
    for transformation in route.transformations:
        if transformation.model.enabled and transformation.matches(payload):
            steps.append(f"transformation {transformation.model.name!r} applied")
    try:
        payload = _run(route.transformations, payload)
    except FqlError:
        return steps
    if route.actions is None:
        steps.append("classic destination: sends the event")
        return steps
    for j, mapping in enumerate(route.config.mappings or ()):
        name = mapping.name or f"mappings[{j}]"
        if not mapping.enabled:
            steps.append(f"mapping {name!r}: disabled")
            continue
        steps.append(_trigger_step(name, mapping.trigger, payload))
    return steps


def _filter_step(index: int, raw: Any, event: Mapping[str, Any]) -> str:
    raw = raw if isinstance(raw, Mapping) else {}
    title = raw.get("title") or ""
    name = f"filter[{index}]" + (f" {title!r}" if title else "")
    if raw.get("enabled") is False:
        return f"{name}: disabled"
    condition = raw.get("if")
    actions_ = ", ".join(str(a.get("type")) for a in raw.get("actions") or []
                         if isinstance(a, Mapping))
    if condition == "all":
        return f"{name}: if all => true: {actions_}"
    try:
        expression = compile_fql(condition)
    except (FqlError, TypeError):
        return f"{name}: its condition cannot be read: fails closed (the event is dropped)"
    value = value_of(expression.ast, event)
    if value is True:
        return f"{name}: if {condition} => true: {actions_}"
    part = deciding_part(expression.ast, event)
    why = "" if part is expression.ast else \
        f", decided by {format_node(part)} => {_json(value_of(part, event))}"
    return f"{name}: if {condition} => {_json(value)}{why}: no action"


def _trigger_step(name: str, trigger: str, event: Mapping[str, Any]) -> str:
    try:
        tree = actions.Trigger.parse(trigger)
        expression = compile_fql(tree.fql)
    except FqlError:
        return f"mapping {name!r}: its trigger cannot be read"
    value = value_of(expression.ast, event)
    part = deciding_part(expression.ast, event)
    why = "" if part is expression.ast else \
        f", decided by {format_node(part)} => {_json(value_of(part, event))}"
    verdict = "maps the event" if value is True else "does not match"
    return f"mapping {name!r}: trigger {trigger} => {_json(value)}{why}: {verdict}"
