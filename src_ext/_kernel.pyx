# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False, always_allow_keywords=False
# (plain METH_O methods: the per-event entry points are called millions of times)
"""The Cython kernel: runs a compiled FQL plan (``fql/plan.py``).

Twin of ``fql/evaluator.py`` (the reference): same values, same errors, for every plan
and event; ``tests/test_backends.py`` checks it with random plans and events.

Algorithm. Each plan node becomes a ``cdef class`` whose ``eval`` (the FQL value) and
``test`` (``eval(...) is True`` as a C int) are C-level virtual calls, so an expression
costs a few pointer hops instead of Python frames; nested closures (the twin's design)
were rejected here because every closure call goes back through the interpreter.
The builder recognises the shapes rules are made of and fuses them into one node that
works on C values: a path read and a string comparison, ``length(x) > n`` on the C
length, ``lowercase(x) = 'lit'`` compared byte by byte without building the lowered
string, ``x > 100`` on C doubles, ``contains(x, 'lit')``, ``x in ['a', 'b']`` as a set
probe, ``match(x, 'Product *')`` with ``startswith``/``find``. Consecutive operands of
an ``and``/``or`` that test one path (``event = 'A' or match(event, 'B*')``) read it
once; short ``and``/``or`` chains are nested two-operand nodes rather than a loop over a
list. Paths walk borrowed references through exact dicts, and a missing step ends the
walk at once.

Every JSON value kind takes a C path in every node: null and missing, bools, ints
(compared exactly at any size), floats, str of any width, lists (equality item by item,
``in``, list steps in paths) and objects (deep equality). Python runs only for what is
not JSON or not of an exact JSON type (dict, str, int subclasses, other objects: the
very functions the twin uses, ``fql.values`` and ``fql.functions``, raise or answer, so
errors and error codes stay identical), for non-ASCII ``titlecase``, non-ASCII text
given to ``number``, number text of non-integral floats (JS number formatting) and the
JSON text of lists and objects in ``string``, and for ``semver``, rare enough that the
twin's function is the whole implementation. Any glob runs as a small automaton over
the pieces ``fql.glob`` compiles (``Glob.tokens``).

No Python code runs while the kernel holds a borrowed pointer: the dict probe defers a
lookup that could call a key's ``__eq__`` (``_dictprobe.h``) and the path read then
goes on in the twin's ``lookup``; batch loops read the caller's list as it is at each
step.

A :class:`Program` exposes ``evaluate``/``matches``/``matches_many``/``filter`` so that
``Expression`` binds them directly: one C call per event, and batch loops in C.
"""

from sys import intern

cimport cython

from cpython.dict cimport PyDict_Next
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject, PyTypeObject, PyObject_RichCompareBool, Py_EQ, Py_LT
from cpython.object cimport Py_LE, Py_GT, Py_GE
from cpython.unicode cimport PyUnicode_Contains
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.math cimport INFINITY

# Path walks take no references until their last step.
from _probe cimport DEFER, HINT_SLOTS, dict_get_hinted, probe, probe_selfcheck
from _probe cimport same_text, tuple_item

from fql import plan as _plan
from fql.evaluator import _contains, build_program as py_build_program, lookup
from fql.glob import match_literal_parts
from fql.values import MAX_VALUE_DEPTH as _MAX_VALUE_DEPTH
from fql.values import json_type, not_an_object, order, strict_equal, too_deep

cdef extern from "Python.h":
    PyTypeObject* type_of "Py_TYPE"(PyObject* o)
    bint is_ascii "PyUnicode_IS_ASCII"(PyObject* o)
    Py_ssize_t ustr_len "PyUnicode_GET_LENGTH"(PyObject* o)
    int ustr_kind "PyUnicode_KIND"(PyObject* o)
    void* ustr_data "PyUnicode_DATA"(PyObject* o)
    PyObject* Py_None
    int PyUnicode_Compare(object a, object b) except? -1
    Py_UCS4 read_char "PyUnicode_READ"(int kind, void* data, Py_ssize_t i)
    bint is_space "Py_UNICODE_ISSPACE"(Py_UCS4 c)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void write_char "PyUnicode_WRITE"(int kind, void* data, Py_ssize_t i, Py_UCS4 c)
    Py_UCS4 max_char "PyUnicode_MAX_CHAR_VALUE"(PyObject* o)
    object PyFloat_FromString(object text)
    object PyLong_FromUnicodeObject(object text, int base)

cdef PyTypeObject* DICT = <PyTypeObject*>dict
cdef PyTypeObject* STR = <PyTypeObject*>str
cdef PyTypeObject* INT = <PyTypeObject*>int
cdef PyTypeObject* FLOAT = <PyTypeObject*>float
cdef PyTypeObject* BOOL = <PyTypeObject*>bool
cdef PyTypeObject* LIST = <PyTypeObject*>list

# Integers up to 2**53 convert to doubles exactly, so comparing them as doubles gives
# Python's (exact) answer; anything larger takes Python's comparison.
cdef long long EXACT_DOUBLE_INT = 9007199254740992

#: Up to this many strings, ``x in [...]`` compares one by one instead of hashing.
cdef Py_ssize_t SHORT_LIST = 8


cdef inline bint str_equal(PyObject* a, PyObject* b):
    """Equality of two exact ``str`` objects (identity, length, kind, then bytes)."""
    return a == b or same_text(a, b)


cdef inline bint ascii_case_equal(PyObject* text, PyObject* expected, bint upper):
    """``text.lower() == expected`` (or ``upper``) for an ASCII ``text``, without
    building the converted string."""
    cdef Py_ssize_t n = ustr_len(text)
    cdef Py_ssize_t i
    cdef const unsigned char* a
    cdef const unsigned char* b
    cdef unsigned char c
    if n != ustr_len(expected) or not is_ascii(expected):
        return False
    a = <const unsigned char*>ustr_data(text)
    b = <const unsigned char*>ustr_data(expected)
    for i in range(n):
        c = a[i]
        if upper:
            if 97 <= c <= 122:
                c -= 32
        elif 65 <= c <= 90:
            c += 32
        if c != b[i]:
            return False
    return True


cdef enum Kind:
    OTHER, NULL_, STRING, NUMBER, BOOLEAN, LIST_, OBJECT


cdef inline Kind kind_of(PyObject* v):
    """The JSON kind of a value of an exact JSON type; ``OTHER`` for subclasses and
    non-JSON values (which take the Python functions)."""
    cdef PyTypeObject* t = type_of(v)
    if t == STR:
        return STRING
    if v == Py_None:
        return NULL_
    if t == FLOAT or t == INT:
        return NUMBER
    if t == DICT:
        return OBJECT
    if t == LIST:
        return LIST_
    if t == BOOL:
        return BOOLEAN
    return OTHER


cdef Py_ssize_t MAX_VALUE_DEPTH = _MAX_VALUE_DEPTH


cdef inline bint equal_values(object a, object b) except -1:
    """FQL ``=`` (``strict_equal``) in C for every JSON kind: different kinds are
    unequal; strings, numbers (exact for ints of any size, ``1 = 1.0``), booleans and
    nulls compare directly, lists and objects deeply. A value that is not of an exact
    JSON type takes ``strict_equal`` (its errors, the subclasses' rules)."""
    return deep_equal(a, b, 0)


