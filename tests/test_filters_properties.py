"""Property tests: applying any filter list to any JSON event never modifies the input
and never raises; dropping is the only way an event disappears."""

from __future__ import annotations

import copy
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fql.tsub as tsub
from fql.filters import FilterList, FilterReason
from fql.filters.errors import RuleEventError

KEYS = st.sampled_from(["userId", "event", "type", "email", "price", "products", "a", "0", ""])
SCALARS = st.none() | st.booleans() | st.integers(-10, 10**20) | st.floats(allow_nan=False) | (
    st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=4), inner,
                                                                 max_size=4),
    max_leaves=20,
)
EVENTS = st.dictionaries(KEYS | st.sampled_from(["properties", "context", "traits"]), JSON,
                         max_size=6)

PATHS = st.sampled_from(["", "properties", "context", "traits", "properties.products",
                         "context.traits", "properties.products.0", "nope.deeper"])
CONDITIONS = st.sampled_from([
    "all",
    "type = 'track'",
    "length( userId ) < 1",
    "contains( properties.email, '@' )",
    "properties.price > 10 or !( type in ['track', 'identify'] )",
    "match( event, 'Order *' )",
    "typeof( properties ) = 'object'",
    "userId = oops\"",          # invalid: fails closed
    "(((",
    "properties.products = ['a', 1]",
])
FIELD_MAPS = st.dictionaries(PATHS, st.lists(KEYS, max_size=3), max_size=3)
ACTIONS = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["DROP", "drop_event"])}),
    st.fixed_dictionaries({"type": st.sampled_from(["SAMPLE", "sample_event"]),
                           "percent": st.floats(0, 1)},
                          optional={"path": st.sampled_from(["userId", "properties", "x.y", ""])}),
    st.fixed_dictionaries({"type": st.sampled_from(["DROP_PROPERTIES", "ALLOW_PROPERTIES",
                                                    "whitelist_fields", "blocklist_fields"]),
                           "fields": FIELD_MAPS}),
)
FILTERS = st.lists(
    st.fixed_dictionaries({"if": CONDITIONS, "actions": st.lists(ACTIONS, min_size=1, max_size=3)},
                          optional={"enabled": st.booleans(), "title": st.text(max_size=5)}),
    max_size=10,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters=FILTERS, event=EVENTS, seed=st.integers(0, 2**32))
def test_apply_never_mutates_and_never_raises(filters, event, seed):
    before = copy.deepcopy(event)
    filter_list = FilterList.load(filters, rng=random.Random(seed))
    result = filter_list.apply(event)
    assert event == before
    assert result.dropped == (result.event is None)
    if result.dropped:
        assert result.reason in (FilterReason.DROPPED, FilterReason.SAMPLED_OUT,
                                 FilterReason.INVALID_RULE)
        assert result.filter_index is not None
    else:
        assert (result.reason is None) == (result.event is event)


@settings(max_examples=200, deadline=None)
@given(filters=FILTERS, event=EVENTS)
def test_the_same_event_gets_the_same_answer_without_random_sampling(filters, event):
    for f in filters:
        for action in f["actions"]:
            if action.get("type") in ("SAMPLE", "sample_event"):
                action["path"] = "userId"  # consistent sampling only
    filter_list = FilterList.load(filters)
    first = filter_list.apply(event)
    assert filter_list.apply(event) == first


TRANSFORMERS = st.lists(st.one_of(
    st.fixed_dictionaries({"type": st.just("drop_properties"),
                           "config": st.fixed_dictionaries({"drop": FIELD_MAPS})}),
    st.fixed_dictionaries({"type": st.just("allow_properties"),
                           "config": st.fixed_dictionaries({"allow": FIELD_MAPS})}),
    st.fixed_dictionaries({"type": st.just("map_properties"), "config": st.fixed_dictionaries({
        "map": st.dictionaries(st.sampled_from(["a", "properties.x", "context.y.z", "traits"]),
                               st.fixed_dictionaries({}, optional={
                                   "set": JSON, "copy": PATHS, "move": PATHS,
                                   "to_string": st.booleans()}),
                               max_size=3)})}),
), max_size=4)


@settings(max_examples=300, deadline=None)
@given(transformers=TRANSFORMERS, event=EVENTS)
def test_tsub_transform_never_mutates(transformers, event):
    before = copy.deepcopy(event)
    try:
        tsub.transform(event, transformers)
    except RuleEventError as err:  # a write through a null parent, as tsub throws
        assert err.code == "FLT301"
    assert event == before
