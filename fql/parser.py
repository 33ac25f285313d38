"""The parser facade: FQL text → :mod:`fql.ast`. The only module that imports Lark.

The grammar (``grammar.lark``, LALR(1)) runs with an inline transformer, so the AST is
built during the parse with no intermediate parse tree. When the ``_lalr`` kernel was
built, it does the per-character and per-token work in C (``src_ext/_lalr.pyx``: the
twin of ``_Tokenizer``, Lark's loop over the same parse table, and ``_Builder``), and
Lark's own parser parses again whatever that rejects, so errors are Lark's either way.
Lark's errors are translated into :class:`~fql.errors.FqlSyntaxError` with a span, the
expected tokens in words, and a named code and hint for the mistakes people make
(``==``, ``&&``, ``AND``, unterminated strings, unbalanced parentheses, unknown
functions...).

Start-up: with the kernel, Lark is not imported until its own parser is needed (a
syntax error, or the pure-Python backend). The kernel's table is read from
``_parse_table.py``, generated from the grammar (``python -m fql.parse_table``; a test
checks that it is current); when that module is missing or was made from another
grammar, the table is computed by Lark as before.
"""

from __future__ import annotations

import difflib
import re
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import ast
from .backend import kernel
from .diagnostics import Span
from .errors import FqlLimitError, FqlSyntaxError
from .functions import FUNCTIONS
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

GRAMMAR = Path(__file__).with_name("grammar.lark")

_TOKEN_WORDS = {
    "COMPARE_OP": "a comparison operator (= != < <= > >=)",
    "PATH": "a field path",
    "STRING": "a string",
    "NUMBER": "a number",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "_AND": "'and'",
    "_OR": "'or'",
    "_IN": "'in'",
    "NOT": "'!'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "$END": "the end of the expression",
}


def _span(tok: Token) -> Span:
    return Span(
        tok.start_pos or 0,
        tok.end_pos or 0,
        tok.line or 1,
        tok.column or 1,
        tok.end_line or 1,
        tok.end_column or 1,
    )


def _join(first: ast.Node, last: ast.Node | Token) -> Span | None:
    a = first.span
    b = last.span if isinstance(last, ast.Node) else _span(last)
    if a is None or b is None:
        return a or b
    return a.merge(b)


_STRING_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\s\S])")
_PATH_ESCAPE = re.compile(r"\\([\s\S])")


def unescape_string(body: str) -> str:
    """Decode a string literal's body: ``\\" \\' \\\\ \\n \\r \\t \\uXXXX``; any other
    ``\\x`` is kept as written, so glob escapes (``'ab\\*d'``) reach ``match``."""

    def replace(m: re.Match[str]) -> str:
        esc = m.group(1)
        if len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _STRING_ESCAPES.get(esc, m.group(0))

    return _ESCAPE.sub(replace, body) if "\\" in body else body


def split_path(text: str) -> tuple[str, ...]:
    """Split a path token on unescaped dots and remove the ``\\`` escapes (FQL-04)."""
    if "\\" not in text:
        return tuple(text.split("."))
    segments: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            current.append(text[i + 1])
            i += 2
            continue
        if ch == ".":
            segments.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    segments.append("".join(current))
    return tuple(segments)


NOT_HINT = "negate with '!': write !(...) around the condition"

#: Set by :func:`parse_recovering`: the unknown-function and argument-count errors of
#: one parse go here, and the call is built anyway, so the checker can report every
#: one of them and still check the rest of the rule. A context variable, so parses in
#: other threads raise as usual.
_RECOVERED: ContextVar[list[FqlSyntaxError] | None] = ContextVar("fql_recovered",
                                                                 default=None)


def _call_error(name: str, arity: int | None, span: Span, args_span: Span,
                got: int) -> FqlSyntaxError:
    if name in ("not", "NOT"):
        return FqlSyntaxError("'not' is not an FQL operator", code="FQL115", span=span,
                              hint=NOT_HINT)
    if arity is None:
        close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
        return FqlSyntaxError(
            f"unknown function {name!r}", code="FQL110", span=span,
            hint=f"did you mean {close[0]!r}?" if close else
            f"the functions are: {', '.join(FUNCTIONS)}")
    return FqlSyntaxError(
        f"{name}() takes {arity} argument{'s' if arity != 1 else ''}, got {got}",
        code="FQL111", span=args_span, hint=FUNCTIONS[name].doc)