cdef bint deep_equal(object a, object b, Py_ssize_t depth) except -1:
    """``strict_equal(a, b, depth)``."""
    cdef Kind ka = kind_of(<PyObject*>a)
    cdef Kind kb = kind_of(<PyObject*>b)
    if ka == OTHER or kb == OTHER:
        return strict_equal(a, b, depth)
    if ka != kb:
        return False
    if ka == STRING:
        return str_equal(<PyObject*>a, <PyObject*>b)
    if ka == NULL_:
        return True
    if ka == BOOLEAN:
        return a is b
    if ka == NUMBER:
        if type_of(<PyObject*>a) == FLOAT and type_of(<PyObject*>b) == FLOAT:
            return PyFloat_AS_DOUBLE(a) == PyFloat_AS_DOUBLE(b)
        return PyObject_RichCompareBool(a, b, Py_EQ)  # exact int/float: no Python code
    if depth >= MAX_VALUE_DEPTH:
        raise too_deep()
    if ka == LIST_:
        return lists_equal(<list>a, <list>b, depth + 1)
    return objects_equal(<dict>a, <dict>b, depth + 1)


cdef bint lists_equal(list a, list b, Py_ssize_t depth) except -1:
    cdef Py_ssize_t i = 0
    if PyList_GET_SIZE(a) != PyList_GET_SIZE(b):
        return False
    # Lengths and items read at every step, items held: a comparison that reaches a
    # non-JSON value runs Python code, which may change either list.
    while i < PyList_GET_SIZE(a) and i < PyList_GET_SIZE(b):
        x = <object>PyList_GET_ITEM(a, i)
        y = <object>PyList_GET_ITEM(b, i)
        if not deep_equal(x, y, depth):
            return False
        i += 1
    return True


cdef bint objects_equal(dict a, dict b, Py_ssize_t depth) except -1:
    """Same keys (all str: other keys take ``strict_equal``), then the values in
    ``a``'s order, as ``strict_equal`` compares them."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* k
    cdef PyObject* v
    cdef PyObject* found
    cdef Py_ssize_t hint
    if len(a) != len(b):
        return False
    while PyDict_Next(a, &pos, &k, &v):
        hint = -1
        found = DEFER if type_of(k) != STR else dict_get_hinted(<PyObject*>b, k, &hint)
        if found == DEFER:
            return strict_equal(a, b, depth - 1)
        if found == NULL:
            return False
    pos = 0
    while PyDict_Next(a, &pos, &k, &v):
        hint = -1
        found = dict_get_hinted(<PyObject*>b, k, &hint)
        if found == DEFER or found == NULL:  # changed meanwhile: Python decides
            return strict_equal(a, b, depth - 1)
        key = <object>k
        x = <object>v
        y = <object>found
        if not deep_equal(x, y, depth):
            return False
    return True


cdef inline bint equal_str(PyObject* v, PyObject* expected) except -1:
    """FQL ``v = 'literal'``; ``v`` may be NULL (a missing field, null)."""
    if v == NULL:
        return False
    cdef Kind k = kind_of(v)
    if k == STRING:
        return str_equal(v, expected)
    if k != OTHER:
        return False
    return strict_equal(<object>v, <object>expected)


cdef enum OrderOp:
    LT, LE, GT, GE

cdef dict ORDER_OPS = {"<": LT, "<=": LE, ">": GT, ">=": GE}


cdef inline bint compare_doubles(OrderOp op, double a, double b):
    if op == LT:
        return a < b
    if op == LE:
        return a <= b
    if op == GT:
        return a > b
    return a >= b


cdef inline bint as_exact_double(PyObject* v, double* out):
    """Store a plain float or a small int as a double; false for anything else
    (bool, big int, other types), which then takes Python's comparison."""
    cdef PyTypeObject* t = type_of(v)
    cdef int overflow = 0
    cdef long long n
    if t == FLOAT:
        out[0] = PyFloat_AS_DOUBLE(<object>v)
        return True
    if t == INT:
        n = PyLong_AsLongLongAndOverflow(<object>v, &overflow)
        if overflow == 0 and -EXACT_DOUBLE_INT <= n <= EXACT_DOUBLE_INT:
            out[0] = <double>n
            return True
    return False


cdef inline Py_ssize_t utf8_length(object text):
    """``len(text.encode('utf-8', 'surrogatepass'))`` of an exact str, without
    encoding it (a lone surrogate takes 3 bytes, as surrogatepass writes it)."""
    cdef Py_ssize_t n = ustr_len(<PyObject*>text), i, total
    cdef int kind
    cdef void* data
    cdef Py_UCS4 c
    if is_ascii(<PyObject*>text):
        return n
    kind = ustr_kind(<PyObject*>text)
    data = ustr_data(<PyObject*>text)
    total = 0
    for i in range(n):
        c = read_char(kind, data, i)
        total += 1 if c < 0x80 else 2 if c < 0x800 else 3 if c < 0x10000 else 4
    return total


cdef int RICH_OPS[4]
RICH_OPS[:] = [Py_LT, Py_LE, Py_GT, Py_GE]


cdef bint order_values(OrderOp op, str op_text, object a, object b) except -1:
    """FQL ``< <= > >=`` (``fql.values.order``) in C for every JSON kind: two numbers
    by value (exactly, for ints of any size), two strings by code point, any other
    pair of JSON values false. A value that is not of an exact JSON type takes
    ``order`` (its error)."""
    cdef Kind ka = kind_of(<PyObject*>a)
    cdef Kind kb = kind_of(<PyObject*>b)
    if ka == OTHER or kb == OTHER:
        return order(op_text, a, b)
    if ka != kb or (ka != NUMBER and ka != STRING):
        return False
    if ka == STRING:
        return compare_ints(op, PyUnicode_Compare(a, b), 0)
    return PyObject_RichCompareBool(a, b, RICH_OPS[<int>op])  # exact int/float


cdef inline bint compare_ints(OrderOp op, int a, int b):
    if op == LT:
        return a < b
    if op == LE:
        return a <= b
    if op == GT:
        return a > b
    return a >= b


cdef class Node:
    cdef object eval(self, object event):
        raise NotImplementedError

    cdef tuple subject(self):
        """The path whose value this node tests (``x`` in ``x = 'a'``), or None: the
        operands of an ``and``/``or`` that test one path read it once
        (:class:`SameSubject`)."""
        return None

    cdef bint check(self, object v) except -1:
        """The test on the subject's value ``v`` (nodes whose ``subject`` is not None)."""
        raise NotImplementedError

    cdef bint test(self, object event) except -1:
        """``eval(event) is True`` without making a Python bool: the boolean nodes
        override it, so conditions pass C ints to each other."""
        return self.eval(event) is True


cdef class BoolNode(Node):
    """A node whose value is always a bool: ``eval`` wraps ``test``."""

    cdef object eval(self, object event):
        return True if self.test(event) else False


