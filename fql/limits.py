"""Limits on rule text, as named settings (STYLE.md §12).

Each limit is enforced by the stage that owns it and has a boundary test: text of
exactly the limit passes, one more fails with :class:`~fql.errors.FqlLimitError`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    #: Segment caps an FQL statement at 5 KB (FQL-21); counted in UTF-8 bytes.
    max_source_bytes: int = 5 * 1024
    #: How deeply expressions may nest (parentheses, ``!``, calls, lists).
    max_depth: int = 64
    #: Items in one list literal.
    max_list_items: int = 1000


DEFAULT_LIMITS = Limits()
