"""Hypothesis strategies shared by the property tests: JSON values, events, FQL ASTs."""

from __future__ import annotations

from hypothesis import strategies as st

from fql import ast
from fql.functions import FUNCTIONS

KEYS = st.sampled_from(["type", "event", "userId", "properties", "context", "traits", "a",
                        "b", "name", "n", "s", "list", "0", "product 1", "a.b", "é"])

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=12),
)

json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=5),
    ),
    max_leaves=20,
)

events = st.dictionaries(KEYS, json_values, max_size=6)

paths = st.lists(KEYS, min_size=1, max_size=3).map(lambda segs: ast.Path(tuple(segs)))

literals = st.one_of(
    st.text(max_size=8).map(ast.String),
    st.integers(min_value=-(10**20), max_value=10**20).map(ast.Number),
    st.floats(allow_nan=False, allow_infinity=False).map(ast.Number),
    st.booleans().map(ast.Bool),
    st.just(ast.Null()),
)

atoms = st.one_of(paths, literals)




def _extend(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    calls = st.sampled_from(sorted(FUNCTIONS)).flatmap(
        lambda name: st.lists(children, min_size=FUNCTIONS[name].arity,
                              max_size=FUNCTIONS[name].arity).map(
            lambda args, name=name: ast.Call(name, tuple(args))))
    return st.one_of(
        st.tuples(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), children, children).map(
            lambda t: ast.Compare(*t)),
        st.tuples(children, children).map(lambda t: ast.In(*t)),
        children.map(ast.Not),
        st.lists(children, min_size=2, max_size=3).map(lambda ops: ast.And(tuple(ops))),
        st.lists(children, min_size=2, max_size=3).map(lambda ops: ast.Or(tuple(ops))),
        st.lists(children, max_size=3).map(lambda items: ast.ListLit(tuple(items))),
        calls,
    )


expressions = st.recursive(atoms, _extend, max_leaves=12)