cdef class Const(Node):
    cdef object value

    def __init__(self, value):
        self.value = value

    cdef object eval(self, object event):
        return self.value


cdef class Get(Node):
    """A path read. Exact dicts are walked with borrowed references; a missing key or a
    null or scalar step ends the walk with null (as ``lookup`` does); a key of ASCII
    digits indexes an exact list (``products.0.price``); a non-JSON value, or a dict
    lookup that could run Python code (the probe's ``DEFER``), goes to ``lookup``."""
    cdef object first
    cdef tuple rest
    cdef Py_ssize_t nrest
    cdef tuple keys
    cdef tuple indexes  # per key of ``rest``: its list index, or -1
    cdef Py_ssize_t hints[HINT_SLOTS]  # see _probe.pxd

    def __init__(self, tuple keys):
        self.keys = tuple(intern(k) if type(k) is str else k for k in keys)
        self.first = self.keys[0]
        self.rest = self.keys[1:]
        self.nrest = len(self.rest)
        self.indexes = tuple(min(int(k), 1 << 62) if type(k) is str and k.isdigit() and k.isascii()
                             else -1 for k in self.rest)

    cdef object eval(self, object event):
        cdef PyObject* found = probe(<PyObject*>event, <PyObject*>self.first, self.hints, 0)
        cdef PyObject* current
        cdef PyTypeObject* t
        cdef Py_ssize_t i, index
        global deferred
        if found == DEFER:
            deferred = True
            return lookup(event, self.keys)
        for i in range(self.nrest):
            if found == NULL or found == Py_None:
                return None
            t = type_of(found)
            if t == DICT:
                current = found
                found = probe(current, tuple_item(<PyObject*>self.rest, i), self.hints, i + 1)
                if found == DEFER:  # no Python code ran: `current` is alive
                    deferred = True
                    return lookup(<object>current, self.rest[i:])
            elif t == LIST:
                index = <Py_ssize_t><object>tuple_item(<PyObject*>self.indexes, i)
                if index < 0 or index >= PyList_GET_SIZE(<object>found):
                    return None
                found = PyList_GET_ITEM(<object>found, index)
            elif t == STR or t == FLOAT or t == INT or t == BOOL:
                return None
            else:
                return lookup(<object>found, self.rest[i:])
        if found == NULL:
            return None
        return <object>found


#: Set when a path read went to Python (a lookup that could run a key's ``__eq__``):
#: a node that reads a path once for several tests then reads it per test, as the
#: twin does, since the Python code may have changed the event.
cdef bint deferred = False


cdef inline tuple keys_of(Node node):
    """The path ``node`` reads when it is a plain path read, else None."""
    return (<Get>node).keys if type(node) is Get else None


cdef class Not(BoolNode):
    cdef Node operand

    def __init__(self, Node operand):
        self.operand = operand

    cdef bint test(self, object event) except -1:
        return not self.operand.test(event)


cdef class And(BoolNode):
    cdef list operands

    def __init__(self, list operands):
        self.operands = operands

    cdef bint test(self, object event) except -1:
        cdef Node op
        for op in self.operands:
            if not op.test(event):
                return False
        return True


cdef class And2(BoolNode):
    """``a and b``: the two-operand case without the loop."""
    cdef Node a
    cdef Node b

    def __init__(self, Node a, Node b):
        self.a = a
        self.b = b

    cdef bint test(self, object event) except -1:
        return self.a.test(event) and self.b.test(event)


cdef class Or(BoolNode):
    cdef list operands

    def __init__(self, list operands):
        self.operands = operands

    cdef bint test(self, object event) except -1:
        cdef Node op
        for op in self.operands:
            if op.test(event):
                return True
        return False


cdef class Or2(BoolNode):
    """``a or b``: the two-operand case without the loop."""
    cdef Node a
    cdef Node b

    def __init__(self, Node a, Node b):
        self.a = a
        self.b = b

    cdef bint test(self, object event) except -1:
        return self.a.test(event) or self.b.test(event)


@cython.final
cdef class EqStr(BoolNode):
    """``x = 'literal'`` / ``x != 'literal'``."""
    cdef Node left
    cdef str expected
    cdef bint negate

    def __init__(self, Node left, str expected, bint negate):
        self.left = left
        self.expected = intern(expected)
        self.negate = negate

    cdef tuple subject(self):
        return keys_of(self.left)

    cdef bint test(self, object event) except -1:
        return self.check(self.left.eval(event))

    cdef bint check(self, object v) except -1:
        return equal_str(<PyObject*>v, <PyObject*>self.expected) != self.negate


@cython.final
#: Equalities one KeysEqStr fuses: its ``negate`` mask has one bit per test.
cdef int MAX_FUSED_KEYS = 64


cdef class KeysEqStr(BoolNode):
    """``key = 'literal'`` (or ``!=``) on a top-level key, the commonest condition, and
    conjunctions of them, the shape of most filters and triggers (``type = "track" and
    event = "Order Completed"``): one node reads each key with a borrowed reference and
    compares in a C loop, stopping at the first false."""
    cdef tuple keys
    cdef tuple expected
    cdef unsigned long long negate  # bit i: test i is `!=`
    cdef Py_ssize_t n
    cdef Py_ssize_t hints[HINT_SLOTS]  # test i reads its key with slot i (see _probe.pxd)

    def __init__(self, list tests):
        self.keys = tuple(intern(key) for key, _, _ in tests)
        self.expected = tuple(intern(text) for _, text, _ in tests)
        self.negate = sum(1 << i for i, (_, _, neg) in enumerate(tests) if neg)
        self.n = len(tests)

    cdef tuple subject(self):
        return (<object>tuple_item(<PyObject*>self.keys, 0),) if self.n == 1 else None

    cdef bint check(self, object v) except -1:
        # A missing key reads as null through a Get: equal_str gives False for both.
        return (equal_str(<PyObject*>v, tuple_item(<PyObject*>self.expected, 0))
                != (self.negate & 1))

    cdef bint test(self, object event) except -1:
        cdef Py_ssize_t i
        cdef bint equal, negated
        cdef PyObject* found
        for i in range(self.n):
            found = probe(<PyObject*>event, tuple_item(<PyObject*>self.keys, i), self.hints, i)
            if found == DEFER:
                value = event.get(<object>tuple_item(<PyObject*>self.keys, i))
                equal = equal_str(<PyObject*>value, tuple_item(<PyObject*>self.expected, i))
            else:
                equal = equal_str(found, tuple_item(<PyObject*>self.expected, i))
            negated = (self.negate >> i) & 1
            if equal == negated:
                return False
        return True


