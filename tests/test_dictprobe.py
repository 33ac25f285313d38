"""The kernels' dict probe (``src_ext/_dictprobe.h``) answers as ``dict.get`` does.

The probe remembers, per path step, where in a dict's entries it last found its key,
and on CPython 3.11-3.13 it walks the dict's hash table itself, which means reading
CPython's private layout. So it is checked here on its own, against ``dict.get``, over
every kind of table it may meet: tables of str keys with deleted entries, one-, two-
and four-byte index tables, keys equal to the probe's without being the same object,
keys without a cached hash, tables with other keys (which it leaves to CPython), an
instance's split ``__dict__``, dict subclasses, and remembered positions that no longer
hold the key. The plan-level agreement tests (``test_backends``,
``test_mapping_backends``, ``test_trigger_backends``) run one program over several
events of different shapes, so the remembered positions also miss and hit there.
"""

from __future__ import annotations

import collections
import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fql
from fql.backend import kernel_builder, load_kernel

KERNEL: Any = load_kernel("_kernel")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="the Cython kernel was not built")

NAMES = ["type", "event", "context", "page", "path", "userId", "a", "b", "", "é",
         "ключ", "😀 key", "x" * 40]
HINTS = [-5, -1, 0, 1, 2, 7, 100, 10**9]


def fresh(text: str) -> str:
    """An equal str that is not the same object (as a JSON parser's keys are), without
    its hash computed yet."""
    return "".join(["\0", text])[1:] if len(text) > 1 else text


def check(d: Any, key: Any, hint: int) -> int:
    """Probe ``d`` for ``key`` from ``hint``; assert the answer is ``dict.get``'s and
    that probing again from the hint left behind gives the same answer, and that a
    position once found stays (a key whose hash is not computed yet goes to CPython's
    lookup the first time, which computes it, so the position may be learnt then)."""
    found, value, left = KERNEL.probe_dict(d, key, hint)
    assert found == (key in d)
    if found:
        assert value is d[key]
    else:
        assert value is None
        assert left == hint  # a miss leaves the remembered position alone
    again = KERNEL.probe_dict(d, key, left)
    assert again[:2] == (found, value)
    assert KERNEL.probe_dict(d, key, again[2]) == again
    return again[2]


def check_all(d: Any, keys: list[Any]) -> None:
    for key in keys:
        for hint in HINTS:
            check(d, key, hint)


ops = st.lists(st.tuples(st.sampled_from(["set", "set", "set", "del", "popitem"]),
                         st.sampled_from(NAMES), st.integers()), max_size=40)


@settings(max_examples=300)
@given(ops)
def test_tables_built_and_emptied_at_random(steps: list[tuple[str, str, int]]) -> None:
    d: dict[str, int] = {}
    for op, key, value in steps:
        if op == "set":
            d[fresh(key)] = value
        elif op == "del":
            d.pop(key, None)
        elif d:
            d.popitem()
        check_all(d, NAMES)
    check_all(d, [fresh(name) for name in NAMES])  # equal keys, hash not yet computed
    keys = [fresh(name) for name in NAMES]
    for key in keys:
        hash(key)
    check_all(d, keys)  # equal keys, hash computed


def test_the_position_left_behind_is_the_entry_in_insertion_order() -> None:
    if not KERNEL.DICT_HINTS:
        pytest.skip("this build uses CPython's own lookup; hints are ignored")
    d = {name: i for i, name in enumerate(NAMES)}
    for i, name in enumerate(NAMES):
        assert KERNEL.probe_dict(d, name, 0) == (True, i, i)
    # An event of the same shape: the remembered position is right the first time.
    other = {name: -i for i, name in enumerate(NAMES)}
    assert KERNEL.probe_dict(other, "page", NAMES.index("page")) == (
        True, -NAMES.index("page"), NAMES.index("page"))


def test_a_remembered_position_that_no_longer_holds_the_key() -> None:
    d = {"a": 1, "b": 2, "c": 3}
    hint = check(d, "b", 0)
    del d["b"]  # the entry is now a hole
    check(d, "b", hint)
    d["b"] = 4  # back, at a new position
    check(d, "b", hint)
    check({"c": 1, "b": 2, "a": 3}, "a", check({"a": 1}, "a", 0))


