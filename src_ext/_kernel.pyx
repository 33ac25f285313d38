# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False, always_allow_keywords=False
# (plain METH_O methods: the per-event entry points are called millions of times)
"""The Cython kernel: runs a compiled FQL plan (``fql/plan.py``).

Twin of ``fql/evaluator.py`` (the reference): same values, same errors, for every plan
and event; ``tests/test_backends.py`` checks it with random plans and events.

Each plan node becomes a ``cdef class`` whose ``eval`` is a C-level virtual call, so an
expression costs a few pointer hops and type checks instead of Python frames. The hot
cases are inlined with exact-type tests (``type(v) is str``, dict lookups through the C
API); anything unusual (subclasses, mixed types, non-JSON values, rare functions) falls
back to the very Python functions the twin uses, which is what keeps the two identical.
A :class:`Program` exposes ``evaluate``/``matches``/``matches_many``/``filter`` so that
``Expression`` binds them directly: one C call per event, and batch loops in C.
"""

from sys import intern

from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject, PyTypeObject, Py_TYPE

from fql import plan as _plan
from fql.evaluator import _contains, lookup
from fql.glob import match_literal_parts
from fql.values import json_type, not_an_object, order, strict_equal


cdef class Node:
    cdef object eval(self, object event):
        raise NotImplementedError

    cdef bint test(self, object event) except -1:
        """``eval(event) is True`` without making a Python bool: the boolean nodes
        override it, so conditions pass C ints to each other."""
        return self.eval(event) is True


cdef class Const(Node):
    cdef object value

    def __init__(self, value):
        self.value = value

    cdef object eval(self, object event):
        return self.value


cdef class Get(Node):
    cdef object first
    cdef tuple rest
    cdef int nrest

    def __init__(self, tuple keys):
        self.first = intern(keys[0])
        self.rest = tuple(intern(k) for k in keys[1:])
        self.nrest = len(self.rest)

    cdef object eval(self, object event):
        cdef PyObject* found = PyDict_GetItem(event, self.first)
        cdef object value = <object>found if found is not NULL else None
        cdef int i
        if self.nrest == 0:
            return value
        for i in range(self.nrest):
            if type(value) is dict:
                found = PyDict_GetItem(value, self.rest[i])
                value = <object>found if found is not NULL else None
            else:
                return lookup(value, self.rest[i:])
        return value


cdef class Not(Node):
    cdef Node operand

    def __init__(self, Node operand):
        self.operand = operand

    cdef object eval(self, object event):
        return not self.operand.test(event)

    cdef bint test(self, object event) except -1:
        return not self.operand.test(event)


cdef class And(Node):
    cdef list operands

    def __init__(self, list operands):
        self.operands = operands

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef Node op
        for op in self.operands:
            if not op.test(event):
                return False
        return True


cdef class And2(Node):
    """``a and b``: the two-operand case without the loop."""
    cdef Node a
    cdef Node b

    def __init__(self, Node a, Node b):
        self.a = a
        self.b = b

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        return self.a.test(event) and self.b.test(event)


cdef class Or(Node):
    cdef list operands

    def __init__(self, list operands):
        self.operands = operands

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef Node op
        for op in self.operands:
            if op.test(event):
                return True
        return False


cdef inline bint _equal(object a, object b) except -1:
    cdef type ta = type(a)
    cdef type tb = type(b)
    if ta is str and tb is str:
        return a == b
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    if a is None and b is None:
        return True
    return strict_equal(a, b)


cdef class EqStr(Node):
    """``x = 'literal'`` / ``x != 'literal'``."""
    cdef Node left
    cdef str expected
    cdef bint negate

    def __init__(self, Node left, str expected, bint negate):
        self.left = left
        self.expected = expected
        self.negate = negate

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef object v = self.left.eval(event)
        cdef bint equal
        if type(v) is str:
            equal = (<str>v) == self.expected
        else:
            equal = strict_equal(v, self.expected)
        return equal != self.negate


cdef class KeyEqStr(Node):
    """``key = 'literal'`` on a top-level key: the commonest condition, fused so the
    field read and the comparison happen in one call with no reference juggling."""
    cdef object key
    cdef str expected
    cdef bint negate

    def __init__(self, key, str expected, bint negate):
        self.key = intern(key)
        self.expected = expected
        self.negate = negate

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef PyObject* found = PyDict_GetItem(event, self.key)
        cdef bint equal
        if found is NULL:
            return self.negate  # null = 'literal' is false
        if Py_TYPE(<object>found) is <PyTypeObject*>str:
            equal = (<str>found) == self.expected
        else:
            equal = strict_equal(<object>found, self.expected)
        return equal != self.negate


cdef class Eq(Node):
    cdef Node left
    cdef Node right
    cdef bint negate

    def __init__(self, Node left, Node right, bint negate):
        self.left = left
        self.right = right
        self.negate = negate

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef object a = self.left.eval(event)
        cdef object b = self.right.eval(event)
        return _equal(a, b) != self.negate


cdef enum OrderOp:
    LT, LE, GT, GE


cdef inline bint _compare_doubles(OrderOp op, double a, double b):
    if op == LT:
        return a < b
    if op == LE:
        return a <= b
    if op == GT:
        return a > b
    return a >= b


cdef class Order(Node):
    cdef Node left
    cdef Node right
    cdef OrderOp op
    cdef str op_text

    def __init__(self, str op, Node left, Node right):
        self.left = left
        self.right = right
        self.op_text = op
        self.op = {"<": LT, "<=": LE, ">": GT, ">=": GE}[op]

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef object a = self.left.eval(event)
        cdef object b = self.right.eval(event)
        cdef type ta = type(a)
        cdef type tb = type(b)
        if ta is float and tb is float:
            return _compare_doubles(self.op, <double>a, <double>b)
        if ((ta is int or ta is float) and (tb is int or tb is float)) or \
                (ta is str and tb is str):
            if self.op == LT:
                return a < b
            if self.op == LE:
                return a <= b
            if self.op == GT:
                return a > b
            return a >= b
        return order(self.op_text, a, b)


