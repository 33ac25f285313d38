# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False
"""The Cython kernel for FQL's parser: a tokenizer, Lark's LALR(1) table driven in C,
and the AST built in C.

Twin of :mod:`fql.parser`'s pure-Python path, which is Lark's own parser loop fed by
``_Tokenizer`` and building the AST with ``_Builder`` (the inline transformer); that
path runs whenever this kernel is missing, and ``tests/test_parser_backends.py`` checks
that the two give the same AST, spans included. Lark still does everything but the
work per character and per token: it reads ``grammar.lark``, computes the parse
table, and decides how each rule's children are shaped (which tokens are filtered
out, which helper rules are spliced into their parent, where ``[...]`` placeholders
go); :func:`tables` reads those decisions off Lark's own callbacks rather than
restating them.

Per character, :func:`parse` scans the text as ``_Tokenizer``'s regular expression
does (the same terminals, tried in the same order, positions counted the same way).
Per token, it does what Lark's loop does (look up the action for the state and the
token's type, shift, or reduce), with the state stack as a C array. Per reduction, it
applies the rule's child filter and, for the rules ``_Builder`` handles, builds the
node here: ``Span`` and AST objects are made without running their (frozen
dataclass) ``__init__``, the measured half of the Python path's time. A rule whose
callback has a shape this module does not know is handed to that callback unchanged.

Only well-formed input is parsed here. At the first character no terminal accepts, or
the first token the table has no action for, :func:`parse` raises :class:`Rejected`,
and the caller parses the text again on the Python path, so every syntax error is
Lark's own, unchanged. An unknown function or a wrong argument count is reported by
``_Builder.call`` itself, given the same tokens Lark would give it.
"""

from functools import partial

from cpython.list cimport PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_Substring
from libc.stdlib cimport malloc, realloc, free

from fql import ast
from fql.diagnostics import Span

cdef extern from "Python.h":
    Py_UCS4 ustr_read "PyUnicode_READ"(int kind, void* data, Py_ssize_t i)
    Py_ssize_t ustr_len "PyUnicode_GET_LENGTH"(object o)
    int ustr_kind "PyUnicode_KIND"(object o)
    void* ustr_data "PyUnicode_DATA"(object o)
    object PyFloat_FromString(object s)
    object PyLong_FromUnicodeObject(object s, int base)


class Rejected(Exception):
    """The input is not in the language: the caller asks Lark for its error."""


cdef object _new = object.__new__



# ---------------------------------------------------------------------------------
# Tokens

cdef class Tok:
    """One token: its terminal name, text and position (what Lark's ``Token`` holds,
    without being a ``str``); :meth:`lark` makes the equivalent Lark token for code
    that expects one."""
    cdef readonly str kind
    cdef readonly int code  # the terminal's index in TERMINALS
    cdef readonly str value
    cdef readonly Py_ssize_t start, end, line, column, end_line, end_column
    cdef object _span

    cdef object span(self):
        if self._span is None:
            self._span = make_span(self.start, self.end, self.line, self.column,
                                   self.end_line, self.end_column)
        return self._span

    def lark(self, make_token):
        return make_token(self.kind, self.value, self.start, self.line, self.column,
                          self.end_line, self.end_column, self.end)


cdef inline bint is_ws(Py_UCS4 c):
    return c == 32 or c == 9 or c == 13 or c == 10


cdef inline bint is_alpha_(Py_UCS4 c):
    return (65 <= c <= 90) or (97 <= c <= 122) or c == 95


cdef inline bint is_digit(Py_UCS4 c):
    return 48 <= c <= 57


cdef inline bint is_segment(Py_UCS4 c):
    return is_alpha_(c) or is_digit(c) or c == 45


cdef dict KEYWORDS = {"and": "_AND", "or": "_OR", "in": "_IN", "true": "TRUE",
                      "false": "FALSE", "null": "NULL"}
