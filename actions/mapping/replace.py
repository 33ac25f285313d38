"""``@replace`` at run time: literal search-and-replace with JavaScript's semantics.

``String.prototype.replace`` with a string pattern replaces the first match (all of
them with ``replaceAll``-like ``global``), and the replacement text may hold the tokens
``$&`` (the match), ``$``` (the text before it) and ``$'`` (the text after it). The
compiler (:mod:`actions.mapping.compiler`) parses the replacement once into
:attr:`Replacer.parts`; a case-insensitive search is a regex built at compile time.
"""

from __future__ import annotations

import re
from typing import Any

from .nodes import Node
from .values import to_string

#: Tokens of a parsed replacement (:attr:`Replacer.parts`): ``$&``, ``$``` and ``$'``.
MATCH, BEFORE, AFTER = 0, 1, 2


class Replacer:
    """One literal search-and-replace of ``@replace``. ``regex`` is set for
    case-insensitive search (JS ``i`` flag canonicalisation, built at compile time);
    ``parts`` is the replacement split into text and the JS tokens ``$&`` (:data:`MATCH`),
    ``$``` (:data:`BEFORE`) and ``$'`` (:data:`AFTER`), or ``None`` when it is plain text."""

    __slots__ = ("error", "global_", "parts", "pattern", "regex", "replacement")

    def __init__(
        self,
        pattern: str,
        regex: re.Pattern[str] | None,
        replacement: str,
        parts: tuple[str | int, ...] | None,
        global_: bool,
        error: str | None,
    ) -> None:
        self.pattern = pattern
        self.regex = regex
        self.replacement = replacement
        self.parts = parts
        self.global_ = global_
        self.error = error

    def apply(self, text: str) -> str:
        """``text`` with this step's replacement applied (first match, or all with
        ``global``), JS replacement tokens expanded."""
        if self.regex is None and self.parts is None:
            return text.replace(self.pattern, self.replacement, -1 if self.global_ else 1)
        if self.regex is not None:
            spans = [m.span() for m in self.regex.finditer(text)]
        else:
            spans = []
            size = len(self.pattern)
            start = text.find(self.pattern)
            while start >= 0:
                spans.append((start, start + size))
                start = text.find(self.pattern, start + size)
        if not self.global_:
            spans = spans[:1]
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(text[last:start])
            if self.parts is None:
                out.append(self.replacement)
            else:
                for part in self.parts:
                    if part == MATCH:
                        out.append(text[start:end])
                    elif part == BEFORE:
                        out.append(text[:start])
                    elif part == AFTER:
                        out.append(text[end:])
                    else:
                        out.append(part)  # type: ignore[arg-type]  # ints are the 3 tokens
            last = end
        out.append(text[last:])
        return "".join(out)


class ReplaceNode(Node):
    """``@replace``: numbers and booleans are stringified, any other non-string gives
    ``""``; ``steps`` are the one or two replacements, ``None`` when an option has a
    type Segment does not accept (then every value gives ``""``). A step whose
    ``error`` is set throws (Segment checks pattern lengths only at that point)."""

    __slots__ = ("steps", "value")

    def __init__(
        self, where: str, depth: int, value: Node, steps: tuple[Replacer, ...] | None
    ) -> None:
        super().__init__(where, depth)
        self.value = value
        self.steps = steps

    def ev(self, payload: Any) -> Any:
        value = self.value.peek(payload)
        t = type(value)
        if t is not str:
            if t is bool or t is int or t is float:
                value = to_string(value, self.depth)
            else:
                return ""
        if self.steps is None:
            return ""
        for step in self.steps:
            if step.error is not None:
                raise self.fail(step.error)
            value = step.apply(value)
        return value

    out = peek = ev