@cython.final
cdef class CaseEqStr(BoolNode):
    """``lowercase(x) = 'literal'`` (or ``uppercase``, or ``!=``): ASCII text is
    compared byte by byte with the case folded on the fly; other values go through the
    function itself (Python's case rules for the rest of Unicode)."""
    cdef Node arg
    cdef object fn
    cdef str expected
    cdef bint upper
    cdef bint negate

    def __init__(self, fn, Node arg, str expected, bint upper, bint negate):
        self.fn = fn
        self.arg = arg
        self.expected = expected
        self.upper = upper
        self.negate = negate

    cdef tuple subject(self):
        return keys_of(self.arg)

    cdef bint test(self, object event) except -1:
        return self.check(self.arg.eval(event))

    cdef bint check(self, object v) except -1:
        cdef Kind k = kind_of(<PyObject*>v)
        cdef bint equal
        if k == STRING and is_ascii(<PyObject*>v):
            equal = ascii_case_equal(<PyObject*>v, <PyObject*>self.expected, self.upper)
        elif k != STRING and k != OTHER:
            equal = False  # the function gives null for any other JSON value
        else:
            equal = equal_values(self.fn(v), self.expected)
        return equal != self.negate


cdef class Eq(BoolNode):
    cdef Node left
    cdef Node right
    cdef bint negate

    def __init__(self, Node left, Node right, bint negate):
        self.left = left
        self.right = right
        self.negate = negate

    cdef bint test(self, object event) except -1:
        cdef object a = self.left.eval(event)
        cdef object b = self.right.eval(event)
        return equal_values(a, b) != self.negate


cdef class Order(BoolNode):
    cdef Node left
    cdef Node right
    cdef OrderOp op
    cdef str op_text

    def __init__(self, str op, Node left, Node right):
        self.left = left
        self.right = right
        self.op_text = op
        self.op = ORDER_OPS[op]

    cdef bint test(self, object event) except -1:
        cdef object a = self.left.eval(event)
        cdef object b = self.right.eval(event)
        cdef double x, y
        if as_exact_double(<PyObject*>a, &x) and as_exact_double(<PyObject*>b, &y):
            return compare_doubles(self.op, x, y)
        return order_values(self.op, self.op_text, a, b)


@cython.final
cdef class OrderBound(BoolNode):
    """``x < 100`` (any order operator, a number literal on the right): a plain float
    or small int is compared as a C double; a string, bool or null is false at once;
    anything else (big ints, non-JSON values) goes to ``order``."""
    cdef Node left
    cdef object bound
    cdef double bound_d
    cdef OrderOp op
    cdef str op_text

    def __init__(self, str op, Node left, bound):
        self.left = left
        self.bound = bound
        self.bound_d = <double>bound
        self.op_text = op
        self.op = ORDER_OPS[op]

    cdef tuple subject(self):
        return keys_of(self.left)

    cdef bint test(self, object event) except -1:
        return self.check(self.left.eval(event))

    cdef bint check(self, object v) except -1:
        cdef double x
        cdef PyTypeObject* t
        if as_exact_double(<PyObject*>v, &x):
            return compare_doubles(self.op, x, self.bound_d)
        return order_values(self.op, self.op_text, v, self.bound)


@cython.final
cdef class LengthBound(BoolNode):
    """``length(x) > 0`` (any order operator, a number literal): the C length of an
    ASCII string (bytes = characters) or a list, 0 for null; anything else asks
    ``length`` itself (UTF-8 byte counts, errors for non-JSON values)."""
    cdef Node arg
    cdef object fn
    cdef object bound
    cdef double bound_d
    cdef OrderOp op
    cdef str op_text

    def __init__(self, str op, fn, Node arg, bound):
        self.arg = arg
        self.fn = fn
        self.bound = bound
        self.bound_d = <double>bound
        self.op_text = op
        self.op = ORDER_OPS[op]

    cdef tuple subject(self):
        return keys_of(self.arg)

    cdef bint test(self, object event) except -1:
        return self.check(self.arg.eval(event))

    cdef bint check(self, object v) except -1:
        cdef PyTypeObject* t = type_of(<PyObject*>v)
        cdef Py_ssize_t n
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING:
            n = utf8_length(v)
        elif k == LIST_:
            n = PyList_GET_SIZE(v)
        elif k == NULL_:
            n = 0
        elif k != OTHER:
            return False  # length gives null: no order with a number
        else:
            return order(self.op_text, self.fn(v), self.bound)
        return compare_doubles(self.op, <double>n, self.bound_d)


@cython.final
cdef class InStrings(BoolNode):
    """``x in ['a', 'b']`` with string items: a short list is scanned with the C string
    comparison (cheaper than hashing for a handful of items), a long one probed as a set;
    a value that is not a string goes to ``_contains`` (false, or an error)."""
    cdef Node left
    cdef list items
    cdef tuple short
    cdef Py_ssize_t nshort
    cdef frozenset members

    def __init__(self, Node left, list items):
        self.left = left
        self.items = items
        self.short = tuple(intern(item) for item in items) if len(items) <= SHORT_LIST \
            else None
        self.nshort = len(items)
        self.members = frozenset(items)

    cdef tuple subject(self):
        return keys_of(self.left)

    cdef bint test(self, object event) except -1:
        return self.check(self.left.eval(event))

    cdef bint check(self, object v) except -1:
        cdef Py_ssize_t i
        cdef Kind k
        if type_of(<PyObject*>v) != STR:
            k = kind_of(<PyObject*>v)
            if k != OTHER:
                return False  # a JSON value of another kind equals no string
            return _contains(self.items, v)
        if self.short is None:
            return v in self.members
        for i in range(self.nshort):
            if str_equal(<PyObject*>v, tuple_item(<PyObject*>self.short, i)):
                return True
        return False


cdef class In(BoolNode):
    cdef Node left
    cdef Node right

    def __init__(self, Node left, Node right):
        self.left = left
        self.right = right

    cdef bint test(self, object event) except -1:
        cdef object a = self.left.eval(event)
        cdef object b = self.right.eval(event)
        return contains_value(b, a)


cdef bint contains_value(object items, object value) except -1:
    """``_contains(items, value)`` in C for JSON values: a scalar on the left, a list
    on the right, compared item by item with ``=``, else false."""
    cdef Kind kv = kind_of(<PyObject*>value)
    cdef Kind ki = kind_of(<PyObject*>items)
    if kv == OTHER or ki == OTHER:
        return _contains(items, value)
    if ki != LIST_ or kv == LIST_ or kv == OBJECT:
        return False
    for item in <list>items:  # the length read at every step, each item held
        if deep_equal(value, item, 0):
            return True
    return False


@cython.final
cdef class InValues(BoolNode):
    """``x in [1, 2, 'a']``: a literal list that is not all strings, compared with
    ``=`` item by item in C."""
    cdef Node left
    cdef list items

    def __init__(self, Node left, list items):
        self.left = left
        self.items = items

    cdef tuple subject(self):
        return keys_of(self.left)

    cdef bint test(self, object event) except -1:
        return self.check(self.left.eval(event))

    cdef bint check(self, object v) except -1:
        return contains_value(self.items, v)


cdef class Call1(Node):
    cdef object fn
    cdef Node arg

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        return self.fn(self.arg.eval(event))


cdef class Call2(Node):
    cdef object fn
    cdef Node a
    cdef Node b

    def __init__(self, fn, Node a, Node b):
        self.fn = fn
        self.a = a
        self.b = b

    cdef object eval(self, object event):
        cdef object x = self.a.eval(event)
        return self.fn(x, self.b.eval(event))