cdef str K_STRING = "STRING", K_NUMBER = "NUMBER", K_PATH = "PATH"
cdef str K_COMPARE = "COMPARE_OP", K_NOT = "NOT", K_LPAR = "LPAR", K_RPAR = "RPAR"
cdef str K_LSQB = "LSQB", K_RSQB = "RSQB", K_COMMA = "COMMA", K_END = "$END"


# The terminals of one character, by character code: ``=`` (``<=`` and the rest are
# found above), brackets, comma.
cdef list SINGLE = [None] * 128
for _text, _kind in (("=", K_COMPARE), ("(", K_LPAR), (")", K_RPAR), ("[", K_LSQB),
                     ("]", K_RSQB), (",", K_COMMA)):
    SINGLE[ord(_text)] = _kind


cdef class _Scanner:
    """``_Tokenizer.lex`` in C: the terminals of ``grammar.lark`` tried in the order of
    its alternation (whitespace, STRING, NUMBER, PATH, COMPARE_OP, NOT, brackets,
    comma), each matched as its regular expression matches."""
    cdef str text
    cdef int kind
    cdef void* data
    cdef Py_ssize_t n, pos, line, line_start

    def __cinit__(self, str text):
        self.text = text
        self.kind = ustr_kind(text)
        self.data = ustr_data(text)
        self.n = ustr_len(text)
        self.pos = 0
        self.line = 1
        self.line_start = 0

    cdef inline Py_UCS4 at(self, Py_ssize_t i):
        return ustr_read(self.kind, self.data, i)

    cdef Py_ssize_t string_end(self, Py_ssize_t i, Py_UCS4 quote):
        """The end of the string literal opened at ``i``, or -1 when it is never
        closed (``"(?:[^"\\\\]|\\\\[\\s\\S])*"``)."""
        cdef Py_UCS4 c
        i += 1
        while i < self.n:
            c = self.at(i)
            if c == quote:
                return i + 1
            if c == 92:  # backslash: it and the next character, whatever it is
                if i + 1 >= self.n:
                    return -1
                i += 2
            else:
                i += 1
        return -1

    cdef Py_ssize_t number_end(self, Py_ssize_t i):
        """The end of ``-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`` at ``i``,
        or -1 (optional parts are taken only when complete, as the regex backtracks)."""
        cdef Py_ssize_t j
        if self.at(i) == 45:
            i += 1
        if i >= self.n or not is_digit(self.at(i)):
            return -1
        if self.at(i) == 48:
            i += 1
        else:
            while i < self.n and is_digit(self.at(i)):
                i += 1
        if i + 1 < self.n and self.at(i) == 46 and is_digit(self.at(i + 1)):
            i += 2
            while i < self.n and is_digit(self.at(i)):
                i += 1
        if i < self.n and (self.at(i) == 101 or self.at(i) == 69):
            j = i + 1
            if j < self.n and (self.at(j) == 43 or self.at(j) == 45):
                j += 1
            if j < self.n and is_digit(self.at(j)):
                while j < self.n and is_digit(self.at(j)):
                    j += 1
                i = j
        return i

    cdef Py_ssize_t segment_char_end(self, Py_ssize_t i):
        """The end of one ``[A-Za-z0-9_\\-]|\\\\[\\s\\S]`` at ``i``, or -1."""
        if i >= self.n:
            return -1
        cdef Py_UCS4 c = self.at(i)
        if is_segment(c):
            return i + 1
        if c == 92 and i + 1 < self.n:
            return i + 2
        return -1

    cdef Py_ssize_t path_end(self, Py_ssize_t i):
        """The end of a PATH at ``i`` or -1: a first character that is a letter, ``_``
        or an escape, segment characters, then ``.segment`` parts (a dot is taken only
        with at least one segment character after it)."""
        cdef Py_UCS4 c = self.at(i)
        cdef Py_ssize_t j
        if is_alpha_(c):
            i += 1
        elif c == 92 and i + 1 < self.n:
            i += 2
        else:
            return -1
        while True:
            j = self.segment_char_end(i)
            if j < 0:
                break
            i = j
        while i < self.n and self.at(i) == 46:
            j = self.segment_char_end(i + 1)
            if j < 0:
                break
            i = j
            while True:
                j = self.segment_char_end(i)
                if j < 0:
                    break
                i = j
        return i

    cdef Tok next(self):
        """The next token, None at the end; :class:`Rejected` at a character no
        terminal accepts."""
        cdef Py_UCS4 c, d
        cdef Py_ssize_t start, stop, i, last_newline
        cdef str kind
        while self.pos < self.n:
            c = self.at(self.pos)
            if not is_ws(c):
                break
            if c == 10:
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1
        if self.pos >= self.n:
            return None
        start = self.pos
        c = self.at(start)
        d = self.at(start + 1) if start + 1 < self.n else 0
        stop = -1
        kind = None
        if c == 34 or c == 39:
            stop = self.string_end(start, c)
            kind = K_STRING
        elif c == 45 or is_digit(c):
            stop = self.number_end(start)
            kind = K_NUMBER
        elif is_alpha_(c) or c == 92:
            stop = self.path_end(start)
            kind = K_PATH
        elif c == 33:
            if d == 61:
                stop, kind = start + 2, K_COMPARE
            else:
                stop, kind = start + 1, K_NOT
        elif c == 60 or c == 62:
            stop = start + 2 if d == 61 else start + 1
            kind = K_COMPARE
        elif c < 128 and SINGLE[<Py_ssize_t>c] is not None:
            stop, kind = start + 1, SINGLE[<Py_ssize_t>c]
        if stop < 0:
            raise Rejected()
        cdef Tok tok = Tok.__new__(Tok)
        tok.value = PyUnicode_Substring(self.text, start, stop)
        if kind is K_PATH:
            kind = KEYWORDS.get(tok.value, K_PATH)
        tok.kind = kind
        tok.code = TERMINAL_INDEX[kind]
        tok.start = start
        tok.end = stop
        tok.line = self.line
        tok.column = start - self.line_start + 1
        # Only a string or an escaped path character can hold a newline.
        last_newline = -1
        if kind is K_STRING or kind is K_PATH:
            for i in range(start, stop):
                if self.at(i) == 10:
                    self.line += 1
                    last_newline = i
        if last_newline >= 0:
            self.line_start = last_newline + 1
            tok.end_line = self.line
            tok.end_column = stop - last_newline
        else:
            tok.end_line = tok.line
            tok.end_column = stop - self.line_start + 1
        self.pos = stop
        return tok