class _Builder:
    """Inline callbacks: each grammar alias builds one AST node with its span. Lark
    finds them by name; ``__default__`` makes Lark's tree for its helper rules (which
    their parents splice in), as its own ``Transformer`` would."""

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        from lark import Tree

        return Tree(data, children, meta)

    def path(self, children: list[Token]) -> ast.Node:
        (tok,) = children
        return ast.Path(split_path(str(tok)), span=_span(tok))

    def string(self, children: list[Token]) -> ast.Node:
        (tok,) = children
        return ast.String(unescape_string(str(tok)[1:-1]), span=_span(tok))

    def number(self, children: list[Token]) -> ast.Node:
        (tok,) = children
        text = str(tok)
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        return ast.Number(value, span=_span(tok))

    def true(self, children: list[Token]) -> ast.Node:
        return ast.Bool(True, span=_span(children[0]))

    def false(self, children: list[Token]) -> ast.Node:
        return ast.Bool(False, span=_span(children[0]))

    def null(self, children: list[Token]) -> ast.Node:
        return ast.Null(span=_span(children[0]))

    def list_(self, children: list[Any]) -> ast.Node:
        items = tuple(c for c in children[1:-1] if c is not None)
        return ast.ListLit(items, span=_span(children[0]).merge(_span(children[-1])))

    def call(self, children: list[Any]) -> ast.Node:
        name_tok, args = children[0], tuple(c for c in children[2:-1] if c is not None)
        span = _span(name_tok).merge(_span(children[-1]))
        name = str(name_tok)
        fn = FUNCTIONS.get(name)
        if fn is None or len(args) != fn.arity:
            error = _call_error(name, fn.arity if fn else None, _span(name_tok), span, len(args))
            recovered = _RECOVERED.get()
            if recovered is None:
                raise error
            recovered.append(error)
        return ast.Call(name, args, span=span)

    def group(self, children: list[Any]) -> ast.Node:
        return children[1]

    def not_(self, children: list[Any]) -> ast.Node:
        tok, operand = children
        return ast.Not(operand, span=_join_tok(tok, operand))

    def compare(self, children: list[Any]) -> ast.Node:
        left, op, right = children
        return ast.Compare(str(op), left, right, span=_join(left, right))

    def in_(self, children: list[Any]) -> ast.Node:
        left, right = children
        return ast.In(left, right, span=_join(left, right))

    def and_(self, children: list[ast.Node]) -> ast.Node:
        return ast.And(tuple(children), span=_join(children[0], children[-1]))

    def or_(self, children: list[ast.Node]) -> ast.Node:
        return ast.Or(tuple(children), span=_join(children[0], children[-1]))


def _join_tok(tok: Token, node: ast.Node) -> Span:
    s = _span(tok)
    return s.merge(node.span) if node.span else s


_KEYWORDS = {"and": "_AND", "or": "_OR", "in": "_IN", "true": "TRUE", "false": "FALSE",
             "null": "NULL"}


@lru_cache(maxsize=1)
def _tokenizer_class() -> type:
    """Lark's ``Lexer`` subclass, defined when Lark is first needed."""
    from lark.lexer import Lexer

    class _Tokenizer(Lexer):
        """One compiled regular expression over the whole grammar's terminals.

        Lark's general lexer tries terminals through its own machinery for every token; for
        FQL's handful of terminals a single alternation (ordered so ``!=`` beats ``!`` and
        numbers beat paths) with positions tracked incrementally halves the time of a 5 KB
        rule. The terminal patterns are read from the grammar, so ``grammar.lark`` stays
        the single source; keywords are paths whose text is a keyword, as in Lark.
        """

        def __init__(self, lexer_conf: Any) -> None:
            patterns = {t.name: t.pattern.to_regexp() for t in lexer_conf.terminals}
            order = ["STRING", "NUMBER", "PATH", "COMPARE_OP", "NOT", "LPAR", "RPAR", "LSQB",
                     "RSQB", "COMMA"]
            ignore = [p for name, p in patterns.items() if name.startswith("__IGNORE")]
            alternatives = [f"(?P<_WS>{'|'.join(ignore)})"] + [
                f"(?P<{name}>{patterns[name]})" for name in order]
            self.regex = re.compile("|".join(alternatives))

        def lex(self, text: str) -> Any:  # type: ignore[override]  # Lark's custom-lexer hook
            # ``finditer`` walks the text in C; a gap between two matches is a character no
            # terminal accepts. Lines are counted only when the next newline is passed, so
            # a one-line rule (the common case) never counts.
            line, line_start, next_newline, pos = 1, 0, text.find("\n"), 0
            for m in self.regex.finditer(text):
                start, stop = m.span()
                if start != pos:
                    raise _unexpected_character(text, pos)
                pos = stop
                kind = m.lastgroup
                assert kind is not None  # every alternative of the pattern is a named group
                if kind == "_WS":
                    continue
                while 0 <= next_newline < start:
                    line, line_start = line + 1, next_newline + 1
                    next_newline = text.find("\n", line_start)
                end_line, end_col = line, stop - line_start + 1
                if 0 <= next_newline < stop:  # a string literal spanning lines
                    end_line = line + text.count("\n", start, stop)
                    end_col = stop - text.rfind("\n", start, stop)
                value = m.group()
                if kind == "PATH":
                    kind = _KEYWORDS.get(value, "PATH")
                yield _token(kind, value, start, line, start - line_start + 1, end_line, end_col,
                             stop)
            if pos != len(text):
                raise _unexpected_character(text, pos)

    return _Tokenizer


