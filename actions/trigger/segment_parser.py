"""``segment`` mode: how Segment's trigger parser (``parseFql`` in
``packages/destination-subscriptions/src/parse-fql.ts``) reads text, bugs included.

The reference walks the token list once, left to right, keeping per parenthesis level a
list of conditions and *one* conjunction — the last ``and``/``or`` it saw (quirk 1: no
precedence). A ``(`` collects tokens up to the *first* ``)`` and parses them as a level
(quirk 3: no nesting; a function's own ``)`` ends the group). Everything it does not
recognise (unknown roots, ``AND``, stray strings, ``!`` before ``(``) is skipped
(quirks 2, 4, 10). A field token is followed by exactly one operator token and one value
token, whatever they are (``type =`` takes the end marker as its value, "eos").

Where the reference throws (a lexer error, nothing parsed, a missing token, an unclosed
or nested parenthesis) it returns ``{error}`` with a generic message; we raise
:class:`TriggerError` with a ``TRG0xx`` code, the place and the reason instead, and keep
the reference's own message in ``segment_message``.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final

from fql.diagnostics import Span
from fql.js import utf16_units
from fql.limits import DEFAULT_TRIGGER_LIMITS

from .conditions import NULL_WORD, ROOTS, Literal, comparison, condition, literal_string, negated
from .errors import TriggerError
from .segment_lexer import (
    CONDITIONAL,
    DOT,
    EOS,
    IDENT,
    NUMBER,
    OPERATOR,
    PARENLEFT,
    PARENRIGHT,
    STRING,
    SegmentLexError,
    Token,
    lex,
)

#: Names every JS object inherits: ``tokenToConditionType[word]`` is truthy for them, so
#: the reference consumes an operator and a value after them and builds nothing.
_OBJECT_PROTOTYPE: Final = frozenset({
    "constructor", "__proto__", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
    "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
})
#: Function arguments are tested against roots with a prefix match (quirk 10).
_FUNCTION_ROOTS: Final = (("properties", "event-property"), ("traits", "event-trait"),
                          ("context", "event-context"))
_UNDEFINED_TYPE: Final = "Cannot read properties of undefined (reading 'type')"


class _Thrown(Exception):
    """The reference threw while parsing: ``code``, our reason, its message, where."""

    def __init__(self, code: str, reason: str, js_message: str, token: Token | None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.js_message = js_message
        self.token = token


class SourceMap:
    """Converts the lexer's UTF-16 offsets into the code point offsets of the source."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.units = "".join(utf16_units(text))
        self._points: list[int] | None = None
        if len(self.units) != len(text):
            self._points = [i for i, ch in enumerate(text)
                            for _ in range(2 if ord(ch) > 0xFFFF else 1)]
            self._points.append(len(text))

    def offset(self, unit: int) -> int:
        """The offset in the original text of UTF-16 unit ``unit`` (Segment's lexer
        counts UTF-16 units; spans are reported in Python characters)."""
        return unit if self._points is None else self._points[min(unit, len(self._points) - 1)]

    def span(self, start: int, end: int) -> Span:
        """The span in the original text of UTF-16 units ``start`` to ``end``."""
        a, b = self.offset(start), self.offset(end)
        return Span.from_offsets(self.text, a, max(b, a + 1) if a < len(self.text) else b)


def from_units(units: str) -> str:
    """A value read from code units, as a normal Python string (surrogate pairs joined,
    lone surrogates kept)."""
    if not any("\ud800" <= ch <= "\udfff" for ch in units):
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def tokenize(
    text: str, max_bytes: int = DEFAULT_TRIGGER_LIMITS.max_text_bytes
) -> tuple[SourceMap, list[Token]]:
    """The reference's tokens for ``text`` (identifier runs joined by ``normalize``).
    Raises :class:`TriggerError` (``TRG001``) where the reference lexer throws, and
    ``TRG005`` for text over ``TriggerLimits.max_text_bytes`` (the reading is quadratic
    in the worst case, so the cap comes first)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise TriggerError(
            f"trigger text is {size} bytes; the limit is {max_bytes} "
            "(TriggerLimits.max_text_bytes)", code="TRG005")
    source = SourceMap(text)
    try:
        return source, _normalize(lex(source.units))
    except SegmentLexError as exc:
        raise TriggerError(
            f"Segment's trigger parser rejects this text: {exc}", code="TRG001",
            span=source.span(exc.offset, exc.offset + 1), source=text,
            hint="Segment reports only: " + _UNDEFINED_TYPE) from None


def read(text: str) -> dict[str, Any]:
    """Parse ``text`` as Segment's trigger parser does. Raises :class:`TriggerError`
    (``TRG0xx``) where the reference returns ``{error}``."""
    source, tokens = tokenize(text)
    try:
        node = _parse_level(deque(tokens))
        if node is None:
            raise _Thrown("TRG003", "no condition Segment recognises", _UNDEFINED_TYPE, None)
    except _Thrown as exc:
        where = exc.token or tokens[-1]
        err = TriggerError(f"Segment's trigger parser rejects this text: {exc.reason}",
                           code=exc.code, span=source.span(where.start, where.end),
                           source=text, hint="Segment reports only: " + exc.js_message)
        raise err from None
    if node.get("type") != "group":
        node = {"type": "group", "operator": "and", "children": [node]}
    return node


def _normalize(tokens: list[Token]) -> list[Token]:
    """Join ``ident . ident`` runs into one identifier (``properties.a.b``)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if out and out[-1].type == IDENT and tok.type == DOT and nxt is not None \
                and nxt.type == IDENT:
            last = out.pop()
            out.append(Token(IDENT, f"{last.value}.{nxt.value}", last.start, nxt.end))
            i += 2
        else:
            out.append(tok)
            i += 1
    return out


