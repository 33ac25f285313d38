"""``check_trigger(text)``: what ``fql.check`` says, plus what is special about triggers.

* ``TRG2xx`` (errors): constructs the condition tree cannot express (``default`` mode
  refuses them): other functions, ``in``, ``typeof``, two fields compared, ...
* ``TRG1xx`` (warnings): the text reads differently in Segment's trigger parser than in
  FQL. Both readings are computed; when the trees differ (or only one reader accepts the
  text), each rule below that recognises a cause reports it at its place, and
  ``TRG100`` reports the difference itself when no rule names the cause.

Each rule is a function over Segment's token stream whose docstring is its
documentation (docs/semantics/triggers.md lists the codes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

from fql.check import check
from fql.diagnostics import Diagnostic

from .errors import TriggerError
from .from_fql import Converter, parse_fql
from .generate import generate
from .segment_lexer import (
    CONDITIONAL,
    DOT,
    IDENT,
    NUMBER,
    OPERATOR,
    PARENLEFT,
    PARENRIGHT,
    STRING,
    Token,
)
from .segment_parser import SourceMap, read, tokenize

Rule = Callable[[SourceMap, list[Token]], Iterator[Diagnostic]]

_DECODED_ESCAPE = re.compile(r"""\\(?:["'\\nrt]|u[0-9a-fA-F]{4})""")
_FUNCTIONS = ("contains", "match")


def check_trigger(text: str) -> list[Diagnostic]:
    """Every finding for trigger ``text``, sorted by place."""
    found = list(check(text))
    default_tree = _default_reading(text, found)
    try:
        segment_tree: dict[str, Any] | None = read(text)
    except TriggerError:
        segment_tree = None
    if (default_tree is None) != (segment_tree is None) or (
            default_tree is not None and not same_tree(default_tree, segment_tree)):
        found.extend(_differences(text, segment_tree))
    return sorted(found, key=lambda d: (d.line, d.column, d.code))


def _default_reading(text: str, found: list[Diagnostic]) -> dict[str, Any] | None:
    if any(d.severity == "error" for d in found):
        return None
    converter = Converter(text)
    tree = converter.convert(parse_fql(text))
    found.extend(problem.diagnostic() for problem in converter.problems)
    return None if converter.problems else tree


def same_tree(a: Any, b: Any) -> bool:
    """Tree equality with JS number semantics (NaN equals NaN, 5 equals 5.0, but a
    boolean is not a number)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_tree, a, b))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _differences(text: str, segment_tree: dict[str, Any] | None) -> list[Diagnostic]:
    try:
        source, tokens = tokenize(text)
    except TriggerError as exc:
        return [Diagnostic.at(exc.span, "TRG108", exc.message, "warning",
                              hint="Segment's trigger parser returns an error for this "
                              "text, so the mapping never runs")]
    found = [d for rule in RULES for d in rule(source, tokens)]
    if found:
        return found
    if segment_tree is None:
        message = "Segment's trigger parser cannot read this text"
    else:
        try:
            reading = generate(segment_tree)
        except TriggerError:
            reading = repr(segment_tree)
        message = f"Segment's trigger parser reads this as: {reading}"
    return [Diagnostic.at(source.span(0, len(source.units)), "TRG100", message, "warning")]


def _at(source: SourceMap, token: Token, code: str, message: str,
        hint: str | None = None) -> Diagnostic:
    return Diagnostic.at(source.span(token.start, max(token.end, token.start + 1)), code,
                         message, "warning", hint=hint)


def precedence(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG101: ``and`` and ``or`` mixed in one parenthesis level. Segment's parser has
    no precedence: the *last* conjunction of a level joins every condition of it
    (quirk 1), so ``a and b or c`` is an OR of all three."""
    levels: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.type == PARENLEFT:
            levels.append([])
        elif tok.type == PARENRIGHT and len(levels) > 1:
            yield from _mixed(source, levels.pop())
        elif tok.type == CONDITIONAL:
            levels[-1].append(tok)
    for level in levels:
        yield from _mixed(source, level)


def _mixed(source: SourceMap, conjunctions: list[Token]) -> Iterator[Diagnostic]:
    if len({tok.value for tok in conjunctions}) > 1:
        last = conjunctions[-1].value.upper()
        count = len(conjunctions) + 1
        yield _at(source, conjunctions[0], "TRG101",
                  f"Segment reads this as an {last} of all {count} conditions (no and/or "
                  "precedence in its trigger parser)",
                  "add parentheses around the 'and' conditions")


def upper_case_conjunction(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG102: ``AND``/``OR`` in capitals. Segment's lexer reads them as names and its
    parser skips them (quirk 2): the level's lower-case conjunction (default ``and``)
    joins the conditions around them."""
    for tok in tokens:
        if tok.type == IDENT and tok.value.lower() in ("and", "or") and \
                tok.value != tok.value.lower():
            yield _at(source, tok, "TRG102", f"Segment ignores {tok.value!r}; only lower-case "
                      "'and'/'or' join conditions", f"write {tok.value.lower()!r}")


def nested_parentheses(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG103: parentheses inside a parenthesised group. Segment's parser collects a
    group up to the *first* ``)`` (quirk 3): a nested group is an error, and a
    ``contains()``/``match()`` that is not the last thing in its group ends the group
    early, so the rest of it spills into the outer level."""
    groups: list[bool] = []  # True for a function call's parentheses
    for i, tok in enumerate(tokens):
        if tok.type == PARENLEFT:
            call = i > 0 and tokens[i - 1].type == IDENT and tokens[i - 1].value in _FUNCTIONS
            if not call and any(not is_call for is_call in groups):
                yield _at(source, tok, "TRG103", "Segment's trigger parser cannot read "
                          "nested parentheses: it returns an error (or ends the outer group "
                          "here)", "flatten the groups: Segment's UI builds one level only")
            groups.append(call)
        elif tok.type == PARENRIGHT and groups:
            call = groups.pop()
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if call and any(not is_call for is_call in groups) and (
                    following is None or following.type != PARENRIGHT):
                yield _at(source, tok, "TRG103", "Segment's trigger parser ends the group at "
                          "this ')': the rest of the group spills into the outer level",
                          "put contains()/match() last in its group")


def negated_group(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG104: ``!(...)``. Segment's parser only negates ``contains``/``match`` and
    silently drops a ``!`` before a parenthesis (quirk 4)."""
    for tok, nxt in pairwise(tokens):
        if tok.type == OPERATOR and tok.value == "!" and nxt.type == PARENLEFT:
            yield _at(source, tok, "TRG104", "Segment ignores this '!' (it negates only "
                      "contains() and match())", "negate each condition instead")


def single_quotes(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG105: a single-quoted string. Segment strips only double quotes (quirk 6), so
    ``'Order Completed'`` is compared *with* its quotes and never matches."""
    for tok in tokens:
        if tok.type == STRING and tok.value.startswith("'"):
            yield _at(source, tok, "TRG105", "Segment keeps single quotes in the value "
                      f"(it compares with {tok.value})", "use double quotes")


def string_escapes(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG106: a backslash escape in a string. Segment's lexer has no escapes (quirk 6):
    ``\\n`` stays a backslash and an ``n``, and ``\\"`` ends the string."""
    for tok in tokens:
        if tok.type == STRING and (_DECODED_ESCAPE.search(tok.value[1:-1])
                                   or tok.value[1:-1].endswith("\\")):
            yield _at(source, tok, "TRG106", "Segment does not decode escapes in strings",
                      "trigger values cannot contain '\"' (EC-16)")


def glued_quote(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG107: a closing quote followed by something other than a space, tab, newline,
    ``,``, ``)`` or ``]`` (a letter, ``\\r``, another quote). Segment's lexer re-reads
    that quote as an *opening* quote (quirk 6): the text up to the next quote becomes a
    string and the conditions in it disappear."""
    for tok in tokens:
        if tok.type == STRING and tok.end - tok.start != len(tok.value):
            yield _at(source, tok, "TRG107", "Segment re-reads the closing quote of this "
                      "string as an opening quote, swallowing what follows",
                      "put a space after the closing quote (values cannot contain '\"')")


def unreadable_path(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG109: a field path with a segment Segment's lexer does not read as a name: it
    starts with a digit or ``-`` (``properties.1st``), or is ``or``/``and``/``null``.
    Segment's parser makes a condition that never matches of it (quirk 11)."""
    for tok, nxt in pairwise(tokens):
        if tok.type == IDENT and nxt.type == DOT:
            yield _at(source, nxt, "TRG109", "Segment's trigger parser cannot read the "
                      "path segment after this '.'", "Segment's UI writes such names too; "
                      "its own parser misreads them")


def exponent(source: SourceMap, tokens: list[Token]) -> Iterator[Diagnostic]:
    """TRG110: a number with an exponent (``25e0``). Segment's lexer has no exponents
    (quirk 7): it reads the digits, then a word that its parser ignores."""
    for before, tok, nxt in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if tok.type == NUMBER and nxt.type == IDENT and nxt.start == tok.end and \
                before.type != DOT:
            yield _at(source, tok, "TRG110", f"Segment reads this number as {tok.value} "
                      f"and ignores {nxt.value!r}", "write the number without an exponent")


RULES: tuple[Rule, ...] = (
    precedence,
    upper_case_conjunction,
    nested_parentheses,
    negated_group,
    single_quotes,
    string_escapes,
    glued_quote,
    unreadable_path,
    exponent,
)