def tokens(str text):
    """The tokens of ``text`` as ``(type, value, start, end, line, column, end_line,
    end_column)`` tuples (for tests: ``_Tokenizer`` must agree); :class:`Rejected` at
    a character no terminal accepts."""
    cdef _Scanner scanner = _Scanner(text)
    cdef list out = []
    cdef Tok tok
    while True:
        tok = scanner.next()
        if tok is None:
            return out
        out.append((tok.kind, tok.value, tok.start, tok.end, tok.line, tok.column,
                    tok.end_line, tok.end_column))


# ---------------------------------------------------------------------------------
# Objects made without their __init__

cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        int type
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member
    void Py_INCREF(object o)
    void Py_XINCREF(PyObject* o)
    void Py_XDECREF(PyObject* o)

cdef int T_OBJECT_EX = 16


cdef Py_ssize_t slot(object cls, str name) except -1:
    """The offset of ``cls``'s ``__slots__`` member ``name`` (a slotted dataclass's
    field), so it can be set as ``object.__setattr__`` sets it."""
    # An ImportError: the module is then "not built" (the Python path parses, and CI's
    # check that every kernel loads fails) rather than breaking ``import fql``.
    descr = getattr(cls, name, None)
    if type(descr).__name__ != "member_descriptor":
        raise ImportError(f"{cls.__name__}.{name} is not a slot")
    cdef PyMemberDef* member = (<PyMemberDescrObject*><PyObject*>descr).d_member
    if member.type != T_OBJECT_EX:
        raise ImportError(f"{cls.__name__}.{name} is not an object slot")
    return member.offset


