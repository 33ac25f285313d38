"""Every pass handles every directive of the registry (actions.mapping.directives).

Validation, compilation, the linter and the kernel each keep a table of their own; these
tests fail when a directive is registered and one pass forgets it, or when a pass knows
a directive the registry does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.mapping import compile_mapping
from actions.mapping.check import _Linter
from actions.mapping.compiler import Compiler, compile_plan
from actions.mapping.directives import DIRECTIVES, EXTENSIONS, PORTABLE
from actions.mapping.limits import DEFAULT_LIMITS
from actions.mapping.mapping import PythonRunner
from actions.mapping.validate import _Validator
from fql.backend import kernel

#: One small mapping per directive, and an event it reads.
SAMPLES: dict[str, dict[str, Any]] = {
    "@if": {"@if": {"exists": {"@path": "$.a"}, "then": "yes", "else": "no"}},
    "@case": {"@case": {"operator": "upper", "value": {"@path": "$.s"}}},
    "@replace": {"@replace": {"pattern": "a", "replacement": "b", "value": {"@path": "$.s"}}},
    "@arrayPath": {"@arrayPath": ["$.list", {"x": {"@path": "$.n"}}]},
    "@path": {"@path": "$.a.b"},
    "@template": {"@template": "hi {{s}}"},
    "@literal": {"@literal": {"k": [1, 2]}},
    "@flatten": {"@flatten": {"value": {"@path": "$.a"}, "separator": "."}},
    "@json": {"@json": {"mode": "encode", "value": {"@path": "$.a"}}},
    "@merge": {"@merge": {"objects": [{"@path": "$.a"}, {"c": 1}], "direction": "right"}},
    "@transform": {"@transform": {"apply": {"y": {"@path": "$.s"}}, "mapping": {"z": {
        "@path": "$.y"}}}},
    "@excludeWhenNull": {"@excludeWhenNull": {"k": {"@path": "$.missing"}, "s": "v"}},
    "@liquid": {"@liquid": "{{ s | upcase }}"},
    "@coalesce": {"@coalesce": [{"@path": "$.missing"}, {"@path": "$.s"}]},
}

EVENT = {"a": {"b": 1}, "s": "banana", "list": [{"n": 1}, {"n": 2}]}


def test_the_registry_lists_each_directive_once() -> None:
    assert set(PORTABLE) | set(EXTENSIONS) == set(DIRECTIVES)
    assert not set(PORTABLE) & set(EXTENSIONS)
    assert set(SAMPLES) == set(DIRECTIVES), "a registered directive has no sample here"


@pytest.mark.parametrize("extensions", [False, True])
def test_validation_compilation_and_linting_handle_every_directive(extensions: bool) -> None:
    expected = set(PORTABLE) | (set(EXTENSIONS) if extensions else set())
    assert set(_Validator(extensions).directives) == expected
    assert set(Compiler(DEFAULT_LIMITS, extensions).directives) == expected
    assert set(_Linter(extensions).rules) == set(DIRECTIVES)


@pytest.mark.parametrize("name", sorted(DIRECTIVES))
def test_each_directive_compiles_and_both_runners_agree(name: str) -> None:
    pytest.importorskip("liquid") if name == "@liquid" else None
    mapping = {"out": SAMPLES[name]}
    extensions = DIRECTIVES[name].extension
    compiled = compile_mapping(mapping, extensions=extensions)
    root, _ = compile_plan(mapping, DEFAULT_LIMITS, extensions)
    assert PythonRunner(root).apply(EVENT) == compiled.apply(EVENT)
    module = kernel("_mapping")
    if module is None:
        return  # the pure-Python run checks the twin only
    directive_node = root.items[0][1]
    assert module.build(root).apply(EVENT) == PythonRunner(root).apply(EVENT)
    assert module.native(directive_node) is DIRECTIVES[name].kernel, (
        f"{name}: the kernel's native nodes and the registry disagree"
    )
