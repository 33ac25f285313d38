"""Rule, test and configuration files (``fql.datafile``, ``YamlLimits``): alias bombs,
alias cycles, deep nesting and unsafe tags are refused before any value is built, with
the limit named; each limit passes at its value and fails one past it."""

from __future__ import annotations

import time

import pytest

from fql.datafile import YamlError, load_data, load_json, load_yaml
from fql.limits import DEFAULT_YAML_LIMITS, YamlLimits

pytest.importorskip("yaml")

#: 326 bytes that expand to 9**9 (387 million) strings.
ALIAS_BOMB = "\n".join(
    [f'a: &a [{",".join(["lol"] * 9)}]']
    + [f"{name}: &{name} [{','.join(['*' + prev] * 9)}]"
       for prev, name in zip("abcdefgh", "bcdefghi", strict=True)]) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    start = time.perf_counter()
    with pytest.raises(YamlError) as info:
        load_yaml(ALIAS_BOMB)
    assert time.perf_counter() - start < 10  # generous: the point is "not minutes"
    assert "max_values" in info.value.message
    assert info.value.code == "FQL700"
    assert info.value.problem_mark is not None


def test_aliases_that_share_a_block_still_load():
    data = load_yaml("base: &b {plan: pro}\nusers:\n  - *b\n  - *b\nwhen: 2024-05-01\n")
    assert data == {"base": {"plan": "pro"}, "users": [{"plan": "pro"}] * 2,
                    "when": "2024-05-01"}  # a date stays the string JSON would hold


def test_values_limit_counts_aliases_expanded():
    limits = YamlLimits(max_values=10)
    text = "a: &a [1, 2]\nb: [*a, *a]\n"  # 1 + (1 + 1+2) + (1 + 1 + 3 + 3) = 13 values
    load_yaml(text, YamlLimits(max_values=13))
    with pytest.raises(YamlError):
        load_yaml(text, YamlLimits(max_values=12))
    with pytest.raises(YamlError):
        load_yaml(text, limits)


@pytest.mark.parametrize("text", ["&a [*a]", "&a {x: *a}", "&a [1, [2, *a]]"])
def test_alias_cycles_are_refused(text):
    with pytest.raises(YamlError) as info:
        load_yaml(text)
    assert "cycle" in info.value.message


@pytest.mark.parametrize("style", ["flow", "block", "aliases"])
def test_yaml_depth_passes_at_the_limit_and_fails_past_it(style):
    def doc(levels: int) -> str:
        if style == "flow":
            return "[" * levels + "]" * levels
        if style == "block":
            return "- " * (levels - 1) + "x"
        # each anchor nests the previous one: the depth exists only through aliases
        lines = ["k0: &k0 [x]"]
        lines += [f"k{i}: &k{i} [*k{i - 1}]" for i in range(1, levels - 2)]
        return "\n".join(lines)

    limit = DEFAULT_YAML_LIMITS.max_depth
    load_yaml(doc(limit))
    with pytest.raises(YamlError) as info:
        load_yaml(doc(limit + 1))
    assert "max_depth" in info.value.message


@pytest.mark.parametrize("text", ["[" * 100_000, "- " * 100_000 + "x"])
def test_very_deep_yaml_is_a_yaml_error(text):
    with pytest.raises(YamlError):
        load_yaml(text)


def test_json_depth_passes_at_the_limit_and_fails_past_it():
    limit = DEFAULT_YAML_LIMITS.max_depth
    assert load_json("[" * limit + "]" * limit) is not None
    with pytest.raises(YamlError) as info:
        load_json("[" * (limit + 1) + "]" * (limit + 1))
    assert "max_depth" in info.value.message
    with pytest.raises(YamlError):
        load_json("[" * 1_000_000)


def test_size_limit():
    limits = YamlLimits(max_bytes=10)
    assert load_data("[1, 2, 3]", ".yaml", limits) == [1, 2, 3]
    assert load_data("[1,2,3,45]", ".json", limits) == [1, 2, 3, 45]
    for suffix in (".yaml", ".json"):
        with pytest.raises(YamlError) as info:
            load_data("[1, 2, 3, 4]", suffix, limits)
        assert "max_bytes" in info.value.message


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']",
                                 "!!python/name:os.system", "!!binary aGk="])
def test_tags_that_build_python_objects_are_refused(tag):
    with pytest.raises(YamlError):
        load_yaml(f"tests: {tag}\n")


def test_yaml_syntax_errors_say_where():
    with pytest.raises(YamlError) as info:
        load_yaml("a: [1,\n")
    assert info.value.problem_mark is not None
    assert info.value.message.startswith("line 2")