cdef class CallN(Node):
    cdef object fn
    cdef list args

    def __init__(self, fn, list args):
        self.fn = fn
        self.args = args

    cdef object eval(self, object event):
        cdef Node arg
        return self.fn(*[arg.eval(event) for arg in self.args])


cdef class Length(Node):
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING:
            return utf8_length(v)
        if k == NULL_:
            return 0
        if k == LIST_:
            return PyList_GET_SIZE(v)
        if k != OTHER:
            return None
        return self.fn(v)


cdef class Contains(BoolNode):
    cdef Node a
    cdef Node b
    cdef object fn

    def __init__(self, fn, Node a, Node b):
        self.fn = fn
        self.a = a
        self.b = b

    cdef bint test(self, object event) except -1:
        cdef object s = self.a.eval(event)
        cdef object sub = self.b.eval(event)
        cdef Kind ks = kind_of(<PyObject*>s)
        cdef Kind kb = kind_of(<PyObject*>sub)
        if ks == STRING and kb == STRING:
            return PyUnicode_Contains(s, sub)
        if ks != OTHER and kb != OTHER:
            return False
        return self.fn(s, sub)


@cython.final
cdef class ContainsStr(BoolNode):
    """``contains(x, 'literal')``: a C substring search for an exact string."""
    cdef Node arg
    cdef str sub
    cdef object fn

    def __init__(self, fn, Node arg, str sub):
        self.fn = fn
        self.arg = arg
        self.sub = sub

    cdef tuple subject(self):
        return keys_of(self.arg)

    cdef bint test(self, object event) except -1:
        return self.check(self.arg.eval(event))

    cdef bint check(self, object s) except -1:
        cdef Kind k = kind_of(<PyObject*>s)
        if k == STRING:
            return PyUnicode_Contains(s, self.sub)
        if k != OTHER:
            return False
        return self.fn(s, self.sub)


@cython.final
cdef class MatchLiteral(BoolNode):
    """``match(x, 'Product *')`` where the pattern is literal text and stars: prefix,
    suffix and in-between searches with str methods (``fql.glob.match_literal_parts``)."""
    cdef Node subject_node
    cdef tuple parts
    cdef str head
    cdef str tail
    cdef Py_ssize_t n

    def __init__(self, Node subject, tuple parts):
        self.subject_node = subject
        self.parts = parts
        self.head = parts[0]
        self.tail = parts[len(parts) - 1]
        self.n = len(parts)

    cdef tuple subject(self):
        return keys_of(self.subject_node)

    cdef bint test(self, object event) except -1:
        return self.check(self.subject_node.eval(event))

    cdef bint check(self, object v) except -1:
        cdef str text
        cdef Py_ssize_t start, end, found, i
        cdef str piece
        if type_of(<PyObject*>v) != STR:
            if kind_of(<PyObject*>v) != OTHER:
                return False
            if isinstance(v, str):
                return match_literal_parts(v, self.parts)
            json_type(v)
            return False
        text = <str>v
        if self.n == 1:
            return str_equal(<PyObject*>text, <PyObject*>self.head)
        if len(text) < len(self.head) + len(self.tail) or not text.startswith(self.head) \
                or not text.endswith(self.tail):
            return False
        start = len(self.head)
        end = len(text) - len(self.tail)
        for i in range(1, self.n - 1):
            piece = <str>self.parts[i]
            if piece:
                found = text.find(piece, start, end)
                if found < 0:
                    return False
                start = found + len(piece)
        return True


@cython.final
cdef class GlobMatch(BoolNode):
    """``match(x, pattern)`` for any pattern with ``?``, classes or escapes: the
    pattern's pieces between stars (``Glob.tokens``) run as a small automaton over the
    text's code points, with ``fql.glob``'s algorithm (the first and last piece
    anchored, each middle piece at its leftmost place): no regular expression, any str
    width. Other JSON values are false; a str subclass or a non-JSON value goes to the
    glob (or its error)."""
    cdef Node subject_node
    cdef object glob_match
    cdef bint valid
    cdef Py_ssize_t npieces
    cdef Py_UCS4* code  # every piece's tokens, one after the other
    cdef Py_ssize_t* starts  # piece i's tokens are code[starts[i]:starts[i + 1]]
    cdef Py_ssize_t* widths  # characters each piece matches

    def __init__(self, Node subject, glob):
        cdef Py_ssize_t i, j, total
        self.subject_node = subject
        self.glob_match = glob.match
        self.valid = glob.tokens is not None
        if not self.valid:
            return
        pieces = glob.tokens
        self.npieces = len(pieces)
        total = sum(len(piece) for piece in pieces)
        self.code = <Py_UCS4*>PyMem_Malloc(max(total, 1) * sizeof(Py_UCS4))
        self.starts = <Py_ssize_t*>PyMem_Malloc((self.npieces + 1) * sizeof(Py_ssize_t))
        self.widths = <Py_ssize_t*>PyMem_Malloc(self.npieces * sizeof(Py_ssize_t))
        if self.code == NULL or self.starts == NULL or self.widths == NULL:
            raise MemoryError()
        j = 0
        for i in range(self.npieces):
            self.starts[i] = j
            self.widths[i] = 0
            k = 0
            piece = pieces[i]
            while k < len(piece):
                self.widths[i] += 1
                step = 2 if piece[k] == 0 else 1 if piece[k] == 1 else 3 + 2 * piece[k + 2]
                for t in range(step):
                    self.code[j] = piece[k + t]
                    j += 1
                k += step
        self.starts[self.npieces] = j

    def __dealloc__(self):
        PyMem_Free(self.code)
        PyMem_Free(self.starts)
        PyMem_Free(self.widths)

    cdef tuple subject(self):
        return keys_of(self.subject_node)

    cdef bint test(self, object event) except -1:
        return self.check(self.subject_node.eval(event))

    cdef bint check(self, object v) except -1:
        if type_of(<PyObject*>v) != STR:
            if kind_of(<PyObject*>v) != OTHER:
                return False
            if isinstance(v, str):
                return self.glob_match(v)
            json_type(v)
            return False
        if not self.valid:
            return False
        return self.run(v)

    cdef bint piece_at(self, Py_ssize_t piece, int kind, void* data, Py_ssize_t at):
        """Does piece ``piece`` match the text at ``at`` (room for it checked)?"""
        cdef Py_ssize_t j = self.starts[piece], end = self.starts[piece + 1], r, nranges
        cdef Py_UCS4 c
        cdef bint inside
        while j < end:
            c = read_char(kind, data, at)
            if self.code[j] == 0:
                if c != self.code[j + 1]:
                    return False
                j += 2
            elif self.code[j] == 1:
                j += 1
            else:
                nranges = self.code[j + 2]
                inside = False
                for r in range(nranges):
                    if self.code[j + 3 + 2 * r] <= c <= self.code[j + 4 + 2 * r]:
                        inside = True
                        break
                if inside == <bint>self.code[j + 1]:  # in a negated class, or not in
                    return False
                j += 3 + 2 * nranges
            at += 1
        return True

    cdef bint run(self, object text):
        cdef Py_ssize_t n = ustr_len(<PyObject*>text), start, end, i, at, last, width
        cdef int kind = ustr_kind(<PyObject*>text)
        cdef void* data = ustr_data(<PyObject*>text)
        if self.npieces == 1:
            return self.widths[0] == n and self.piece_at(0, kind, data, 0)
        last = self.npieces - 1
        if self.widths[0] > n or not self.piece_at(0, kind, data, 0):
            return False
        start = self.widths[0]
        end = n - self.widths[last]
        if end < start or not self.piece_at(last, kind, data, end):
            return False
        for i in range(1, last):
            width = self.widths[i]
            if width == 0:
                continue
            at = start
            while at + width <= end and not self.piece_at(i, kind, data, at):
                at += 1
            if at + width > end:
                return False
            start = at + width
        return True