def _unexpected_character(text: str, pos: int) -> UnexpectedCharacters:
    from lark.exceptions import UnexpectedCharacters

    line_start = text.rfind("\n", 0, pos) + 1
    return UnexpectedCharacters(text, pos, text.count("\n", 0, pos) + 1, pos - line_start + 1)


def _token(kind: str, value: str, start: int, line: int, column: int, end_line: int,
           end_column: int, end: int) -> Token:
    """A Lark token without ``Token.__new__``'s argument juggling (a third of the
    lexing time on long rules); the fields are exactly the ones Lark's own sets."""
    tok = str.__new__(_token_class(), value)
    tok.type, tok.value, tok.start_pos, tok.end_pos = kind, value, start, end
    tok.line, tok.column, tok.end_line, tok.end_column = line, column, end_line, end_column
    return tok


@lru_cache(maxsize=1)
def _token_class() -> type[Token]:
    from lark import Token

    return Token


_DRIVER = kernel("_lalr")


@lru_cache(maxsize=1)
def _driver_tables() -> Any | None:
    """Lark's parse table and the shapes of its callbacks, encoded for the compiled
    parser; None when the kernel was not built, or when this Lark keeps its table or
    callbacks in a shape the kernel does not know (the kernel reads Lark's internals;
    Lark's own parser then does the work)."""
    if _DRIVER is None:
        return None
    state = _generated_table()
    if state is not None:
        try:
            return _DRIVER.tables_from_state(
                state, builder=_BUILDER, make_token=_token, split_path=split_path,
                unescape=unescape_string, functions=FUNCTIONS)
        except (AttributeError, TypeError, ValueError):  # a kernel of another build
            pass
    return _lark_tables()


def _lark_tables() -> Any | None:
    """The kernel's table encoded from Lark's (None: Lark's own parser does the work)."""
    if _DRIVER is None:
        return None
    lark = _lark()
    try:
        table_parser = lark.parser.parser.parser
        return _DRIVER.tables(
            table_parser.parse_table, table_parser.callbacks, builder=_BUILDER,
            make_token=_token, split_path=split_path, unescape=unescape_string,
            functions=FUNCTIONS)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _parse_tree(text: str) -> tuple[ast.Node, int, int]:
    """``(tree, depth, longest list)`` for ``text``: the compiled parser's when it was
    built, Lark's own for everything it rejects (so syntax errors are always Lark's)
    and when it was not. The compiled parser measures the tree's nesting depth and
    its longest list as it builds it; -1 means not measured."""
    tables = _driver_tables()
    if tables is not None and _DRIVER is not None:  # tables are only built with the kernel
        try:
            return _DRIVER.parse(tables, text)
        except _DRIVER.Rejected:
            pass
    # Lark returns what the transformer (``_BUILDER``) built, which its stubs cannot say.
    tree: ast.Node = _lark().parse(text)  # type: ignore[assignment]
    return tree, -1, -1


def grammar_text() -> str:
    """``grammar.lark``: read beside this module (no ``importlib.resources`` import on
    the start-up path), or through the package's resources when it is not a plain file
    (a zipped install)."""
    try:
        return GRAMMAR.read_text(encoding="utf-8")
    except OSError:
        from importlib import resources

        return resources.files("fql").joinpath("grammar.lark").read_text(encoding="utf-8")


def _generated_table() -> Any | None:
    """The table of ``_parse_table.py`` when it was generated from this grammar."""
    try:
        from ._parse_table import GRAMMAR as generated_from
        from ._parse_table import STATE
    except ImportError:
        return None
    return STATE if generated_from == grammar_text() else None


_BUILDER = _Builder()


@lru_cache(maxsize=1)
def _lark() -> Lark:
    from lark import Lark

    return Lark(
        grammar_text(),
        parser="lalr",
        lexer=_tokenizer_class(),
        maybe_placeholders=True,
        transformer=_BUILDER,
    )