cdef class InStrings(Node):
    """``x in ['a', 'b']``: a set lookup for exact strings."""
    cdef Node left
    cdef frozenset members
    cdef list items

    def __init__(self, Node left, list items):
        self.left = left
        self.items = items
        self.members = frozenset(items)

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef object v = self.left.eval(event)
        if type(v) is str:
            return v in self.members
        return _contains(self.items, v)


cdef class In(Node):
    cdef Node left
    cdef Node right

    def __init__(self, Node left, Node right):
        self.left = left
        self.right = right

    cdef object eval(self, object event):
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
        if type(v) is str:
            return v.lower()
        return self.fn(v)


cdef class Length(Node):
    cdef Node arg
    cdef object fn

    def __init__(self, fn, Node arg):
        self.fn = fn
        self.arg = arg

    cdef object eval(self, object event):
        cdef object v = self.arg.eval(event)
        if type(v) is str and (<str>v).isascii():
            return len(<str>v)
        return self.fn(v)


cdef class Contains(Node):
    cdef Node a
    cdef Node b
    cdef object fn

    def __init__(self, fn, Node a, Node b):
        self.fn = fn
        self.a = a
        self.b = b

    cdef object eval(self, object event):
        cdef object s = self.a.eval(event)
        cdef object sub = self.b.eval(event)
        if type(s) is str and type(sub) is str:
            return sub in s
        return self.fn(s, sub)


cdef class MatchLiteral(Node):
    """``match(x, 'Product *')`` where the pattern is literal text and stars: prefix,
    suffix and in-between searches with str methods (``fql.glob.match_literal_parts``)."""
    cdef Node subject
    cdef tuple parts
    cdef str head
    cdef str tail
    cdef Py_ssize_t n

    def __init__(self, Node subject, tuple parts):
        self.subject = subject
        self.parts = parts
        self.head = parts[0]
        self.tail = parts[len(parts) - 1]
        self.n = len(parts)

    cdef object eval(self, object event):
        return self.test(event)

    cdef bint test(self, object event) except -1:
        cdef object v = self.subject.eval(event)
        cdef str text
        cdef Py_ssize_t start, end, found, i
        cdef str piece
        if type(v) is not str:
            if isinstance(v, str):
                return match_literal_parts(v, self.parts)
            json_type(v)
            return False
        text = <str>v
        if self.n == 1:
            return text == self.head
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


cdef class Match(Node):
    cdef Node subject
    cdef object glob_match

    def __init__(self, Node subject, glob):
        self.subject = subject
        self.glob_match = glob.match

    cdef object eval(self, object event):
        cdef object v = self.subject.eval(event)
        if isinstance(v, str):
            return self.glob_match(v)
        json_type(v)
        return False


cdef Node _build(object node):
    cdef type kind = type(node)
    if kind is _plan.Const:
        return Const(node.value)
    if kind is _plan.Get:
        return Get(tuple(node.keys))
    if kind is _plan.Not:
        return Not(_build(node.operand))
    if kind is _plan.And:
        if len(node.operands) == 2:
            return And2(_build(node.operands[0]), _build(node.operands[1]))
        return And([_build(op) for op in node.operands])
    if kind is _plan.Or:
        return Or([_build(op) for op in node.operands])
    if kind is _plan.Eq:
        if type(node.right) is _plan.Const and type(node.right.value) is str:
            if type(node.left) is _plan.Get and len(node.left.keys) == 1:
                return KeyEqStr(node.left.keys[0], node.right.value, node.negate)
            return EqStr(_build(node.left), node.right.value, node.negate)
        return Eq(_build(node.left), _build(node.right), node.negate)
    if kind is _plan.Order:
        return Order(node.op, _build(node.left), _build(node.right))
    if kind is _plan.In:
        if type(node.right) is _plan.Const and type(node.right.value) is list and \
                all(type(i) is str for i in node.right.value):
            return InStrings(_build(node.left), node.right.value)
        return In(_build(node.left), _build(node.right))
    if kind is _plan.Call:
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
    if kind is _plan.Match:
        if node.glob.literal_parts is not None:
            return MatchLiteral(_build(node.subject), node.glob.literal_parts)
        return Match(_build(node.subject), node.glob)
    raise TypeError(f"not a plan node: {node!r}")


cdef class Program:
    """A built plan with the entry points ``Expression`` binds."""
    cdef Node root

    def __init__(self, plan_node):
        self.root = _build(plan_node)

    def evaluate(self, event):
        if type(event) is not dict and not isinstance(event, dict):
            raise not_an_object(event)
        return self.root.eval(event)

    def matches(self, event):
        if type(event) is not dict and not isinstance(event, dict):
            raise not_an_object(event)
        return self.root.test(event)

    def matches_many(self, events):
        cdef list out = []
        cdef Node root = self.root
        for event in events:
            if type(event) is not dict and not isinstance(event, dict):
                raise not_an_object(event)
            out.append(root.test(event))
        return out

    def filter(self, events):
        cdef list out = []
        cdef Node root = self.root
        for event in events:
            if type(event) is not dict and not isinstance(event, dict):
                raise not_an_object(event)
            if root.test(event):
                out.append(event)
        return out


def build(plan_node):
    """The kernel twin of ``fql.evaluator.build_program``."""
    return Program(plan_node)