def _literal(tok: Token) -> Literal:
    """``getTokenValue``, keeping whether the token was the word ``null``."""
    if tok.type == STRING:
        body = tok.value[1:] if tok.value.startswith('"') else tok.value
        return from_units(body[:-1] if body.endswith('"') else body)
    if tok.type == NUMBER:
        try:
            return float(tok.value)
        except ValueError:  # a lone sign, '-.': JS Number() gives NaN
            return float("nan")
    if tok.type == IDENT and tok.value in ("true", "false"):
        return tok.value == "true"
    if tok.value == "null":
        return NULL_WORD
    return from_units(tok.value)


def _shift(tokens: deque[Token]) -> Token | None:
    return tokens.popleft() if tokens else None


def _parse_level(tokens: deque[Token]) -> dict[str, Any] | None:
    """One parenthesis level; ``None`` is the reference's ``undefined`` (no node)."""
    nodes: list[Any] = []
    operator = "and"
    token = _shift(tokens)
    while token is not None and token.type != EOS:
        if token.type == IDENT:
            _field_condition(token, tokens, nodes)
        elif token.type == OPERATOR and token.value == "!":
            if not tokens:
                raise _Thrown("TRG002", "'!' at the end", _UNDEFINED_TYPE, token)
            if _is_function(tokens[0]):
                _function_condition(tokens.popleft(), tokens, nodes, negate=True)
        elif token.type == PARENLEFT:
            group: deque[Token] = deque()
            inner = _shift(tokens)
            while inner is None or inner.type != PARENRIGHT:
                if inner is None:
                    raise _Thrown("TRG004", "a '(' is never closed (or parentheses are "
                                  "nested, which Segment cannot read)", _UNDEFINED_TYPE, token)
                group.append(inner)
                inner = _shift(tokens)
            group.append(Token(EOS, "eos", inner.start, inner.start))
            nodes.append(_parse_level(group))
        elif token.type == CONDITIONAL:
            operator = token.value
        token = _shift(tokens)
    if len(nodes) > 1:
        return {"type": "group", "operator": operator, "children": nodes}
    return nodes[0] if nodes else None


def _is_function(tok: Token) -> bool:
    return tok.type == IDENT and tok.value in ("contains", "match")


def _field_condition(token: Token, tokens: deque[Token], nodes: list[Any]) -> None:
    root = token.value.split(".")[0]
    ctype = ROOTS.get(root)
    if ctype is None and root not in _OBJECT_PROTOTYPE:
        if _is_function(token):
            _function_condition(token, tokens, nodes, negate=False)
        return
    op_tok = _shift(tokens)
    if op_tok is None:
        raise _Thrown("TRG002", "operator missing", "Operator token is missing", token)
    value_tok = _shift(tokens)
    if value_tok is None:
        raise _Thrown("TRG002", "value missing", "Value token is missing", token)
    if ctype is not None:
        name = _strip_root(token.value, root)
        nodes.append(comparison(ctype, name, op_tok.value, _literal(value_tok)))


def _strip_root(word: str, root: str) -> str:
    """``token.value.replace(/^(root)\\./, '')`` (only when the root is followed by a dot)."""
    return from_units(word[len(root) + 1:] if word.startswith(root + ".") else word)


def _function_condition(fn: Token, tokens: deque[Token], nodes: list[Any], *,
                        negate: bool) -> None:
    """``contains(field, value)`` / ``match(field, pattern)``: the reference skips one
    token for ``(``, ``,`` and ``)`` whatever they are (quirk 10)."""
    _shift(tokens)
    field = _shift(tokens)
    if field is None:
        raise _Thrown("TRG002", f"{fn.value}() has no field",
                      f"{fn.value}() is missing a 1st argument", fn)
    _shift(tokens)
    value_tok = _shift(tokens)
    if value_tok is None:
        raise _Thrown("TRG002", f"{fn.value}() has no value",
                      f"{fn.value}() is missing a 2nd argument", fn)
    _shift(tokens)
    value = literal_string(_literal(value_tok))
    if fn.value == "contains":
        op = "contains"
    elif value_tok.value.endswith('*"'):
        op, value = "starts_with", _drop_unit(value, last=True)
    else:
        op, value = "ends_with", _drop_unit(value, last=False)
    if negate:
        op = negated(op)
    word = field.value
    if word in ("event", "name", "userId"):
        nodes.append(condition(word, op, value=value))
    for root, ctype in _FUNCTION_ROOTS:
        if word.startswith(root):
            nodes.append(condition(ctype, op, _strip_root(word, root), value))


def _drop_unit(value: str, *, last: bool) -> str:
    """``slice(0, -1)`` / ``slice(1)`` on UTF-16 code units (may split a surrogate pair)."""
    units = "".join(utf16_units(value))
    return from_units(units[:-1] if last else units[1:])