@pytest.mark.parametrize("size", [5, 200, 50_000])  # one-, two- and four-byte indices
def test_tables_of_every_index_width(size: int) -> None:
    d = {f"k{i}": i for i in range(size)}
    for i in [*range(0, size, max(1, size // 300)), size - 1]:
        check(d, f"k{i}", 0)
        check(d, fresh(f"k{i}"), i)
    check(d, "missing", 3)
    for i in range(0, size, 3):
        del d[f"k{i}"]
    for i in range(0, size, max(1, size // 300)):
        check(d, f"k{i}", i)


class Text(str):
    """A str subclass: a table holding one is not a table of str keys."""


class Clash:
    """Hashes as ``"a"`` does and fails every comparison."""

    def __hash__(self) -> int:
        return hash("a")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("compared")


class Obj:
    def __init__(self) -> None:
        self.a = 1
        self.b = 2


def test_tables_the_probe_leaves_to_cpython() -> None:
    check_all({1: "x", "a": 2, (1, 2): 3, "b": 4}, ["a", "b", "c", 1])
    check_all({Text("a"): 1, "b": 2}, ["a", "b", Text("a"), Text("b")])
    check_all(vars(Obj()), ["a", "b", "c"])  # a split table
    check_all(collections.OrderedDict(a=1, b=2), ["a", "b", "c"])
    check_all(collections.defaultdict(list, a=1), ["a", "b"])  # no __missing__ call


def test_a_failing_comparison_raises_as_dict_get_does() -> None:
    """A table whose keys are not all str is left to Python's own lookup (the probe
    runs no Python code itself), so a key's failing ``__eq__`` raises, as it does in
    the twins, instead of reading as missing."""
    d = {Clash(): 1, "b": 2}
    with pytest.raises(RuntimeError, match="compared"):
        KERNEL.probe_dict(d, "a", 0)
    assert KERNEL.probe_dict(d, "b", 0)[:2] == (True, 2)


def test_the_probe_checked_itself_on_import() -> None:
    """Each kernel checks its probe against ``dict.get`` when imported and keeps its
    table reads only when they agree (always, on the CPython versions it was written
    for)."""
    modules = [load_kernel(name) for name in ("_kernel", "_mapping", "_trigger")]
    assert {module.DICT_HINTS for module in modules} == {  # type: ignore[union-attr]
        sys.version_info[:2] in ((3, 11), (3, 12), (3, 13))}


def test_a_json_parsers_keys() -> None:
    text = json.dumps({"context": {"page": {"path": "/x"}}, "type": "page", "é": 1})
    events = [json.loads(text) for _ in range(3)]
    hints = [0, 0, 0]
    for event in events:
        context = event
        for level, key in enumerate(["context", "page", "path"]):
            found, context, hints[level] = KERNEL.probe_dict(context, key, hints[level])
            assert found
        assert context == "/x"
        check_all(event, ["type", "é", "context", "nope"])


TEXT_LENGTHS = range(0, 26)
ALPHABETS = ["abcdefghijklmnopqrstuvwxyz", "àbcdéfghíjklmnóp", "ĀbcdēfghĪjklmnŌp", "😀bcd😁fgh"]


@pytest.mark.parametrize("alphabet", ALPHABETS)
def test_text_comparison_at_every_length_and_position(alphabet: str) -> None:
    """Keys and string literals are compared in words, the last one overlapping: equal
    texts of every length match and a text differing in any one character does not,
    in each of the three widths a str stores (and keys equal but not identical are
    found by the probe)."""
    build = kernel_builder()
    assert build is not None
    for n in TEXT_LENGTHS:
        text = (alphabet * 4)[:n]
        program = build(fql.compile(f"x = {json.dumps(text, ensure_ascii=False)}").plan)
        assert program.matches({"x": fresh(text)})
        key = fresh(text)
        hash(key)
        assert KERNEL.probe_dict({fresh(text): 1, "y": 2}, key, 0)[:2] == (True, 1)
        for i in range(n):
            other = text[:i] + ("Z" if text[i] != "Z" else "Y") + text[i + 1:]
            assert not program.matches({"x": other}), (text, other)
        assert not program.matches({"x": text + "a"})
        if n:
            assert not program.matches({"x": text[:-1]})