# --------------------------------------------------------------------------- functions

cdef enum TextFn:
    LOWER, UPPER, SNAKE, KEBAB, TITLE

cdef dict TEXT_FNS = {"lowercase": LOWER, "uppercase": UPPER, "snakecase": SNAKE,
                      "kebabcase": KEBAB, "titlecase": TITLE}


cdef object ascii_text_fn(TextFn fn, object text):
    """The case functions on an ASCII str, written byte by byte into a new str (ASCII
    case rules are the whole of Python's for ASCII; its whitespace is ``\\s``)."""
    cdef Py_ssize_t n = ustr_len(<PyObject*>text), i
    cdef const unsigned char* a = <const unsigned char*>ustr_data(<PyObject*>text)
    cdef unsigned char c
    cdef bint word_start = True
    out = PyUnicode_New(n, 127)
    cdef unsigned char* b = <unsigned char*>ustr_data(<PyObject*>out)
    for i in range(n):
        c = a[i]
        if fn == LOWER:
            if 65 <= c <= 90:
                c += 32
        elif fn == UPPER:
            if 97 <= c <= 122:
                c -= 32
        elif fn == TITLE:
            if is_space(c):
                word_start = True
            else:
                if word_start and 97 <= c <= 122:
                    c -= 32
                word_start = False
        elif is_space(c):
            c = 95 if fn == SNAKE else 45  # '_' / '-'
        b[i] = c
    return out


cdef object spaces_replaced(object text, Py_UCS4 by):
    """``snakecase``/``kebabcase`` of any str: every space character (``\\s``, which
    is ``str.isspace``) replaced by ``by``; the result stored as narrow as it can be."""
    cdef Py_ssize_t n = ustr_len(<PyObject*>text), i
    cdef int kind = ustr_kind(<PyObject*>text)
    cdef void* data = ustr_data(<PyObject*>text)
    cdef Py_UCS4 c, widest = by
    for i in range(n):
        c = read_char(kind, data, i)
        if not is_space(c) and c > widest:
            widest = c
    out = PyUnicode_New(n, widest)
    cdef int out_kind = ustr_kind(<PyObject*>out)
    cdef void* out_data = ustr_data(<PyObject*>out)
    for i in range(n):
        c = read_char(kind, data, i)
        write_char(out_kind, out_data, i, by if is_space(c) else c)
    return out


@cython.final
cdef class TextCall(Node):
    """``lowercase``, ``uppercase``, ``snakecase``, ``kebabcase``, ``titlecase``: ASCII
    text in C, ``snakecase``/``kebabcase`` for any text, ``str.lower``/``str.upper``
    otherwise; null for any other JSON value, the function itself (its error) for a
    value that is not JSON or a str subclass."""
    cdef Node arg
    cdef object fn
    cdef TextFn which

    def __init__(self, str name, fn, Node arg):
        self.which = TEXT_FNS[name]
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING:
            if is_ascii(<PyObject*>v):
                return ascii_text_fn(self.which, v)
            if self.which == LOWER:
                return (<str>v).lower()
            if self.which == UPPER:
                return (<str>v).upper()
            if self.which == SNAKE or self.which == KEBAB:
                return spaces_replaced(v, 95 if self.which == SNAKE else 45)
            return self.fn(v)  # titlecase beyond ASCII: Python's case rules
        if k != OTHER:
            return None
        return self.fn(v)


cdef str T_STRING = intern("string"), T_NUMBER = intern("number"), T_BOOL = intern("bool")
cdef str T_NULL = intern("null"), T_LIST = intern("list"), T_OBJECT = intern("object")


@cython.final
cdef class TypeOf(Node):
    """``typeof(x)`` from the C kind; the function (its error) for non-JSON values."""
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING:
            return T_STRING
        if k == NULL_:
            return T_NULL
        if k == NUMBER:
            return T_NUMBER
        if k == BOOLEAN:
            return T_BOOL
        if k == LIST_:
            return T_LIST
        if k == OBJECT:
            return T_OBJECT
        return self.fn(v)


cdef str S_TRUE = intern("true"), S_FALSE = intern("false")


@cython.final
cdef class ToString(Node):
    """``string(x)``: strings, null, booleans and ints within 2**53 (whose JS text is
    their decimal text) in C; other numbers (JS number text), lists and objects (JSON
    text) and non-JSON values go to the function."""
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        cdef double x
        if k == STRING:
            return v
        if k == NULL_:
            return T_NULL
        if k == BOOLEAN:
            return S_TRUE if v is True else S_FALSE
        if type_of(<PyObject*>v) == INT and as_exact_double(<PyObject*>v, &x):
            return str(v)
        if type_of(<PyObject*>v) == FLOAT:
            return float_text(PyFloat_AS_DOUBLE(v))
        return self.fn(v)


cdef str float_text(double x):
    """JS ``String(x)`` (``fql.js.js_number``) from Python's shortest round-trip
    digits (``repr``, the same digits JS prints), laid out by JS's rules: plain up to
    21 integer digits, ``0.000001`` down to six zeros, exponent form beyond."""
    if x != x:
        return "NaN"
    if x == INFINITY or x == -INFINITY:
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    cdef str sign = "-" if x < 0 else ""
    cdef str text = repr(-x if x < 0 else x)
    cdef Py_ssize_t exponent = 0, point, k, n
    mantissa, _, exp = text.partition("e")
    if exp:
        exponent = int(exp)
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + exponent
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    n = point
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


cdef inline bint is_digit(unsigned char c):
    return 48 <= c <= 57


