"""Trigger limits (``fql.limits.TriggerLimits``): text size in both modes, tree depth
checked before the tree is copied."""

from __future__ import annotations

import pytest

from actions import Trigger, TriggerError, check_trigger
from fql.limits import DEFAULT_TRIGGER_LIMITS


def _text(size: int) -> str:
    head = 'event = "'
    return head + "x" * (size - len(head) - 1) + '"'


@pytest.mark.parametrize("mode", ["default", "segment"])
def test_trigger_text_size_passes_at_the_limit_and_fails_past_it(mode):
    limit = DEFAULT_TRIGGER_LIMITS.max_text_bytes
    assert Trigger.parse(_text(limit), mode=mode).matches({"event": "x" * (limit - 10)})
    with pytest.raises(TriggerError) as info:
        Trigger.parse(_text(limit + 1), mode=mode)
    assert info.value.code == ("FQL401" if mode == "default" else "TRG005")


def test_huge_trigger_text_is_refused_in_both_modes_and_by_the_checker():
    text = " or ".join(f'event = "x{i}"' for i in range(50_000))  # ~900 KB
    for mode in ("default", "segment"):
        with pytest.raises(TriggerError):
            Trigger.parse(text, mode=mode)
    assert check_trigger(text)  # reports, rather than reading it for seconds


def _nested(groups: int) -> dict:
    tree: dict = {"type": "event", "operator": "=", "value": "x"}
    for _ in range(groups):
        tree = {"type": "group", "operator": "and", "children": [tree]}
    return tree


def test_tree_depth_passes_at_the_limit_and_fails_past_it():
    limit = DEFAULT_TRIGGER_LIMITS.max_tree_depth
    assert Trigger.from_conditions(_nested(limit + 1)).matches({"event": "x"})
    with pytest.raises(TriggerError) as info:
        Trigger.from_conditions(_nested(limit + 2))
    assert info.value.code == "TRG302"
    assert "max_tree_depth" in info.value.message


@pytest.mark.parametrize("groups", [400, 5000])
def test_a_deep_tree_is_refused_before_it_is_copied(groups):
    with pytest.raises(TriggerError) as info:
        Trigger.from_conditions(_nested(groups))
    assert info.value.code == "TRG302"


def test_a_cyclic_tree_is_refused():
    tree: dict = {"type": "group", "operator": "and", "children": []}
    tree["children"].append(tree)
    with pytest.raises(TriggerError):
        Trigger.from_conditions(tree)
