"""``split_path``'s plain-dots shortcut against Segment's splitting rules (the regex
path), and ``compile_mapping``'s copy of its source."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import actions
from actions.mapping.values import _PATH_SPLIT, _QUOTES, split_path

PATH_TEXT = st.lists(st.sampled_from(["a", "b", ".", "..", "[", "]", "'", '"', "0", "12",
                                      "$", " ", "é"]), max_size=12).map("".join)


def by_regex(path: str) -> tuple[str, ...]:
    if path in ("", "."):
        return ()
    return tuple(_QUOTES.sub("", piece) for piece in _PATH_SPLIT.split(path) if piece)


@given(PATH_TEXT)
def test_split_path_matches_the_regex_rules(path: str) -> None:
    assert split_path(path) == by_regex(path)


def test_split_path_examples() -> None:
    assert split_path("properties.products[0].price") == ("properties", "products", "0", "price")
    assert split_path("a..b.") == ("a", "b")
    assert split_path("a['b.c']") == ("a", "b", "c")
    assert split_path(".") == ()


def test_the_compiled_mapping_keeps_its_own_copy_of_the_source() -> None:
    source = {"a": {"@path": "$.x"}, "b": [1, {"c": "d"}], "e": None}
    mapping = actions.compile_mapping(source)
    source["b"][1]["c"] = "changed"
    source["a"]["@path"] = "$.y"
    assert mapping.source == {"a": {"@path": "$.x"}, "b": [1, {"c": "d"}], "e": None}
    assert mapping.source["b"] is not source["b"]