cdef object parse_number(object text):
    """``number(s)`` for an ASCII str: surrounding space stripped, then
    ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?`` read as an int (no ``.``,
    ``e`` or ``E``) or a float; anything else null."""
    cdef Py_ssize_t n = ustr_len(<PyObject*>text), start = 0, end, i
    cdef const unsigned char* a = <const unsigned char*>ustr_data(<PyObject*>text)
    cdef bint floating = False
    while start < n and is_space(a[start]):
        start += 1
    end = n
    while end > start and is_space(a[end - 1]):
        end -= 1
    i = start
    if i < end and a[i] == 45:  # '-'
        i += 1
    if i >= end or not is_digit(a[i]):
        return None
    if a[i] == 48:  # a leading 0 stands alone
        i += 1
    else:
        while i < end and is_digit(a[i]):
            i += 1
    if i < end and a[i] == 46:  # '.'
        floating = True
        i += 1
        if i >= end or not is_digit(a[i]):
            return None
        while i < end and is_digit(a[i]):
            i += 1
    if i < end and (a[i] == 101 or a[i] == 69):  # 'e' 'E'
        floating = True
        i += 1
        if i < end and (a[i] == 43 or a[i] == 45):
            i += 1
        if i >= end or not is_digit(a[i]):
            return None
        while i < end and is_digit(a[i]):
            i += 1
    if i != end:
        return None
    number_text = text[start:end] if start or end != n else text
    if floating:
        return PyFloat_FromString(number_text)
    return PyLong_FromUnicodeObject(number_text, 10)


@cython.final
cdef class ToNumber(Node):
    """``number(x)``: numbers as they are, ASCII text parsed in C, null for the other
    JSON kinds; the function for non-ASCII text (Unicode space may surround digits)
    and non-JSON values."""
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == NUMBER:
            return v
        if k == STRING and is_ascii(<PyObject*>v):
            return parse_number(v)
        if k == NULL_ or k == BOOLEAN or k == LIST_ or k == OBJECT:
            return None
        return self.fn(v)


cdef frozenset TRUE_TEXTS = frozenset({"1", "t", "T", "true", "TRUE", "True"})
cdef frozenset FALSE_TEXTS = frozenset({"0", "f", "F", "false", "FALSE", "False"})


@cython.final
cdef class ToBool(Node):
    """``bool(x)`` for every JSON kind in C; the function for non-JSON values."""
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == NULL_:
            return False
        if k == BOOLEAN:
            return v
        if k == NUMBER:
            return not PyObject_RichCompareBool(v, 0, Py_EQ)
        if k == STRING:
            if v in TRUE_TEXTS:
                return True
            if v in FALSE_TEXTS:
                return False
            return None
        if k == LIST_:
            return PyList_GET_SIZE(v) > 0
        if k == OBJECT:
            return len(<dict>v) > 0
        return self.fn(v)


cdef bint is_bound(object node):
    """A number literal that converts to a double exactly (so C comparison is exact)."""
    if type(node) is not _plan.Const:
        return False
    value = node.value
    return type(value) is float or (type(value) is int and
                                    -EXACT_DOUBLE_INT <= value <= EXACT_DOUBLE_INT)


cdef bint is_str_const(object node):
    return type(node) is _plan.Const and type(node.value) is str


cdef object key_eq_str(object node):
    """``(key, text, negate)`` when ``node`` compares a top-level key with a string."""
    if type(node) is _plan.Eq and is_str_const(node.right) and \
            type(node.left) is _plan.Get and len(node.left.keys) == 1:
        return (node.left.keys[0], node.right.value, node.negate)
    return None


cdef Node _build_eq(object node):
    left = node.left
    if is_str_const(node.right):
        expected = node.right.value
        if type(left) is _plan.Get and len(left.keys) == 1:
            return KeysEqStr([(left.keys[0], expected, node.negate)])
        if type(left) is _plan.Call and left.name in ("lowercase", "uppercase"):
            return CaseEqStr(left.fn, _build(left.args[0]), expected,
                             left.name == "uppercase", node.negate)
        return EqStr(_build(left), expected, node.negate)
    return Eq(_build(left), _build(node.right), node.negate)


cdef Node _build_order(object node):
    left = node.left
    if is_bound(node.right):
        if type(left) is _plan.Call and left.name == "length":
            return LengthBound(node.op, left.fn, _build(left.args[0]), node.right.value)
        return OrderBound(node.op, _build(left), node.right.value)
    return Order(node.op, _build(left), _build(node.right))


cdef Node _build_call(object node):
    cdef list args
    if node.name == "contains" and is_str_const(node.args[1]):
        return ContainsStr(node.fn, _build(node.args[0]), node.args[1].value)
    args = [_build(a) for a in node.args]
    if node.name in TEXT_FNS:
        return TextCall(node.name, node.fn, args[0])
    if node.name == "typeof":
        return TypeOf(node.fn, args[0])
    if node.name == "string":
        return ToString(node.fn, args[0])
    if node.name == "number":
        return ToNumber(node.fn, args[0])
    if node.name == "bool":
        return ToBool(node.fn, args[0])
    if node.name == "length":
        return Length(node.fn, args[0])
    if node.name == "contains":
        return Contains(node.fn, args[0], args[1])
    if len(args) == 1:
        return Call1(node.fn, args[0])
    if len(args) == 2:
        return Call2(node.fn, args[0], args[1])
    return CallN(node.fn, args)


cdef class SameSubject(BoolNode):
    """Consecutive operands of an ``and``/``or`` that test the value of one path
    (``event = 'A' or match(event, 'Product *')``): the path is read once and each
    test runs on that value, in order, stopping where the ``and``/``or`` would."""
    cdef Get path
    cdef tuple tests
    cdef Py_ssize_t n
    cdef bint conjunction

    def __init__(self, Get path, list tests, bint conjunction):
        self.path = path
        self.tests = tuple(tests)
        self.n = len(tests)
        self.conjunction = conjunction

    cdef bint test(self, object event) except -1:
        global deferred
        deferred = False
        cdef object v = self.path.eval(event)
        cdef Py_ssize_t i
        cdef Node node
        cdef bint reread = deferred  # Python code ran in the read: read per test, as
        for i in range(self.n):      # the twin does (the answer may change meanwhile)
            node = <Node>tuple_item(<PyObject*>self.tests, i)
            if (node.test(event) if reread and i else node.check(v)) != self.conjunction:
                return not self.conjunction
        return self.conjunction


cdef list _same_subjects(list operands, bint conjunction):
    """``operands`` with each run of consecutive tests of one path made one
    :class:`SameSubject` (a path read has no side effects, so reading it once changes
    no answer and no error)."""
    cdef list out = []
    cdef Py_ssize_t i = 0, j, n = len(operands)
    while i < n:
        keys = (<Node>operands[i]).subject()
        j = i + 1
        if keys is not None:
            while j < n and (<Node>operands[j]).subject() == keys:
                j += 1
        if j - i >= 2:
            out.append(SameSubject(Get(keys), operands[i:j], conjunction))
        else:
            out.append(operands[i])
        i = j
    return out


#: Up to this many operands, ``and``/``or`` become a chain of two-operand nodes.
cdef Py_ssize_t SHORT_CHAIN = 8


cdef Node _chain(list operands, bint conjunction):
    """``a and b and c`` as ``And2(a, And2(b, c))`` (``or`` alike): the same order and
    short-circuit, one C call per operand, no loop over a Python list (its reference
    counting and type checks cost more than the tests of a short rule). A long chain
    keeps the loop, so that C recursion stays shallow."""
    operands = _same_subjects(operands, conjunction)
    cdef Py_ssize_t n = len(operands)
    if n == 1:
        return operands[0]
    if n > SHORT_CHAIN:
        return And(operands) if conjunction else Or(operands)
    cdef Node node = operands[n - 1]
    for i in range(n - 2, -1, -1):
        node = And2(operands[i], node) if conjunction else Or2(operands[i], node)
    return node