cdef inline void put(object obj, Py_ssize_t offset, object value):
    """Set a slot of a new object (empty until now: no old value to release)."""
    Py_INCREF(value)
    (<PyObject**>((<char*><PyObject*>obj) + offset))[0] = <PyObject*>value


cdef Py_ssize_t S_START = slot(Span, "start"), S_END = slot(Span, "end")
cdef Py_ssize_t S_LINE = slot(Span, "line"), S_COLUMN = slot(Span, "column")
cdef Py_ssize_t S_END_LINE = slot(Span, "end_line")
cdef Py_ssize_t S_END_COLUMN = slot(Span, "end_column")
cdef Py_ssize_t N_SPAN = slot(ast.Node, "span")
cdef Py_ssize_t N_SEGMENTS = slot(ast.Path, "segments")
cdef Py_ssize_t N_STRING = slot(ast.String, "value"), N_NUMBER = slot(ast.Number, "value")
cdef Py_ssize_t N_BOOL = slot(ast.Bool, "value"), N_ITEMS = slot(ast.ListLit, "items")
cdef Py_ssize_t N_OPERAND = slot(ast.Not, "operand"), N_AND = slot(ast.And, "operands")
cdef Py_ssize_t N_OR = slot(ast.Or, "operands"), N_OP = slot(ast.Compare, "op")
cdef Py_ssize_t N_CMP_LEFT = slot(ast.Compare, "left")
cdef Py_ssize_t N_CMP_RIGHT = slot(ast.Compare, "right")
cdef Py_ssize_t N_IN_LEFT = slot(ast.In, "left"), N_IN_RIGHT = slot(ast.In, "right")
cdef Py_ssize_t N_NAME = slot(ast.Call, "name"), N_ARGS = slot(ast.Call, "args")


cdef object make_span(Py_ssize_t start, Py_ssize_t end, Py_ssize_t line,
                      Py_ssize_t column, Py_ssize_t end_line, Py_ssize_t end_column):
    """``Span(start, end, line, column, end_line, end_column)`` with its slots filled
    directly (the frozen dataclass's ``__init__`` makes six Python-level calls)."""
    cdef object span = _new(Span)
    put(span, S_START, start)
    put(span, S_END, end)
    put(span, S_LINE, line)
    put(span, S_COLUMN, column)
    put(span, S_END_LINE, end_line)
    put(span, S_END_COLUMN, end_column)
    return span


cdef object merge(object a, object b):
    """``a.merge(b)`` (``Span.merge``: the smallest span covering both)."""
    first = a if a.start <= b.start else b
    last = a if a.end >= b.end else b
    return make_span(first.start, last.end, first.line, first.column, last.end_line,
                     last.end_column)


cdef object join(object first, object last):
    """``_Builder``'s ``_join`` for two nodes."""
    a = first.span
    b = last.span
    if a is None or b is None:
        return a or b
    return merge(a, b)


cdef inline object node(object cls, object span):
    cdef object n = _new(cls)
    put(n, N_SPAN, span)
    return n


# ---------------------------------------------------------------------------------
# The AST builders (twins of ``_Builder``'s methods)

cdef enum Build:
    B_PYTHON, B_INLINE, B_PASS, B_PATH, B_STRING, B_NUMBER, B_TRUE, B_FALSE, B_NULL
    B_LIST, B_CALL, B_GROUP, B_NOT, B_COMPARE, B_IN, B_AND, B_OR

cdef dict BUILDERS = {
    "path": B_PATH, "string": B_STRING, "number": B_NUMBER, "true": B_TRUE,
    "false": B_FALSE, "null": B_NULL, "list_": B_LIST, "call": B_CALL, "group": B_GROUP,
    "not_": B_NOT, "compare": B_COMPARE, "in_": B_IN, "and_": B_AND, "or_": B_OR,
}


cdef class _Inline:
    """The children of a helper rule (``__or_expr_plus_0``...), which its parent's
    child filter splices in: Lark makes a ``Tree`` only to read its ``children``."""
    cdef readonly list children

    def __cinit__(self, list children):
        self.children = children


