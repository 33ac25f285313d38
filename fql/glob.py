"""Glob matching for ``match(string, pattern)`` (FQL-14, EC-06).

Syntax: ``*`` any run of characters (crossing ``/``), ``?`` exactly one character,
``[abc]`` ``[a-z]`` ``[^a]`` classes, ``\\x`` a literal ``x``. The whole string must
match; a malformed pattern (unclosed class, trailing ``\\``, empty class, reversed
range) matches nothing.

Algorithm: split the pattern at its stars. Every piece between stars matches a fixed
number of characters, so the leftmost occurrence of each middle piece is always the
best choice (a later one only leaves less room for the rest). Matching is therefore one
anchored check for the first and last piece and one left-to-right search per middle
piece: O(len(text) × len(pattern)) at worst, never exponential. Each piece is compiled
to a regular expression with no quantifiers, so the search runs in C. Translating the
whole glob into one regex (``.*`` for ``*``) was rejected: Python's backtracking engine
is polynomial of high degree on patterns like ``*a*a*a*b``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .records import record


class _BadPattern(Exception):
    pass


@record
class Glob:
    """A compiled pattern. Without stars, ``head`` must match the whole text; with
    stars, ``head`` is anchored at the start, ``tail`` at the end, and each of
    ``middles`` is searched left to right in between. ``valid`` is false for a
    malformed pattern, which matches nothing."""

    pattern: str
    valid: bool
    has_star: bool = False
    head: _Piece | None = None
    middles: tuple[_Piece, ...] = ()
    tail: _Piece | None = None
    #: For patterns made only of literal text and ``*`` (``Product *``, ``*@x.com``):
    #: the text split at the stars, matched with ``startswith``/``find``/``endswith``
    #: instead of regular expressions (the kernel uses the same split).
    literal_parts: tuple[str, ...] | None = None
    #: The same pieces as code points for an automaton (the kernel's): per piece
    #: between stars, a flat tuple of tokens ``(LITERAL, c)``, ``(ANY,)`` or
    #: ``(CLASS, negate, n, lo1, hi1, ..., lon, hin)``; None for a malformed pattern.
    tokens: tuple[tuple[int, ...], ...] | None = None

    def match(self, text: str) -> bool:
        """Whether ``text`` matches the whole pattern; an invalid pattern matches nothing.
        Literal-and-star patterns use plain string searches, the rest the compiled pieces.
        """
        parts = self.literal_parts
        if parts is not None:
            return match_literal_parts(text, parts)
        if not self.valid:
            return False
        head = self.head
        if not self.has_star:
            return (
                head is not None
                and len(text) == head.width
                and head.regex.match(text) is not None
            )
        start, end = 0, len(text)
        if head is not None:
            if head.width > end or head.regex.match(text) is None:
                return False
            start = head.width
        tail = self.tail
        if tail is not None:
            if end - tail.width < start or tail.regex.match(text, end - tail.width) is None:
                return False
            end -= tail.width
        for piece in self.middles:
            found = piece.regex.search(text, start, end)
            if found is None:
                return False
            start = found.end()
        return True


@record
class _Piece:
    """A star-free stretch of pattern: a quantifier-free regex of fixed ``width``."""

    regex: re.Pattern[str]
    width: int


def match_literal_parts(text: str, parts: tuple[str, ...]) -> bool:
    """Glob match for a star-separated literal pattern (``parts`` = pattern split at
    ``*``): the same greedy leftmost algorithm as :meth:`Glob.match`."""
    if len(parts) == 1:
        return text == parts[0]
    head, tail = parts[0], parts[-1]
    if len(text) < len(head) + len(tail) or not text.startswith(head) or \
            not text.endswith(tail):
        return False
    start, end = len(head), len(text) - len(tail)
    for piece in parts[1:-1]:
        if piece:
            found = text.find(piece, start, end)
            if found < 0:
                return False
            start = found + len(piece)
    return True


#: Token codes of :attr:`Glob.tokens`.
LITERAL, ANY, CLASS = 0, 1, 2


def _class(pattern: str, i: int) -> tuple[str, int, tuple[int, ...]]:
    """Translate the class starting after ``[`` at ``i``; return (regex, next index,
    its ``CLASS`` token)."""
    n = len(pattern)
    negate = i < n and pattern[i] == "^"
    if negate:
        i += 1
    parts: list[str] = []
    ranges: list[int] = []
    while True:
        if i >= n:
            raise _BadPattern
        ch = pattern[i]
        if ch == "]" and parts:
            token = (CLASS, int(negate), len(ranges) // 2, *ranges)
            return ("[^" if negate else "[") + "".join(parts) + "]", i + 1, token
        lo, i = _class_char(pattern, i)
        if i < n and pattern[i] == "-" and i + 1 < n and pattern[i + 1] != "]":
            hi, i = _class_char(pattern, i + 1)
            if hi < lo:
                raise _BadPattern
            parts.append(f"{re.escape(lo)}-{re.escape(hi)}")
            ranges += (ord(lo), ord(hi))
        else:
            parts.append(re.escape(lo))
            ranges += (ord(lo), ord(lo))


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    ch = pattern[i]
    if ch == "\\":
        if i + 1 >= len(pattern):
            raise _BadPattern
        return pattern[i + 1], i + 2
    if ch in "-]":
        raise _BadPattern
    return ch, i + 1


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> Glob:
    """Compile ``pattern`` once (cached); malformed patterns compile to never-match."""
    try:
        raw_pieces: list[list[str]] = [[]]
        tokens: list[list[int]] = [[]]
        i, n = 0, len(pattern)
        while i < n:
            ch = pattern[i]
            if ch == "*":
                raw_pieces.append([])
                tokens.append([])
                i += 1
            elif ch == "?":
                raw_pieces[-1].append("(?s:.)")
                tokens[-1].append(ANY)
                i += 1
            elif ch == "[":
                cls, i, token = _class(pattern, i + 1)
                raw_pieces[-1].append(cls)
                tokens[-1] += token
            elif ch == "\\":
                if i + 1 >= n:
                    raise _BadPattern
                raw_pieces[-1].append(re.escape(pattern[i + 1]))
                tokens[-1] += (LITERAL, ord(pattern[i + 1]))
                i += 2
            else:
                raw_pieces[-1].append(re.escape(ch))
                tokens[-1] += (LITERAL, ord(ch))
                i += 1
    except _BadPattern:
        return Glob(pattern, False)
    flat = tuple(tuple(piece) for piece in tokens)
    literal = None if any(c in pattern for c in "?[\\") else tuple(pattern.split("*"))
    pieces = [_Piece(re.compile("".join(p), re.DOTALL), len(p)) if p else None for p in raw_pieces]
    if len(pieces) == 1:
        only = pieces[0] or _Piece(re.compile(""), 0)
        return Glob(pattern, True, False, only, literal_parts=literal, tokens=flat)
    middles = tuple(p for p in pieces[1:-1] if p is not None)
    return Glob(pattern, True, True, pieces[0], middles, pieces[-1], literal, flat)


def glob_match(text: str, pattern: str) -> bool:
    """``match(text, pattern)`` for two strings."""
    return compile_glob(pattern).match(text)
