"""The Cython kernel and its pure-Python twin agree (STYLE.md §6).

Random expressions over random events must give the same value (NaN-aware) or raise
the same error code on both builders. The rest of the suite runs on whichever backend
is active; CI runs it twice, the second time with ``FQL_PUREPYTHON=1``.
"""

from __future__ import annotations

import collections
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fql
from fql import ast
from fql.backend import build_python, kernel_builder
from fql.compiler import to_plan

from .strategies import events, expressions

KERNEL = kernel_builder()
needs_kernel = pytest.mark.skipif(KERNEL is None, reason="the Cython kernel is not built "
                                  "(no compiler at install time)")


def outcome(program: Any, event: Any) -> tuple[str, Any]:
    """The value, or the error code; any other exception by its type (agreement is what
    this module checks: both twins must fail the same way even where the shared Python
    code raises something other than an FqlError)."""
    try:
        return ("value", program.evaluate(event))
    except fql.FqlError as err:
        return ("error", err.code)
    except Exception as err:
        return ("exception", type(err).__name__)


def same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] != b[0]:
        return False
    x, y = a[1], b[1]
    return (x == y and type(x) is type(y)) or (x != x and y != y)


def plans(tree: ast.Node) -> tuple[Any, Any] | None:
    try:
        compiled = to_plan(tree)
    except fql.FqlTypeError:
        return None
    assert KERNEL is not None
    return build_python(compiled), KERNEL(compiled)


@needs_kernel
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, events)
def test_backends_agree_on_random_expressions(tree: ast.Node, event: dict) -> None:
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    assert same(outcome(python, event), outcome(kernel, event))
    assert python.matches_many([event, event]) == kernel.matches_many([event, event])


@needs_kernel
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.lists(events, min_size=2, max_size=6))
def test_one_program_over_events_of_different_shapes(tree: ast.Node,
                                                     stream: list[dict]) -> None:
    """The kernel's path reads remember where each key sat in the last event's dicts
    (``src_ext/_dictprobe.h``); over a stream whose events hold the same keys in other
    orders, or lack them, the remembered positions miss as often as they hit."""
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    for event in stream:
        assert same(outcome(python, event), outcome(kernel, event))


# The shapes the kernel fuses into single nodes (a path and a literal, a function of a
# path and a literal), over values chosen to reach every branch of their fast paths:
# ASCII and non-ASCII text, case variants, ints beyond 2**53, NaN, bools, lists, null.
FIELD_VALUES = st.one_of(
    st.sampled_from(["premium", "Premium", "PREMIUM", "premiuM", "prem", "", "/cart", "ios",
                     "analytics-ios", "İstanbul", "straße", "ǅ", "Product X", "Order Completed",
                     True, False, None, 0, 1, -1, 100, 100.0, 2**53, 2**53 + 1, -(2**60), 1e300,
                     float("nan"), float("inf"), [], ["a"], {}, {"plan": "premium"}]),
    st.text(max_size=6),
    st.integers(),
    st.floats(),
)
FIELDS = st.sampled_from(["a", "traits.plan", "a.b.c", "list.0", "s"])
STRING_LITERALS = st.sampled_from(["premium", "PREMIUM", "", "ios", "/cart", "straße", "İ",
                                   "Product *", "a*b*c", "*"]).map(ast.String)
NUMBER_LITERALS = st.sampled_from([0, 1, 100, -5, 2.5, 2**53, 2**53 + 1, 10**30, 1e300,
                                   -0.0]).map(ast.Number)


def _path(text: str) -> ast.Node:
    return ast.Path(tuple(text.split(".")))


fused_shapes = st.one_of(
    st.tuples(st.sampled_from(["=", "!="]), FIELDS.map(_path), STRING_LITERALS).map(
        lambda t: ast.Compare(*t)),
    st.tuples(st.sampled_from(["=", "!="]), st.sampled_from(["lowercase", "uppercase"]),
              FIELDS.map(_path), STRING_LITERALS).map(
        lambda t: ast.Compare(t[0], ast.Call(t[1], (t[2],)), t[3])),
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), FIELDS.map(_path),
              NUMBER_LITERALS).map(lambda t: ast.Compare(*t)),
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), FIELDS.map(_path),
              NUMBER_LITERALS).map(lambda t: ast.Compare(t[0], ast.Call("length", (t[1],)),
                                                         t[2])),
    st.tuples(FIELDS.map(_path), st.lists(STRING_LITERALS, max_size=10)).map(
        lambda t: ast.In(t[0], ast.ListLit(tuple(t[1])))),
    st.tuples(st.sampled_from(["contains", "match"]), FIELDS.map(_path),
              STRING_LITERALS).map(lambda t: ast.Call(t[0], (t[1], t[2]))),
    st.tuples(st.sampled_from(["lowercase", "length"]), FIELDS.map(_path)).map(
        lambda t: ast.Call(t[0], (t[1],))),
    # top-level key equalities joined by `and` (W1's shape, one fused node)
    st.lists(st.tuples(st.sampled_from(["=", "!="]), st.sampled_from(["a", "s", "list"]),
                       STRING_LITERALS), min_size=2, max_size=4).map(
        lambda ts: ast.And(tuple(ast.Compare(op, ast.Path((key,)), text)
                                 for op, key, text in ts))),
)