cdef class Rule:
    cdef Py_ssize_t size
    cdef int origin  # symbol number of the rule's left-hand side
    cdef Build how
    cdef tuple keep  # (index, splice, nones before) per kept child, or None
    cdef Py_ssize_t append_none
    cdef bint expand1
    cdef object callback  # Lark's whole callback (B_PYTHON), or None


# The terminals the scanner makes, in the order of ``Tables.terminal``.
cdef tuple TERMINALS = (K_STRING, K_NUMBER, K_PATH, K_COMPARE, K_NOT, K_LPAR, K_RPAR,
                        K_LSQB, K_RSQB, K_COMMA, "_AND", "_OR", "_IN", "TRUE", "FALSE",
                        "NULL", K_END)
cdef int NTERMINALS = len(TERMINALS)  # the last is $END
cdef dict TERMINAL_INDEX = {name: i for i, name in enumerate(TERMINALS)}
cdef int NO_ACTION = -2147483647


cdef class Tables:
    """Lark's parse table as one C array (``action[state * nsymbols + symbol]``:
    ``>= 0`` shift to that state, ``< 0`` reduce rule ``-code - 1``), the rules, and
    the helpers the builders share with ``_Builder``."""
    cdef int* action
    cdef int nstates, nsymbols
    cdef list rules
    cdef int start_state
    cdef int end_state
    cdef object builder, make_token, split_path, unescape, functions

    def __dealloc__(self):
        free(self.action)


cdef Rule _rule(object rule, object callback, object builder, dict symbols):
    """How to reduce ``rule``, read off Lark's callback for it: ``ChildFilterLALR``
    (children kept, spliced, placeholders), ``ExpandSingleChild`` (a lone child passes
    through), then the function called: one of ``builder``'s methods, or Lark's
    default tree for a helper rule, which is spliced into its parent. Any other shape
    keeps Lark's callback as it is."""
    cdef Rule r = Rule()
    from lark.parse_tree_builder import (
        ChildFilterLALR, ChildFilterLALR_NoPlaceholders, ExpandSingleChild)

    r.size = len(rule.expansion)
    r.origin = symbols[str(rule.origin.name)]
    r.keep = None
    r.append_none = 0
    r.expand1 = False
    r.callback = None
    f = callback
    if type(f) is ChildFilterLALR:
        r.keep = tuple((int(i), bool(splice), int(nones))
                       for i, splice, nones in f.to_include)
        r.append_none = f.append_none
        f = f.node_builder
    elif type(f) is ChildFilterLALR_NoPlaceholders:
        r.keep = tuple((int(i), bool(splice), 0) for i, splice in f.to_include)
        f = f.node_builder
    if type(f) is ExpandSingleChild:
        r.expand1 = True
        f = f.node_builder
    if getattr(f, "__self__", None) is builder and f.__name__ in BUILDERS:
        r.how = BUILDERS[f.__name__]
    elif (type(f) is partial and getattr(f.func, "__name__", "") == "default_callback"
          and str(rule.origin.name).startswith("_")):
        r.how = B_INLINE
    elif r.expand1 and r.keep is None and r.size == 1:
        r.how = B_PASS  # a ``?rule`` of one symbol: passes its lone child through
    else:
        r.keep = None
        r.expand1 = False
        r.how = B_PYTHON
        r.callback = callback
    return r