def parse(text: str, *, limits: Limits = DEFAULT_LIMITS) -> ast.Node:
    """Parse FQL ``text`` into an AST. Raises :class:`FqlSyntaxError` or
    :class:`FqlLimitError` (source size, nesting depth, list length)."""
    if not isinstance(text, str):
        raise FqlSyntaxError(f"FQL must be a string, not {type(text).__name__}", code="FQL100")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_source_bytes:
        raise FqlLimitError(
            f"FQL statement is {size} bytes; the limit is {limits.max_source_bytes}",
            code="FQL401",
            span=Span.from_offsets(text, 0, len(text)),
            source=text,
        )
    stripped = text.strip()
    if stripped == "all":
        start = text.index("all")
        return ast.All(span=Span.from_offsets(text, start, start + 3))
    if not stripped:
        raise FqlSyntaxError(
            "empty expression",
            code="FQL113",
            span=Span.from_offsets(text, 0, len(text)),
            source=text,
            hint="write a condition such as type = 'track', or `all` to match every event",
        )
    try:
        tree, depth, longest = _parse_tree(text)
    except FqlSyntaxError as exc:
        exc.source = text
        raise
    except Exception as exc:
        from lark.exceptions import UnexpectedInput

        if isinstance(exc, UnexpectedInput):
            raise _translate(exc, text) from None
        raise
    if not (0 <= depth <= limits.max_depth and longest <= limits.max_list_items):
        _check_shape(tree, text, limits)  # raises the error with the offending node
    return tree


def parse_recovering(text: str, *, limits: Limits = DEFAULT_LIMITS,
                     ) -> tuple[ast.Node, list[FqlSyntaxError]]:
    """Parse ``text``, building unknown functions and calls with the wrong number of
    arguments as :class:`~fql.ast.Call` nodes, and return their errors beside the tree
    (for the checker, which reports all of them and checks the rest of the rule).
    Other syntax errors raise as in :func:`parse`."""
    recovered: list[FqlSyntaxError] = []
    token = _RECOVERED.set(recovered)
    try:
        tree = parse(text, limits=limits)
    finally:
        _RECOVERED.reset(token)
    for error in recovered:
        error.source = text
    return tree, recovered


