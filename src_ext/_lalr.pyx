# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False
"""The Cython kernel for FQL's parser: Lark's LALR(1) tables, driven in C.

Twin of Lark's own parser loop (``lark.parsers.lalr_parser_state.ParserState``), which
:mod:`fql.parser` uses when this kernel is missing. Lark still does everything but the
loop: it reads ``grammar.lark``, computes the parse table, and builds the callbacks
that make AST nodes (the inline transformer); :func:`tables` takes those as they are.
Per token, the loop here does what Lark's does (look up the action for the state and
the token's type, shift, or reduce and call the rule's callback) with the state stack
as a C array and the table as one dict per state.

Only well-formed input is parsed here. At the first token the table has no action for,
:func:`parse` raises :class:`Rejected`, and the caller parses the text again with Lark,
so every syntax error is Lark's own, unchanged. Errors raised by the tokenizer or by a
callback propagate as they do from Lark.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_SIZE
from cpython.object cimport PyObject
from libc.stdlib cimport malloc, realloc, free


class Rejected(Exception):
    """The input is not in the language: the caller asks Lark for its error."""


cdef class Tables:
    """Lark's parse table and callbacks, encoded for the loop: per state a dict from
    symbol name to an int (``>= 0``: shift to that state; ``< 0``: reduce rule
    ``-code - 1``), and per rule its length, its origin's name and its callback."""

    cdef list actions
    cdef list sizes
    cdef list origins
    cdef list callbacks
    cdef dict token_callbacks
    cdef int start_state
    cdef int end_state


def tables(parse_table, callbacks, start="start"):
    """Encode ``parse_table`` (Lark's, with integer states) and ``callbacks`` (Lark's
    per-rule callbacks, and per-terminal ones if any) for :func:`parse`."""
    cdef Tables t = Tables()
    rules = {}
    t.sizes, t.origins, t.callbacks = [], [], []
    t.token_callbacks = {k: v for k, v in callbacks.items() if isinstance(k, str)}
    t.actions = [None] * (max(parse_table.states) + 1)
    for state, row in parse_table.states.items():
        encoded = {}
        for symbol, (action, arg) in row.items():
            if action.name == "Shift":
                encoded[str(symbol)] = int(arg)
            else:
                if arg not in rules:
                    rules[arg] = len(t.sizes)
                    t.sizes.append(len(arg.expansion))
                    t.origins.append(str(arg.origin.name))
                    t.callbacks.append(callbacks.get(arg))
                encoded[str(symbol)] = -rules[arg] - 1
        t.actions[state] = encoded
    t.start_state = parse_table.start_states[start]
    t.end_state = parse_table.end_states[start]
    return t


cdef class _Stack:
    """The state stack as a growable C array."""

    cdef int* items
    cdef Py_ssize_t size, capacity

    def __cinit__(self):
        self.capacity = 64
        self.size = 0
        self.items = <int*>malloc(self.capacity * sizeof(int))
        if self.items is NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.items)

    cdef inline int push(self, int state) except -1:
        cdef int* grown
        if self.size == self.capacity:
            grown = <int*>realloc(self.items, 2 * self.capacity * sizeof(int))
            if grown is NULL:
                raise MemoryError()
            self.items = grown
            self.capacity *= 2
        self.items[self.size] = state
        self.size += 1
        return 0


cdef object step(Tables t, _Stack states, list values, str kind, object token, bint is_end):
    """Feed one token (Lark's ``feed_token``); returns the tree once ``$END`` completes
    the parse, else None."""
    cdef PyObject* found
    cdef long code
    cdef Py_ssize_t size, rule
    while True:
        found = PyDict_GetItem(<dict>t.actions[states.items[states.size - 1]], kind)
        if found is NULL:
            raise Rejected()
        code = <long><object>found
        if code >= 0:
            if is_end:
                raise Rejected()
            states.push(<int>code)
            if t.token_callbacks and kind in t.token_callbacks:
                token = t.token_callbacks[kind](token)
            values.append(token)
            return None
        rule = -code - 1
        size = <Py_ssize_t><object>t.sizes[rule]
        if size:
            children = values[PyList_GET_SIZE(values) - size:]
            del values[PyList_GET_SIZE(values) - size:]
            states.size -= size
        else:
            children = []
        callback = t.callbacks[rule]
        value = callback(children) if callback is not None else children
        found = PyDict_GetItem(<dict>t.actions[states.items[states.size - 1]],
                               t.origins[rule])
        states.push(<int><long><object>found)
        values.append(value)
        if is_end and states.items[states.size - 1] == t.end_state:
            return values[PyList_GET_SIZE(values) - 1]


def parse(Tables t, tokens):
    """The tree Lark's callbacks build for ``tokens`` (Lark tokens, with ``type``), or
    :class:`Rejected`."""
    cdef _Stack states = _Stack()
    cdef list values = []
    states.push(t.start_state)
    for token in tokens:
        step(t, states, values, token.type, token, False)
    return step(t, states, values, "$END", None, True)