def tables(parse_table, callbacks, *, builder, make_token, split_path, unescape,
           functions, start="start"):
    """Encode ``parse_table`` (Lark's, with integer states) and ``callbacks`` (Lark's
    per-rule callbacks over ``builder``, the inline transformer) for :func:`parse`.
    ``make_token`` makes a Lark token, ``split_path``/``unescape`` decode path and
    string tokens, ``functions`` is the function table (name -> object with ``arity``)."""
    cdef Tables t = Tables()
    cdef int i
    if any(isinstance(k, str) for k in callbacks):
        raise ValueError("terminal callbacks are not supported")
    symbols = {name: i for i, name in enumerate(TERMINALS)}
    for row in parse_table.states.values():
        for symbol, (action, arg) in row.items():
            symbols.setdefault(str(symbol), len(symbols))
            if action.name != "Shift":
                symbols.setdefault(str(arg.origin.name), len(symbols))
    t.nstates = max(parse_table.states) + 1
    t.nsymbols = len(symbols)
    t.action = <int*>malloc(t.nstates * t.nsymbols * sizeof(int))
    if t.action is NULL:
        raise MemoryError()
    for i in range(t.nstates * t.nsymbols):
        t.action[i] = NO_ACTION
    index = {}
    t.rules = []
    for state, row in parse_table.states.items():
        for symbol, (action, arg) in row.items():
            if action.name == "Shift":
                code = int(arg)
            else:
                if arg not in index:
                    index[arg] = len(t.rules)
                    t.rules.append(_rule(arg, callbacks[arg], builder, symbols))
                code = -index[arg] - 1
            t.action[int(state) * t.nsymbols + symbols[str(symbol)]] = code
    t.start_state = parse_table.start_states[start]
    t.end_state = parse_table.end_states[start]
    t.builder = builder
    t.make_token = make_token
    t.split_path = split_path
    t.unescape = unescape
    t.functions = functions
    return t


cdef dict HOW_NAMES = {B_INLINE: "inline", B_PASS: "pass",
                       **{how: name for name, how in BUILDERS.items()}}


def table_state(Tables t):
    """``t`` as plain data (ints, strings and tuples), for a generated module that
    :func:`tables_from_state` reads back without Lark; None when a rule keeps a Lark
    callback (which is not data)."""
    cdef Rule r
    rules = []
    for r in t.rules:
        if r.how == B_PYTHON:
            return None
        rules.append((r.size, r.origin, HOW_NAMES[r.how], r.keep, r.append_none,
                      r.expand1))
    return (t.nstates, t.nsymbols, tuple([t.action[i] for i in range(t.nstates * t.nsymbols)]),
            tuple(rules), t.start_state, t.end_state)


def tables_from_state(tuple state, *, builder, make_token, split_path, unescape, functions):
    """The :class:`Tables` that :func:`table_state` described (same parses, same
    errors), built without Lark."""
    cdef Tables t = Tables()
    cdef int i
    cdef Rule r
    nstates, nsymbols, action, rules, start_state, end_state = state
    if len(action) != nstates * nsymbols:
        raise ValueError("a parse table of the wrong size")
    hows = {name: how for how, name in HOW_NAMES.items()}
    t.nstates, t.nsymbols = nstates, nsymbols
    t.action = <int*>malloc(nstates * nsymbols * sizeof(int))
    if t.action is NULL:
        raise MemoryError()
    for i in range(nstates * nsymbols):
        t.action[i] = action[i]
    t.rules = []
    for size, origin, how, keep, append_none, expand1 in rules:
        r = Rule()
        r.size, r.origin, r.how, r.keep = size, origin, hows[how], keep
        r.append_none, r.expand1, r.callback = append_none, expand1, None
        t.rules.append(r)
    t.start_state, t.end_state = start_state, end_state
    t.builder = builder
    t.make_token = make_token
    t.split_path = split_path
    t.unescape = unescape
    t.functions = functions
    return t


cdef tuple present(list children, Py_ssize_t start, Py_ssize_t stop):
    """``tuple(c for c in children[start:stop] if c is not None)``."""
    return tuple([c for c in children[start:stop] if c is not None])


cdef object lark_children(Tables t, list children):
    return [c.lark(t.make_token) if type(c) is Tok else c for c in children]