cdef Node _build(object node):
    cdef type kind = type(node)
    if kind is _plan.Const:
        return Const(node.value)
    if kind is _plan.Get:
        return Get(tuple(node.keys))
    if kind is _plan.Not:
        return Not(_build(node.operand))
    if kind is _plan.And:
        keyed = [key_eq_str(op) for op in node.operands]
        if None not in keyed and len(keyed) <= MAX_FUSED_KEYS:
            return KeysEqStr(keyed)
        return _chain([_build(op) for op in node.operands], True)
    if kind is _plan.Or:
        return _chain([_build(op) for op in node.operands], False)
    if kind is _plan.Eq:
        return _build_eq(node)
    if kind is _plan.Order:
        return _build_order(node)
    if kind is _plan.In:
        if type(node.right) is _plan.Const and type(node.right.value) is list and \
                all(type(i) is str for i in node.right.value):
            return InStrings(_build(node.left), node.right.value)
        if type(node.right) is _plan.Const and type(node.right.value) is list:
            return InValues(_build(node.left), node.right.value)
        return In(_build(node.left), _build(node.right))
    if kind is _plan.Call:
        return _build_call(node)
    if kind is _plan.Match:
        if node.glob.literal_parts is not None:
            return MatchLiteral(_build(node.subject), node.glob.literal_parts)
        return GlobMatch(_build(node.subject), node.glob)
    raise TypeError(f"not a plan node: {node!r}")


cdef inline int check_event(object event) except -1:
    if type_of(<PyObject*>event) != DICT and not isinstance(event, dict):
        raise not_an_object(event)
    return 0


cdef class Program:
    """A built plan with the entry points ``Expression`` binds (``root``, the top node,
    is readable so tests can see which node a shape became).

    Events that are exact dicts run here. An event of a dict subclass goes to the
    twin's program, built on first need: the twin reads a subclass through its own
    ``get``, as the kernel does for a subclass found inside an event, and the nodes
    here would read the dict's contents under it."""
    cdef readonly Node root
    cdef object plan_node
    cdef object py_program

    def __init__(self, plan_node):
        self.root = _build(plan_node)
        self.plan_node = plan_node

    cdef object twin(self):
        if self.py_program is None:
            self.py_program = py_build_program(self.plan_node)
        return self.py_program

    def evaluate(self, event):
        if type_of(<PyObject*>event) != DICT:
            check_event(event)
            return self.twin().evaluate(event)
        return self.root.eval(event)

    def matches(self, event):
        if type_of(<PyObject*>event) != DICT:
            check_event(event)
            return self.twin().matches(event)
        return True if self.root.test(event) else False

    def matches_many(self, events):
        """``matches`` over ``events``, the loop in C. The list is read as it is at each
        step, as the twin's comprehension reads it: a dict subclass's ``get`` (run by
        the twin) or another thread may grow or shrink it meanwhile, so the answers
        are written into the presized output only where it has room, appended past
        it, and the output cut where the list ended."""
        cdef Node root = self.root
        cdef Py_ssize_t i = 0
        cdef bint hit
        if type(events) is not list:
            events = list(events)
        cdef list out = [False] * PyList_GET_SIZE(events)
        for event in <list>events:
            if type_of(<PyObject*>event) == DICT:
                hit = root.test(event)
            else:
                hit = self.matches(event)
            if i < PyList_GET_SIZE(out):
                if hit:
                    out[i] = True
            else:
                out.append(True if hit else False)
            i += 1
        if i < PyList_GET_SIZE(out):
            del out[i:]
        return out

    def filter(self, events):
        """The events that match, in order (the same objects)."""
        cdef Node root = self.root
        cdef list out = []
        if type(events) is not list:
            events = list(events)
        for event in <list>events:
            if type_of(<PyObject*>event) == DICT:
                if root.test(event):
                    out.append(event)
            elif self.matches(event):
                out.append(event)
        return out


def build(plan_node):
    """The kernel twin of ``fql.evaluator.build_program``."""
    return Program(plan_node)


# Whether this kernel's dict probes read CPython's tables themselves (_dictprobe.h):
# this build can, and the probe agreed with dict.get when the module was imported.
DICT_HINTS = probe_selfcheck()


def probe_dict(object d, object key, Py_ssize_t hint):
    """``(found, value, hint)``: ``d.get(key)`` (``d`` a dict or a subclass) through the
    kernels' remembering probe, starting from ``hint`` and with the hint it leaves. The
    probe reads CPython's private dict layout, so it is tested on its own against
    ``dict.get``."""
    if not isinstance(d, dict):
        raise TypeError("probe_dict reads dicts")
    cdef PyObject* found = dict_get_hinted(<PyObject*>d, <PyObject*>key, &hint)
    if found == DEFER:  # as the kernels do: Python's own lookup
        if dict.__contains__(d, key):
            return True, dict.__getitem__(d, key), hint
        return False, None, hint
    if found == NULL:
        return False, None, hint
    return True, <object>found, hint


# -- the JSON copy ---------------------------------------------------------------------

class _Unusual(Exception):
    """Raised inside the copy for anything but exact JSON types within the depth: the
    twin then copies the value from the top, so errors (and their paths) are its own."""


cdef object copy_value(object value, int depth_left):
    cdef PyTypeObject* t = type_of(<PyObject*>value)
    cdef dict out
    cdef list items
    cdef Py_ssize_t i, n
    if t == STR or t == INT or t == FLOAT or value is None or t == BOOL:
        return value
    if depth_left <= 0:
        raise _Unusual()
    if t == DICT:
        out = {}
        for key, item in (<dict>value).items():
            if type_of(<PyObject*>key) != STR:
                raise _Unusual()
            out[key] = copy_value(item, depth_left - 1)
        return out
    if t == LIST:
        items = list(<list>value)
        n = PyList_GET_SIZE(items)
        for i in range(n):
            item = items[i]
            t = type_of(<PyObject*>item)
            if not (t == STR or t == INT or t == FLOAT or item is None or t == BOOL):
                items[i] = copy_value(item, depth_left - 1)
        return items
    raise _Unusual()


#: Deeper limits than this are copied by the twin (its recursion is Python's).
COPY_MAX_DEPTH = 1000


def json_copy(object value, int max_depth, object twin, object error):
    """``fql.values.json_copy`` in C for exact JSON types (``dict``, ``list``, ``str``,
    ``int``, ``float``, ``bool``, ``None``): the same copy, without a Python frame per
    container. Anything else (subclasses, non-JSON values, non-string keys, nesting past
    ``max_depth``) is handed to the twin's copier, ``twin(value, max_depth, (), error)``,
    from the top, so the result or the error is exactly the twin's (its arguments are
    passed through rather than bound in a closure per copy)."""
    if max_depth > COPY_MAX_DEPTH:
        return twin(value, max_depth, (), error)
    try:
        return copy_value(value, max_depth)
    except _Unusual:
        return twin(value, max_depth, (), error)
