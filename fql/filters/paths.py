"""Field paths and copy-on-write edits shared by ``fql.filters`` and ``fql.tsub``.

Destination filters and tsub address fields the same way, because the Public API's
``fields`` map is what Segment's device-mode engine receives as its ``drop``/``allow``
config: a key is a dot path to an object (``""`` is the event itself), the names are
keys of that object, and when the path leads to an array every element is filtered
(``{"properties.products": ["price"]}`` removes ``price`` from every product, DF-09,
EC-12). Lookups follow tsub's ``dlv``: split on ``.``, index arrays with canonical
integer segments, and stop (missing) past a JS-falsy value. A key that contains a dot
cannot be addressed (conformance quirk 43).

Edits are copy-on-write: the input is never modified; the containers on the path to a
change are shallow-copied and everything else is shared. Returning the very same object
means "nothing changed", so callers can tell cheaply. Rejected alternative: deep-copying
every event before filtering, which costs O(event) even when a filter only drops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from .. import values as _values
from ..js import UNDEFINED, js_truthy
from ..js import array_index as _array_index
from ..limits import DEFAULT_EVENT_DEPTH
from .errors import RuleEventError

#: JS ``undefined``: a field that is not there (distinct from JSON ``null``).
MISSING: Final = UNDEFINED


def require_event(event: Any) -> dict[str, Any]:
    """``event`` itself if it is a JSON object (dict); else :class:`RuleEventError`."""
    if not isinstance(event, dict):
        raise RuleEventError(f"an event must be a JSON object (dict), not {type(event).__name__}")
    return event


def split_path(path: str) -> tuple[str, ...]:
    """A tsub/filter dot path as segments (``""`` is the root, no segments)."""
    return tuple(path.split(".")) if path else ()


def array_index(container: list[Any], segment: str) -> int | None:
    """The index of ``container`` that ``segment`` names (:func:`fql.js.array_index`),
    or None when it names none or is past the end, as JS property access reads it."""
    index = _array_index(segment)
    return index if 0 <= index < len(container) else None


def child(container: Any, segment: str) -> Any:
    """``container[segment]`` for a JSON container, ``MISSING`` when absent."""
    if isinstance(container, dict):
        return container.get(segment, MISSING)
    if isinstance(container, list):
        index = array_index(container, segment)
        return MISSING if index is None else container[index]
    return MISSING


def get(event: Any, segments: Iterable[str]) -> Any:
    """tsub's ``dlv`` lookup: the value at the path, ``MISSING`` when absent or when an
    intermediate value is JS-falsy."""
    value = event
    for segment in segments:
        value = child(value, segment) if js_truthy(value) else MISSING
    return value


def with_child(container: dict[str, Any] | list[Any], segment: str, value: Any) -> Any:
    """A shallow copy of ``container`` with one child replaced."""
    if isinstance(container, dict):
        copy = dict(container)
        copy[segment] = value
        return copy
    copy_list = list(container)
    index = array_index(copy_list, segment)
    assert index is not None  # only called for children that ``child`` found
    copy_list[index] = value
    return copy_list


def edit_at(event: Any, segments: tuple[str, ...], edit: Callable[[Any], Any]) -> Any:
    """Copy-on-write: apply ``edit`` to the value at ``segments`` (if it exists) and
    return the event with the new value, or ``event`` itself if ``edit`` returned its
    argument unchanged."""
    if not segments:
        return edit(event)
    if not js_truthy(event):
        return event
    old = child(event, segments[0])
    if old is MISSING:
        return event
    new = edit_at(old, segments[1:], edit)
    return event if new is old else with_child(event, segments[0], new)


def filter_keys(
    event: Any,
    parent: str,
    names: Iterable[str],
    *,
    allow: bool,
    removed: set[str] | None = None,
) -> Any:
    """Drop ``names`` from the object at ``parent`` (or keep only them, ``allow=True``);
    when ``parent`` is an array, do it to every element. Non-objects are skipped. An
    element that is itself an array loses the named indices to holes, which JSON writes
    as ``null`` (tsub ``delete``s them; quirk 43). Removed paths are added to ``removed``
    (``properties.products.price``, once however many elements lost it)."""
    wanted = frozenset(names)
    prefix = f"{parent}." if parent else ""

    def filter_one(obj: Any) -> Any:
        if isinstance(obj, dict):
            gone = [key for key in obj if (key in wanted) != allow]
            if not gone:
                return obj
            if removed is not None:
                removed.update(prefix + key for key in gone)
            return {key: value for key, value in obj.items() if (key in wanted) == allow}
        if isinstance(obj, list):
            indices = [i for i, item in enumerate(obj) if (str(i) in wanted) != allow]
            if not indices:
                return obj
            if removed is not None:
                removed.update(f"{prefix}{i}" for i in indices)
            copy = list(obj)
            for i in indices:
                copy[i] = None
            return copy
        return obj

    def filter_matched(matched: Any) -> Any:
        if not isinstance(matched, list):
            return filter_one(matched)
        items = [filter_one(item) for item in matched]
        return matched if all(a is b for a, b in zip(items, matched, strict=True)) else items

    return edit_at(event, split_path(parent), filter_matched)


def json_copy(value: Any, max_depth: int = DEFAULT_EVENT_DEPTH) -> Any:
    """:func:`fql.values.json_copy` raising :class:`RuleEventError`, as every filter,
    tsub rule and transformation reports a bad event."""
    return _values.json_copy(value, max_depth, RuleEventError)


def check_json(value: Any, max_depth: int = DEFAULT_EVENT_DEPTH) -> None:
    """Raise :class:`RuleEventError` unless ``value`` is a JSON value of bounded depth."""
    _values.json_copy(value, max_depth, RuleEventError)
