"""A character-for-character model of the lexer behind Segment's trigger parser
(``@segment/fql-ts`` 1.10.1, ``src/lexer.ts``), bugs included.

It is written from the reference's observable behaviour, not translated: a cursor over
the text's UTF-16 code units (JS strings are UTF-16, and the reference indexes them that
way: an astral character is two "characters", neither of them a letter), with the
reference's one-character look-ahead and its back-up rules. The behaviours that make
hand-typed triggers go wrong all live here (conformance README quirks 2, 5, 6, 7, 11):

* ``and``/``or``/``null`` are keywords only in lower case and only when a terminator
  (whitespace, ``,``, ``]``, ``)``, end) follows; ``AND`` is an identifier;
* whitespace is space, tab and ``\\n`` only, so ``\\r`` is an invalid character;
* strings have no escapes, and a closing quote not followed by a terminator is given
  back and re-read as an *opening* quote (``"a"and b="c"`` swallows ``and b=``);
* numbers are digits with one optional ``.``, after an optional sign; ``1.`` followed by
  a terminator and a second ``.`` are errors, a lone ``-`` is a number token;
* an identifier must be followed by a terminator, ``.``, ``(``, ``=`` or ``!``;
* a keyword prefix cut short by the end of the text is consumed (``= an`` reads ``a``).

Rejected alternative: a regular-expression tokenizer. It reads the same *well-formed*
text, but cannot reproduce the back-up bugs, which decide what Segment does with
hand-typed triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: What the reference's reader returns at the end of the text (never equal to a char).
_EOS: Final = "<end>"
#: The reference's "bug catcher" lengths for one identifier, number or string.
MAX_TOKEN_LENGTH: Final = 100_000

IDENT, DOT, OPERATOR, CONDITIONAL, STRING, NUMBER, NULL = (
    "ident", "dot", "operator", "conditional", "string", "number", "null")
BRACKLEFT, BRACKRIGHT, PARENLEFT, PARENRIGHT, COMMA, EOS = (
    "brackleft", "brackright", "parenleft", "parenright", "comma", "eos")

_PUNCTUATION: Final = {".": DOT, "[": BRACKLEFT, "]": BRACKRIGHT, ",": COMMA,
                       "(": PARENLEFT, ")": PARENRIGHT}


@dataclass(frozen=True, slots=True)
class Token:
    """A token as the reference represents it (``type``, ``value`` text), plus where it
    came from: ``start``/``end`` offsets in UTF-16 code units of the source."""

    type: str
    value: str
    start: int
    end: int


class SegmentLexError(Exception):
    """The reference lexer threw; ``offset`` is the code unit where it stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _is_alpha(ch: str) -> bool:
    return len(ch) == 1 and ("a" <= ch <= "z" or "A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return len(ch) == 1 and "0" <= ch <= "9"


def _is_whitespace(ch: str) -> bool:
    return ch in (" ", "\t", "\n")


def _is_terminator(ch: str) -> bool:
    return ch == _EOS or ch in (" ", "\t", "\n", ",", "]", ")")


def _is_ident(ch: str) -> bool:
    return _is_alpha(ch) or _is_digit(ch) or ch in ("_", "-", "\\")


class _Cursor:
    """The reference's reader: ``next`` at the end does not advance, ``backup`` stops at
    the start."""

    __slots__ = ("pos", "units")

    def __init__(self, units: str) -> None:
        self.units = units
        self.pos = 0

    def next(self) -> str:
        if self.pos == len(self.units):
            return _EOS
        ch = self.units[self.pos]
        self.pos += 1
        return ch

    def peek(self) -> str:
        ch = self.next()
        if ch != _EOS:
            self.pos -= 1
        return ch

    def backup(self, count: int) -> None:
        self.pos = max(0, self.pos - count)

    def accept(self, word: str) -> bool:
        """Consume ``word`` if it is followed by a terminator. On a mismatch the read
        characters are given back — except when the text ends midway, where the
        reference returns without backing up (so ``an`` at the end loses its ``n``)."""
        read = ""
        for _ in word:
            ch = self.next()
            if ch == _EOS:
                return False
            read += ch
            if _is_terminator(ch):
                break
        if read == word and _is_terminator(self.peek()):
            return True
        self.backup(len(read))
        return False


def lex(units: str) -> list[Token]:
    """Tokens of ``units`` (the source as UTF-16 code units, one per ``str`` item),
    ending with an ``eos`` token. Raises :class:`SegmentLexError`."""
    cur = _Cursor(units)
    tokens: list[Token] = []
    while True:
        start = cur.pos
        ch = cur.next()
        if ch == _EOS:
            tokens.append(Token(EOS, "eos", start, start))
            return tokens
        if _is_whitespace(ch):
            continue
        if ch == "!" and (_is_alpha(cur.peek()) or cur.peek() == "("):
            kind, value = OPERATOR, "!"
        elif _is_alpha(ch) or ch in ("!", "=", ">", "<", "\\", "_"):
            kind, value = _operator_or_word(cur, ch)
        elif _is_digit(ch) or ch in ("-", "+"):
            kind, value = NUMBER, ch + _number_tail(cur)
        elif ch in ('"', "'"):
            kind, value = STRING, _string(cur, ch)
        elif ch in _PUNCTUATION:
            kind, value = _PUNCTUATION[ch], ch
        else:
            raise SegmentLexError(f"invalid character {ch!r}", start)
        tokens.append(Token(kind, value, start, cur.pos))


def _operator_or_word(cur: _Cursor, first: str) -> tuple[str, str]:
    if first == "=":
        return OPERATOR, "="
    if first == "!":
        if cur.accept("="):
            return OPERATOR, "!="
        raise SegmentLexError("expected '=' after '!'", cur.pos)
    if first in ("<", ">"):
        return (OPERATOR, first + "=") if cur.accept("=") else (OPERATOR, first)
    keyword = {"a": ("nd", CONDITIONAL, "and"), "o": ("r", CONDITIONAL, "or"),
               "n": ("ull", NULL, "null")}.get(first)
    if keyword is not None and cur.accept(keyword[0]):
        return keyword[1], keyword[2]
    return IDENT, _identifier(cur, first)


def _identifier(cur: _Cursor, first: str) -> str:
    """Identifier characters, ``\\x`` taking any ``x`` literally; what follows must end
    the identifier (a terminator, ``.``, ``(``, ``=`` or ``!``)."""
    text = ""
    ch = first
    while True:
        if ch == "\\":
            if cur.peek() == _EOS:
                raise SegmentLexError("nothing to escape after '\\'", cur.pos)
            ch = cur.next()
        text += ch
        if len(text) >= MAX_TOKEN_LENGTH:
            raise SegmentLexError("identifier too long", cur.pos)
        if not _is_ident(cur.peek()):
            break
        ch = cur.next()
    after = cur.peek()
    if not (_is_terminator(after) or after in (".", "(", "=", "!")):
        raise SegmentLexError(f"unexpected {after!r} after an identifier", cur.pos)
    return text


def _number_tail(cur: _Cursor) -> str:
    text = ""
    decimal = False
    coming = cur.peek()
    while _is_digit(coming) or coming == ".":
        text += cur.next()
        if coming == ".":
            if _is_terminator(cur.peek()):
                raise SegmentLexError("a number cannot end with '.'", cur.pos)
            if decimal:
                raise SegmentLexError("a number has one decimal point", cur.pos)
            decimal = True
        if len(text) >= MAX_TOKEN_LENGTH:
            raise SegmentLexError("number too long", cur.pos)
        coming = cur.peek()
    return text


def _string(cur: _Cursor, quote: str) -> str:
    """Everything up to the next ``quote`` — no escapes. The closing quote is kept only
    when a terminator follows it; otherwise it is given back (and re-read as an opening
    quote by the caller)."""
    body = ""
    while cur.peek() != quote:
        ch = cur.next()
        if ch == _EOS:
            raise SegmentLexError("unterminated string", cur.pos)
        body += ch
        if len(body) >= MAX_TOKEN_LENGTH:
            raise SegmentLexError("string too long", cur.pos)
    cur.accept(quote)
    return quote + body + quote