def _event_with(value: object) -> dict[str, Any]:
    return {"a": value, "s": value, "traits": {"plan": value}, "list": [value],
            "a.b": value}


@needs_kernel
@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(fused_shapes, FIELD_VALUES)
def test_backends_agree_on_fused_shapes(tree: ast.Node, value: object) -> None:
    assert_agree_on_value(tree, value)


def assert_agree_on_value(tree: ast.Node, value: object) -> None:
    """Both builders give the same outcome for ``tree`` with ``value`` at every field
    of ``FIELDS`` (and with the fields missing)."""
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    for event in (_event_with(value), {"a": {"b": {"c": value}}}, {}):
        assert same(outcome(python, event), outcome(kernel, event)), (tree, event)


# Operands of an `and`/`or` that all test one path: the kernel reads the path once
# (SameSubject) and runs each test on the value, stopping where the chain would.
one_path_tests = st.tuples(
    st.sampled_from([ast.And, ast.Or]),
    FIELDS.map(_path),
    st.lists(st.sampled_from(["eq", "ne", "lower", "order", "length", "in", "contains",
                              "match"]), min_size=2, max_size=5),
    STRING_LITERALS,
    NUMBER_LITERALS,
)


def _one_path(args: tuple[Any, ...]) -> ast.Node:
    join, path, kinds, text, number = args
    shapes = {
        "eq": lambda: ast.Compare("=", path, text),
        "ne": lambda: ast.Compare("!=", path, text),
        "lower": lambda: ast.Compare("=", ast.Call("lowercase", (path,)), text),
        "order": lambda: ast.Compare(">", path, number),
        "length": lambda: ast.Compare("<=", ast.Call("length", (path,)), number),
        "in": lambda: ast.In(path, ast.ListLit((text, ast.String("/cart")))),
        "contains": lambda: ast.Call("contains", (path, text)),
        "match": lambda: ast.Call("match", (path, text)),
    }
    return join(tuple(shapes[kind]() for kind in kinds))


@needs_kernel
@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(one_path_tests.map(_one_path), FIELD_VALUES)
def test_backends_agree_on_tests_of_one_path(tree: ast.Node, value: object) -> None:
    assert_agree_on_value(tree, value)


@needs_kernel
@pytest.mark.parametrize("text", [
    'event = "Order Completed" or match(event, "Product *")',
    'type = "track" or type = "page" or type = "screen"',
    "length(userId) > 0 and userId != 'anonymous' and contains(userId, 'a')",
    "context.page.path in ['/', '/cart'] or lowercase(context.page.path) = '/checkout'",
])
def test_tests_of_one_path_read_it_once(text: str) -> None:
    """The kernel makes the tests of one path one node that reads the path once."""
    assert KERNEL is not None
    assert type(KERNEL(to_plan(fql.parse(text))).root).__name__ == "SameSubject"


ODD_VALUES = st.sampled_from([datetime.date(2024, 1, 1), b"x", (1, 2), {1}, object()])


@needs_kernel
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, ODD_VALUES, st.sampled_from(["type", "a", "n", "s"]))
def test_backends_agree_on_non_json_values(tree: ast.Node, odd: object, key: str) -> None:
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    event = {key: odd, "properties": {key: odd}}
    assert same(outcome(python, event), outcome(kernel, event))


@needs_kernel
@pytest.mark.parametrize("event", [None, [], "track", 5])
@pytest.mark.parametrize("text", ["type = 'track'", "all", "1 = 1"])
def test_backends_agree_on_non_object_events(text: str, event: Any) -> None:
    built = plans(fql.parse(text))
    assert built is not None
    for program in built:
        assert outcome(program, event) == ("error", "FQL603")
        with pytest.raises(fql.FqlEventError):
            program.matches_many([{}, event])


class Shadowed(dict):
    """A dict subclass whose reads say something other than its contents."""

    def get(self, key: Any, default: Any = None) -> Any:
        return "track"

    def __getitem__(self, key: Any) -> Any:
        return "track"


SUBCLASSES = st.sampled_from([collections.OrderedDict, Shadowed,
                              lambda d: collections.defaultdict(list, d)])