def _check_shape(tree: ast.Node, text: str, limits: Limits) -> None:
    """Enforce nesting depth and list length without recursion (deep input is data)."""
    stack: list[tuple[ast.Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise FqlLimitError(
                f"expression nested deeper than {limits.max_depth} levels",
                code="FQL402",
                span=node.span,
                source=text,
            )
        if isinstance(node, ast.ListLit) and len(node.items) > limits.max_list_items:
            raise FqlLimitError(
                f"list has {len(node.items)} items; the limit is {limits.max_list_items}",
                code="FQL403",
                span=node.span,
                source=text,
            )
        stack.extend((child, depth + 1) for child in ast.children(node))


def _expected_words(expected: set[str] | frozenset[str]) -> tuple[str, ...]:
    words = {_TOKEN_WORDS.get(name, name.strip('"').lower()) for name in expected}
    return tuple(sorted(words))


def _translate(exc: UnexpectedInput, text: str) -> FqlSyntaxError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(exc, text, pos)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        names = exc.expected if isinstance(exc, UnexpectedEOF) else exc.accepts or exc.expected
        return _unexpected_end(text, set(names))
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    span = _span(tok)
    expected_set = set(exc.accepts or exc.expected)
    expected = _expected_words(expected_set)
    value = str(tok)
    kw: dict[str, Any] = {"span": span, "source": text, "expected": expected}
    if tok.type == "COMPARE_OP" and value == "=" and pos > 0 and text[pos - 1] == "=":
        kw["span"] = Span.from_offsets(text, pos - 1, pos + 1)
        return FqlSyntaxError("'==' is not an FQL operator", code="FQL104",
                              hint="FQL compares with a single '='", **kw)
    negation = _NOT_WORD.search(text, 0, pos)
    if negation is not None:
        kw["span"] = Span.from_offsets(text, negation.start(1), negation.end(1))
        return FqlSyntaxError("'not' is not an FQL operator", code="FQL115",
                              hint=NOT_HINT, **kw)
    if tok.type == "PATH" and value in ("AND", "OR", "And", "Or", "IN", "NOT"):
        return FqlSyntaxError(
            f"{value!r} is not a keyword; FQL keywords are lower case",
            code="FQL107", hint=f"write {value.lower()!r}", **kw)
    if tok.type == "RPAR" and "RPAR" not in expected_set:
        return FqlSyntaxError("unbalanced parentheses: this ')' has no matching '('",
                              code="FQL109", **kw)
    if tok.type == "COMPARE_OP" and "COMPARE_OP" not in expected_set and "_AND" in expected_set:
        return FqlSyntaxError(
            f"comparisons cannot be chained: unexpected {value!r}",
            code="FQL114", hint="join comparisons with 'and' / 'or'", **kw)
    return FqlSyntaxError(
        f"unexpected {_describe(tok)}; expected {_or_list(expected)}", code="FQL102", **kw
    )


#: ``not`` (any case) as the last word before the unexpected token: SQL's negation.
_NOT_WORD = re.compile(r"(?:^|[\s(!])((?i:not))\s*$")


def _describe(tok: Token) -> str:
    """``field path 'type'``, ``'('``: the token in words, without the article the
    expected-token list uses ("unexpected a field path" reads badly)."""
    word = _TOKEN_WORDS.get(tok.type, tok.type).removeprefix("a ")
    return f"{word} {str(tok)!r}" if tok.type in ("PATH", "STRING", "NUMBER") else f"{str(tok)!r}"


def _or_list(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words) or "nothing"
    return ", ".join(words[:-1]) + " or " + words[-1]


def _unexpected_end(text: str, expected: set[str]) -> FqlSyntaxError:
    end = len(text.rstrip())
    span = Span.from_offsets(text, max(0, end - 1), max(end, 1))
    words = _expected_words(expected)
    if "RPAR" in expected and _balance(text, "(", ")") > 0:
        return FqlSyntaxError("unbalanced parentheses: a '(' is never closed", code="FQL109",
                              span=span, source=text, expected=words, hint="add ')'")
    if "RSQB" in expected and _balance(text, "[", "]") > 0:
        return FqlSyntaxError("a '[' list is never closed", code="FQL109",
                              span=span, source=text, expected=words, hint="add ']'")
    trailing = text.rstrip()
    if trailing.endswith(("=", "<", ">")) or trailing.endswith(" in"):
        return FqlSyntaxError("missing value after the operator", code="FQL112", span=span,
                              source=text, expected=words,
                              hint="compare with a value, e.g. = 'x' or = null")
    return FqlSyntaxError(
        f"unexpected end of the expression; expected {_or_list(words)}",
        code="FQL103", span=span, source=text, expected=words)


def _balance(text: str, open_: str, close: str) -> int:
    """Open minus close brackets outside string literals."""
    depth = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
        i += 1
    return depth


def _bad_character(exc: UnexpectedCharacters, text: str, pos: int) -> FqlSyntaxError:
    ch = text[pos] if pos < len(text) else ""
    span = Span.from_offsets(text, pos, pos + 1)
    kw: dict[str, Any] = {"source": text, "expected": _expected_words(exc.allowed or set())}
    pair = text[pos:pos + 2]
    if pair == "&&":
        return FqlSyntaxError("'&&' is not an FQL operator", code="FQL105",
                              span=Span.from_offsets(text, pos, pos + 2), hint="write 'and'", **kw)
    if pair == "||":
        return FqlSyntaxError("'||' is not an FQL operator", code="FQL106",
                              span=Span.from_offsets(text, pos, pos + 2), hint="write 'or'", **kw)
    if ch in "\"'":
        return FqlSyntaxError("unterminated string", code="FQL108",
                              span=Span.from_offsets(text, pos, len(text)),
                              hint=f"close the string with {ch}", **kw)
    if ch == "\\" and pos + 1 >= len(text):
        return FqlSyntaxError("a path cannot end with '\\'", code="FQL101", span=span,
                              hint="escape a character by writing it after the backslash", **kw)
    if ch == "=" and text[pos - 1:pos] == "=":
        return FqlSyntaxError("'==' is not an FQL operator", code="FQL104",
                              span=Span.from_offsets(text, pos - 1, pos + 1),
                              hint="FQL compares with a single '='", **kw)
    if ch == "&" or ch == "|":
        word = "and" if ch == "&" else "or"
        return FqlSyntaxError(f"{ch!r} is not an FQL operator", code="FQL105" if ch == "&"
                              else "FQL106", span=span, hint=f"write {word!r}", **kw)
    return FqlSyntaxError(
        f"unexpected character {ch!r}", code="FQL101", span=span,
        hint="characters outside a-z A-Z 0-9 _ - in a path must be escaped with '\\'"
        if ch.strip() else None,
        **kw,
    )


def __getattr__(name: str) -> Any:
    """``_Tokenizer``: Lark's lexer subclass, made when first asked for (tests)."""
    if name == "_Tokenizer":
        return _tokenizer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