cdef class _Parse:
    """One parse: the scanner, the state and value stacks (C arrays; the value stack
    holds references), and the shape of the tree so far (deepest node, longest list),
    which lets ``fql.parse`` skip its own walk when both are within the limits."""
    cdef Tables t
    cdef int* states
    cdef PyObject** values
    cdef int* depths  # per value: its nesting depth (0 for a token); -1 unknown
    cdef Py_ssize_t size, capacity
    cdef Py_ssize_t longest_list

    def __cinit__(self, Tables t):
        self.t = t
        self.capacity = 64
        self.size = 0
        self.longest_list = 0
        self.states = <int*>malloc(self.capacity * sizeof(int))
        self.values = <PyObject**>malloc(self.capacity * sizeof(PyObject*))
        self.depths = <int*>malloc(self.capacity * sizeof(int))
        if self.states is NULL or self.values is NULL or self.depths is NULL:
            raise MemoryError()

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self.values is not NULL:
            for i in range(self.size):
                Py_XDECREF(self.values[i])
        free(self.states)
        free(self.values)
        free(self.depths)

    cdef int push(self, int state, object value, int depth) except -1:
        """Push a state and the value that led to it (the start state has none)."""
        cdef Py_ssize_t capacity
        if self.size == self.capacity:
            capacity = 2 * self.capacity
            states = <int*>realloc(self.states, capacity * sizeof(int))
            if states is NULL:
                raise MemoryError()
            self.states = states
            values = <PyObject**>realloc(self.values, capacity * sizeof(PyObject*))
            if values is NULL:
                raise MemoryError()
            self.values = values
            depths = <int*>realloc(self.depths, capacity * sizeof(int))
            if depths is NULL:
                raise MemoryError()
            self.depths = depths
            self.capacity = capacity
        self.states[self.size] = state
        Py_XINCREF(<PyObject*>value)
        self.values[self.size] = <PyObject*>value
        self.depths[self.size] = depth
        self.size += 1
        return 0

    cdef object feed(self, int symbol, object token):
        """Feed one token (Lark's ``feed_token``); returns ``(tree, depth)`` once
        ``$END`` completes the parse, else None."""
        cdef Tables t = self.t
        cdef int code, depth
        cdef Py_ssize_t base, i
        cdef Rule rule
        cdef list children
        cdef bint is_end = token is None
        while True:
            code = t.action[self.states[self.size - 1] * t.nsymbols + symbol]
            if code == NO_ACTION:
                raise Rejected()
            if code >= 0:
                if is_end:
                    raise Rejected()
                self.push(code, token, 0)
                return None
            rule = <Rule>t.rules[-code - 1]
            base = self.size - rule.size
            children = [<object>self.values[i] for i in range(base, self.size)]
            depth = 0
            for i in range(base, self.size):
                if self.depths[i] < 0 or depth < 0:
                    depth = -1
                elif self.depths[i] > depth:
                    depth = self.depths[i]
            for i in range(base, self.size):
                Py_XDECREF(self.values[i])
            self.size = base
            value = self.reduce(rule, children, &depth)
            code = t.action[self.states[self.size - 1] * t.nsymbols + rule.origin]
            self.push(code, value, depth)
            if is_end and code == t.end_state:
                return value, depth

    cdef object reduce(self, Rule rule, list children, int* depth):
        """Lark's callback for ``rule`` applied to ``children``; ``depth`` comes in as
        the deepest child's and leaves as the value's."""
        cdef list filtered
        cdef Py_ssize_t i, nones
        cdef bint splice
        cdef object child
        if rule.how == B_PYTHON:
            depth[0] = -1  # a tree of unknown shape: fql.parse walks it
            return rule.callback(lark_children(self.t, children))
        if rule.how == B_PASS:
            return children[0]
        if rule.keep is None:
            filtered = children
        else:
            filtered = []
            for i, splice, nones in rule.keep:
                if nones:
                    filtered.extend([None] * nones)
                child = children[i]
                if splice:
                    spliced = (<_Inline>child).children if type(child) is _Inline else \
                        child.children
                    if filtered:
                        filtered.extend(spliced)
                    else:
                        filtered = spliced
                else:
                    filtered.append(child)
            if rule.append_none:
                filtered.extend([None] * rule.append_none)
        if rule.expand1 and PyList_GET_SIZE(filtered) == 1:
            return filtered[0]
        if rule.how == B_INLINE:
            return _Inline(filtered)
        if rule.how == B_GROUP:
            return filtered[1]
        if depth[0] >= 0:
            depth[0] += 1
        return self.build(rule.how, filtered)

    cdef object build(self, Build kind, list children):
        """The node ``_Builder``'s method of that name builds from ``children``."""
        cdef Tables t = self.t
        cdef Tok tok
        cdef str text
        cdef object n
        cdef Py_ssize_t last = PyList_GET_SIZE(children) - 1
        if kind == B_PATH:
            tok = <Tok>children[0]
            n = node(ast.Path, tok.span())
            put(n, N_SEGMENTS, tuple(tok.value.split(".")) if "\\" not in tok.value
                else t.split_path(tok.value))
            return n
        if kind == B_STRING:
            tok = <Tok>children[0]
            text = tok.value[1:ustr_len(tok.value) - 1]
            n = node(ast.String, tok.span())
            put(n, N_STRING, text if "\\" not in text else t.unescape(text))
            return n
        if kind == B_NUMBER:
            tok = <Tok>children[0]
            text = tok.value
            n = node(ast.Number, tok.span())
            if "." in text or "e" in text or "E" in text:
                put(n, N_NUMBER, PyFloat_FromString(text))
            else:
                put(n, N_NUMBER, PyLong_FromUnicodeObject(text, 10))
            return n
        if kind == B_TRUE or kind == B_FALSE:
            n = node(ast.Bool, (<Tok>children[0]).span())
            put(n, N_BOOL, kind == B_TRUE)
            return n
        if kind == B_NULL:
            return node(ast.Null, (<Tok>children[0]).span())
        if kind == B_LIST:
            items = present(children, 1, last)
            if len(items) > self.longest_list:
                self.longest_list = len(items)
            n = node(ast.ListLit, merge((<Tok>children[0]).span(),
                                        (<Tok>children[last]).span()))
            put(n, N_ITEMS, items)
            return n
        if kind == B_CALL:
            tok = <Tok>children[0]
            args = present(children, 2, last)
            fn = t.functions.get(tok.value)
            if fn is None or len(args) != fn.arity:
                return t.builder.call(lark_children(t, children))  # raises its error
            n = node(ast.Call, merge(tok.span(), (<Tok>children[last]).span()))
            put(n, N_NAME, tok.value)
            put(n, N_ARGS, args)
            return n
        if kind == B_NOT:
            operand = children[1]
            span = (<Tok>children[0]).span()
            if operand.span:
                span = merge(span, operand.span)
            n = node(ast.Not, span)
            put(n, N_OPERAND, operand)
            return n
        if kind == B_COMPARE:
            left, right = children[0], children[2]
            n = node(ast.Compare, join(left, right))
            put(n, N_OP, (<Tok>children[1]).value)
            put(n, N_CMP_LEFT, left)
            put(n, N_CMP_RIGHT, right)
            return n
        if kind == B_IN:
            left, right = children[0], children[1]
            n = node(ast.In, join(left, right))
            put(n, N_IN_LEFT, left)
            put(n, N_IN_RIGHT, right)
            return n
        if kind == B_AND or kind == B_OR:
            n = node(ast.And if kind == B_AND else ast.Or, join(children[0], children[last]))
            put(n, N_AND if kind == B_AND else N_OR, tuple(children))
            return n
        raise AssertionError(kind)


def parse(Tables t, str text):
    """``(tree, depth, longest_list)`` for ``text``: the AST ``_Builder`` would build
    through Lark, its nesting depth (-1 when a rule's callback built part of it and
    the depth is unknown) and the most items of any list literal; or
    :class:`Rejected`."""
    cdef _Parse p = _Parse(t)
    cdef _Scanner scanner = _Scanner(text)
    cdef Tok tok
    cdef object done
    p.push(t.start_state, None, 0)
    while True:
        tok = scanner.next()
        if tok is None:
            break
        p.feed(tok.code, tok)
    done = p.feed(NTERMINALS - 1, None)
    return done[0], done[1], p.longest_list