@st.composite
def subclassed(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with its dicts, the top one always, made into dict subclasses."""
    if isinstance(value, dict):
        items = {k: draw(subclassed(v)) for k, v in value.items()}
        return draw(SUBCLASSES)(items) if draw(st.booleans()) else items
    if isinstance(value, list):
        return [draw(subclassed(v)) for v in value]
    return value


@needs_kernel
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, events.flatmap(subclassed), SUBCLASSES)
def test_backends_agree_on_dict_subclasses(tree: ast.Node, event: dict, top: Any) -> None:
    """The kernel runs exact dicts only; a dict subclass, as the event or inside it, is
    read by the twin's code, through the subclass's own ``get``."""
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    event = top(event)
    assert same(outcome(python, event), outcome(kernel, event))
    assert python.matches_many([event, {}]) == kernel.matches_many([event, {}])
    assert python.filter([event, {}]) == kernel.filter([event, {}])


def test_a_shadowed_dict_is_read_through_its_get() -> None:
    top = fql.compile('type = "track" and event = "track"')
    inner = fql.compile('context.x = "track"')
    for build in (build_python, *([KERNEL] if KERNEL else [])):
        assert build(top.plan).matches(Shadowed())
        assert build(top.plan).matches_many([Shadowed(type="page"), {"type": "page"}]) == [
            True, False]
        event = {"context": Shadowed()}
        [kept] = build(inner.plan).filter([event, {"context": {}}])
        assert kept is event


@needs_kernel
def test_kernel_batch_entry_points() -> None:
    assert KERNEL is not None
    program = KERNEL(to_plan(fql.parse("type = 'track'")))
    events_ = [{"type": "track"}, {"type": "page"}]
    assert program.matches_many(events_) == [True, False]
    assert program.filter(events_) == [events_[0]]


def test_backend_is_named() -> None:
    assert fql.BACKEND in ("cython", "python")


# Every JSON kind in C: the conversions and case functions, globs with `?` and classes,
# `in` over literal lists that are not all strings, comparisons of two paths of any
# kinds (deep equality, string order), list steps in paths, over values of every kind
# (and texts that look like numbers, booleans or carry Unicode spaces).
KIND_VALUES = st.one_of(
    FIELD_VALUES,
    st.sampled_from([" 12 ", "-0", "01", "1.5e3", "1e", "-.5", "0.0", "12abc", "\u3000 7",
                     "true", "T", "False", "0", "yes", "a b\tc\nd", "a\u2003b", "\x1cx y",
                     "hello world", " lead", "ÿ b", "😀 x", "[abc]", "v1.2", "v1.x", "ab",
                     [1, 2.0, "a"], [[1], {"a": None}], {"a": [1, {"b": 2}]}, {"a": 1, "b": 2},
                     [None], 2**64, -(2**64), 3.0, 0.5]),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                     st.sampled_from(["a", "b"]), inner, max_size=2), max_leaves=5),
)
GLOBS = st.sampled_from(["v1.?", "[abc]*", "*[0-9]", "?", "??*", "[^a-c]*x", "a\\*b",
                         "*a?b*", "[a-]", "[", "[]", "\\", "*😀?", "[à-ÿ]*", "*?*"])
ITEM_LISTS = st.lists(st.sampled_from([ast.Number(1), ast.Number(2.0), ast.String("a"),
                                       ast.Bool(True), ast.Null(), ast.Number(2**64),
                                       ast.ListLit((ast.Number(1),))]), max_size=5)
KIND_FIELDS = st.sampled_from(["a", "traits.plan", "list.0", "list.1", "list.00", "a.0",
                               "s"])

kind_shapes = st.one_of(
    st.tuples(st.sampled_from(["typeof", "string", "number", "bool", "snakecase",
                               "kebabcase", "titlecase", "lowercase", "uppercase",
                               "length"]), KIND_FIELDS.map(_path)).map(
        lambda t: ast.Call(t[0], (t[1],))),
    st.tuples(KIND_FIELDS.map(_path), GLOBS.map(ast.String)).map(
        lambda t: ast.Call("match", t)),
    st.tuples(KIND_FIELDS.map(_path), ITEM_LISTS).map(
        lambda t: ast.In(t[0], ast.ListLit(tuple(t[1])))),
    st.tuples(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), KIND_FIELDS.map(_path),
              KIND_FIELDS.map(_path)).map(lambda t: ast.Compare(*t)),
    st.tuples(st.sampled_from(["=", "<", ">="]), KIND_FIELDS.map(_path),
              st.sampled_from([ast.Number(2), ast.Number(2**64), ast.Number(0.5),
                               ast.String("2024-06-01"), ast.Null(), ast.Bool(True)])).map(
        lambda t: ast.Compare(*t)),
    st.tuples(KIND_FIELDS.map(_path), KIND_FIELDS.map(_path)).map(
        lambda t: ast.In(t[0], t[1])),
    st.tuples(KIND_FIELDS.map(_path), KIND_FIELDS.map(_path)).map(
        lambda t: ast.Call("contains", t)),
)


def _event_of_kinds(value: object, other: object) -> dict[str, Any]:
    return {"a": value, "s": other, "traits": {"plan": value}, "list": [value, other]}


@needs_kernel
@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(kind_shapes, KIND_VALUES, KIND_VALUES)
def test_backends_agree_on_every_value_kind(tree: ast.Node, value: object,
                                            other: object) -> None:
    built = plans(tree)
    if built is None:
        return
    python, kernel = built
    for event in (_event_of_kinds(value, other), {"a": value}, {"list": value}, {}):
        assert same(outcome(python, event), outcome(kernel, event)), (tree, event)
