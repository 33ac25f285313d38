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

Only exact JSON types take the C paths. Anything unusual (dict or str subclasses,
non-ASCII text where Python's case rules apply, huge integers, lists inside paths,
non-JSON values, the rarer functions) falls back to the very Python functions the twin
uses (``fql.values``, ``fql.functions``), which is what keeps the two identical,
errors and error codes included.

A :class:`Program` exposes ``evaluate``/``matches``/``matches_many``/``filter`` so that
``Expression`` binds them directly: one C call per event, and batch loops in C.
"""

from sys import intern

cimport cython

from cpython.list cimport PyList_GET_SIZE
from cpython.object cimport PyObject, PyTypeObject
from cpython.unicode cimport PyUnicode_Contains
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.long cimport PyLong_AsLongLongAndOverflow

# Path walks take no references until their last step.
from _probe cimport DEFER, HINT_SLOTS, dict_get_hinted, probe, probe_selfcheck
from _probe cimport same_text, tuple_item

from fql import plan as _plan
from fql.evaluator import _contains, build_program as py_build_program, lookup
from fql.glob import match_literal_parts
from fql.values import json_type, not_an_object, order, strict_equal

cdef extern from "Python.h":
    PyTypeObject* type_of "Py_TYPE"(PyObject* o)
    bint is_ascii "PyUnicode_IS_ASCII"(PyObject* o)
    Py_ssize_t ustr_len "PyUnicode_GET_LENGTH"(PyObject* o)
    int ustr_kind "PyUnicode_KIND"(PyObject* o)
    void* ustr_data "PyUnicode_DATA"(PyObject* o)
    PyObject* Py_None

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


cdef inline bint equal_values(object a, object b) except -1:
    """FQL ``=``: values of different JSON kinds are unequal, two strings, two floats
    and two nulls are compared in C; the rest is ``strict_equal``."""
    cdef Kind ka = kind_of(<PyObject*>a)
    cdef Kind kb = kind_of(<PyObject*>b)
    if ka == OTHER or kb == OTHER:
        return strict_equal(a, b)
    if ka != kb:
        return False
    if ka == STRING:
        return str_equal(<PyObject*>a, <PyObject*>b)
    if ka == NULL_:
        return True
    if ka == BOOLEAN:
        return a is b
    if type_of(<PyObject*>a) == FLOAT and type_of(<PyObject*>b) == FLOAT:
        return PyFloat_AS_DOUBLE(a) == PyFloat_AS_DOUBLE(b)
    return strict_equal(a, b)


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
    null or scalar step ends the walk with null (as ``lookup`` does); a list step (digit
    keys index lists) or a non-JSON value goes to ``lookup`` itself."""
    cdef object first
    cdef tuple rest
    cdef Py_ssize_t nrest
    cdef tuple keys
    cdef Py_ssize_t hints[HINT_SLOTS]  # see _probe.pxd

    def __init__(self, tuple keys):
        self.keys = tuple(intern(k) if type(k) is str else k for k in keys)
        self.first = self.keys[0]
        self.rest = self.keys[1:]
        self.nrest = len(self.rest)

    cdef object eval(self, object event):
        cdef PyObject* found = probe(<PyObject*>event, <PyObject*>self.first, self.hints, 0)
        cdef PyObject* current
        cdef PyTypeObject* t
        cdef Py_ssize_t i
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
        return order(self.op_text, a, b)


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
        t = type_of(<PyObject*>v)
        if <PyObject*>v == Py_None or t == STR or t == BOOL:
            return False
        return order(self.op_text, v, self.bound)


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
        if t == STR and is_ascii(<PyObject*>v):
            n = ustr_len(<PyObject*>v)
        elif t == LIST:
            n = PyList_GET_SIZE(v)
        elif <PyObject*>v == Py_None:
            n = 0
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
        if type_of(<PyObject*>v) != STR:
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
        return _contains(b, a)


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


cdef class Lowercase(Node):
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING:
            return (<str>v).lower()
        if k != OTHER:
            return None
        return self.fn(v)


cdef class Length(Node):
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        cdef Kind k = kind_of(<PyObject*>v)
        if k == STRING and is_ascii(<PyObject*>v):
            return ustr_len(<PyObject*>v)
        if k == NULL_:
            return 0
        if k == LIST_:
            return PyList_GET_SIZE(v)
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
        if type_of(<PyObject*>s) == STR and type_of(<PyObject*>sub) == STR:
            return PyUnicode_Contains(s, sub)
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
        if type_of(<PyObject*>s) == STR:
            return PyUnicode_Contains(s, self.sub)
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


cdef class Match(BoolNode):
    cdef Node subject_node
    cdef object glob_match

    def __init__(self, Node subject, glob):
        self.subject_node = subject
        self.glob_match = glob.match

    cdef bint test(self, object event) except -1:
        cdef object v = self.subject_node.eval(event)
        if isinstance(v, str):
            return self.glob_match(v)
        json_type(v)
        return False


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
    if node.name == "lowercase":
        return Lowercase(node.fn, args[0])
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
        if None not in keyed and len(keyed) <= 64:
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
        return In(_build(node.left), _build(node.right))
    if kind is _plan.Call:
        return _build_call(node)
    if kind is _plan.Match:
        if node.glob.literal_parts is not None:
            return MatchLiteral(_build(node.subject), node.glob.literal_parts)
        return Match(_build(node.subject), node.glob)
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
        the twin) or another thread may grow or shrink it meanwhile."""
        cdef Node root = self.root
        if type(events) is not list:
            events = list(events)
        cdef list out = []
        for event in <list>events:
            if type_of(<PyObject*>event) == DICT:
                out.append(True if root.test(event) else False)
            else:
                out.append(self.matches(event))
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
