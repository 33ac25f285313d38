"""A workspace's Actions triggers, evaluated together: each event reads a field once.

A workspace with 20 destinations × 5 mappings holds 100 triggers, but they are built
from few fields (``type``, ``event``) and often from the same texts. Evaluating each one
on its own reads ``type`` 100 times. :class:`TriggerSet` instead

* keeps one matcher per distinct trigger (by its compiled plan, so ``type = "track"``
  written twice, or with other spacing, is one trigger);
* indexes every trigger whose plan is a conjunction containing a top-level equality
  (``type = "track" and event = "Order Completed"``, the common shape) by that equality:
  per event, one dictionary lookup per indexed field (``event``, then ``type``) finds
  the only triggers that can match; every other indexed trigger is false without being
  evaluated;
* evaluates candidates lazily, at most once per event, whichever destination asks.

The index is exact, not a heuristic: a conjunction with a top-level ``field = "s"``
(Segment's ``String(expected)``; the matcher compares ``event.get(field) == "s"``) is
false unless the event's field is that very string, and a plan without ``throw`` nodes
cannot raise, so skipping it changes nothing. Plans that contain a ``throw`` node (where
Segment's ``validate`` throws) or are not conjunctions are always evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actions.trigger.nodes import Plan, may_throw, top_equalities

from ..errors import FqlError

#: Fields tried as the index key, most selective first.
_INDEX_FIELDS = ("event", "type")


def _index_key(plan: Plan) -> tuple[str, str] | None:
    """``(field, expected)`` of a top-level equality every match must satisfy (the
    plan's own reading of its equalities, :func:`~actions.trigger.nodes.top_equalities`)."""
    if may_throw(plan):
        return None
    equalities = top_equalities(plan)
    return next(((f, equalities[f]) for f in _INDEX_FIELDS if f in equalities), None)


class TriggerSet:
    """Distinct triggers, indexed by their top-level equalities; see the module doc."""

    def __init__(self, *, share: bool = True) -> None:
        """``share=False`` keeps every trigger apart and always evaluates it: the
        baseline the benchmarks compare against."""
        self.share = share
        self._ids: dict[Plan, int] = {}
        self.matchers: list[Any] = []  # each distinct trigger's bound ``matches``
        self._index: dict[str, dict[str, list[int]]] = {f: {} for f in _INDEX_FIELDS}
        self._always: list[int] = []  # triggers the index cannot rule out
        #: Ids of the triggers the index cannot rule out (always candidates).
        self.unindexed: set[int] = set()

    def add(self, trigger: Any) -> int:
        """The id of ``trigger`` (an ``actions.Trigger``), shared with equal triggers."""
        plan = trigger.plan
        known = self._ids.get(plan) if self.share else None
        if known is not None:
            return known
        ident = self._ids[plan] = len(self.matchers)
        self.matchers.append(trigger.matches)
        key = _index_key(plan) if self.share else None
        if key is None:
            self._always.append(ident)
            self.unindexed.add(ident)
        else:
            self._index[key[0]].setdefault(key[1], []).append(ident)
        return ident

    def answers(self, event: Mapping[str, Any]) -> Answers:
        """A per-event view: which triggers may match, and a memo of their answers."""
        candidates = set(self._always)
        for name, table in self._index.items():
            value = event.get(name)
            if isinstance(value, str) and value in table:
                candidates.update(table[value])
        return Answers(self.matchers, event, candidates)


class Answers:
    """The triggers' answers for one event object, each computed at most once.

    ``get`` returns ``True``/``False``, or a message string when Segment's ``validate``
    throws for this event (the mapping's destination then fails closed)."""

    __slots__ = ("_event", "_matchers", "_memo", "candidates", "evaluations")

    def __init__(self, matchers: list[Any], event: Mapping[str, Any],
                 candidates: set[int]) -> None:
        self._matchers = matchers
        self._event = event  # also keeps the object (and so its id) alive while cached
        #: The triggers that may match this event; every other one is false.
        self.candidates = candidates
        self._memo: dict[int, bool | str] = {}
        self.evaluations = 0

    def get(self, ident: int) -> bool | str:
        """The answer of trigger ``ident`` for this event: ``False`` when the index ruled it
        out, else its matcher's result (``True``/``False``, or the error message when it
        cannot read the event), evaluated at most once.
        """
        if ident not in self.candidates:
            return False
        answer = self._memo.get(ident)
        if answer is None:
            self.evaluations += 1
            try:
                answer = bool(self._matchers[ident](self._event))
            except FqlError as exc:
                answer = str(exc.message)
            self._memo[ident] = answer
        return answer
