"""Mapping limits (``fql.limits.MappingLimits``) on what an event or a rule author can
make large: Liquid ranges and output (checked while rendering) and ``@template``
output, each passing at its limit and failing one past it, on both backends."""

from __future__ import annotations

import tracemalloc

import pytest

import actions
from actions.mapping import MappingInputError, MappingLimits, MappingRuntimeError
from fql.limits import DEFAULT_MAPPING_LIMITS

pytest.importorskip("liquid")

ITERATIONS = DEFAULT_MAPPING_LIMITS.max_liquid_iterations
OUTPUT = DEFAULT_MAPPING_LIMITS.max_liquid_output
TEMPLATE_OUTPUT = DEFAULT_MAPPING_LIMITS.max_template_output


def _apply(backend, mapping, event, limits=DEFAULT_MAPPING_LIMITS):
    compiled = actions.compile_mapping({"x": mapping}, limits=limits)
    return backend.mapping(compiled).apply(event)["x"]


@pytest.mark.parametrize("template", [
    "{{ (1..n) | size }}",
    "{{ (1..n) | last }}",
    "{% if (1..n) contains 'x' %}y{% endif %}{{ n }}",
])
def test_liquid_range_passes_at_the_limit_and_fails_past_it(backend, template):
    assert _apply(backend, {"@liquid": template}, {"n": ITERATIONS}) == str(ITERATIONS)
    with pytest.raises(MappingRuntimeError) as info:
        _apply(backend, {"@liquid": template}, {"n": ITERATIONS + 1})
    assert "max_liquid_iterations" in str(info.value)
    assert info.value.path == "/x/@liquid"


@pytest.mark.parametrize("template", [
    "{{ (1..100000000) | join: ',' }}",  # 125 s and 7.7 GB before the limit
    "{{ (1..100000000) | sum }}",
    "{{ (1..n) | join: ',' }}",  # the bound from the event
    "{% if (1..1000000000000) contains 'x' %}y{% endif %}",  # a linear scan
    "{% assign r = (1..n) %}{{ r | first }}",
])
def test_a_huge_liquid_range_fails_fast(backend, template):
    with pytest.raises(MappingRuntimeError) as info:
        _apply(backend, {"@liquid": template}, {"n": 30_000_000})
    assert "max_liquid_iterations" in str(info.value)


def test_liquid_iteration_limit_is_a_setting(backend):
    limits = MappingLimits(max_liquid_iterations=5)
    assert _apply(backend, {"@liquid": "{{ (1..5) | join }}"}, {}, limits) == "1 2 3 4 5"
    with pytest.raises(MappingRuntimeError):
        _apply(backend, {"@liquid": "{{ (1..6) | join }}"}, {}, limits)


def test_liquid_output_passes_at_the_limit_and_fails_past_it(backend):
    half = OUTPUT // 2
    assert len(_apply(backend, {"@liquid": "{{ a }}{{ a }}"}, {"a": "x" * half})) == OUTPUT
    with pytest.raises(MappingRuntimeError) as info:
        _apply(backend, {"@liquid": "{{ a }}{{ a }}x"}, {"a": "x" * half})
    assert "max_liquid_output" in str(info.value)


def test_liquid_output_is_bounded_while_rendering(backend):
    # 300 outputs of a 500,000-character capture: 150 MB if only the result were checked
    template = "{% capture c %}{{ a }}{% endcapture %}" + "{{ c }}" * 300
    tracemalloc.start()
    try:
        with pytest.raises(MappingRuntimeError):
            _apply(backend, {"@liquid": template}, {"a": "x" * 500_000})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


def test_template_output_passes_at_the_limit_and_fails_past_it(backend):
    half = TEMPLATE_OUTPUT // 2
    assert len(_apply(backend, {"@template": "{{a}}{{a}}"}, {"a": "x" * half})) == \
        TEMPLATE_OUTPUT
    with pytest.raises(MappingInputError) as info:
        _apply(backend, {"@template": "{{a}}{{a}}!"}, {"a": "x" * half})
    assert "max_template_output" in str(info.value)
    assert info.value.path == "/x/@template"


@pytest.mark.parametrize("mapping", [
    {"@template": "{{a}}" * 625},  # 625 MB before the limit
    {"@template": "{{{t}}}"},  # the re-scanned second pass
    {"@template": {"@path": "$.t"}},  # a template read from the event
])
def test_template_output_is_bounded_while_filling(backend, mapping):
    event = {"a": "x" * 1_000_000, "t": "{{a}}" * 625}
    tracemalloc.start()
    try:
        with pytest.raises(MappingInputError):
            _apply(backend, mapping, event)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


def test_template_output_limit_is_a_setting(backend):
    limits = MappingLimits(max_template_output=4)
    assert _apply(backend, {"@template": "{{a}}!"}, {"a": "abc"}, limits) == "abc!"
    with pytest.raises(MappingInputError):
        _apply(backend, {"@template": "{{a}}!!"}, {"a": "abc"}, limits)
