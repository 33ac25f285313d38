# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False, always_allow_keywords=False
"""The Cython kernel for Destination Actions triggers.

Twin of ``actions/trigger/matcher.py`` (the reference): :func:`build` takes the same plan
(the frozen nodes of ``actions/trigger/nodes.py``, each class mapped to one kernel node
class here, as the twin maps it to one builder) and returns a :class:`Program` whose
``matches(event)`` answers, and raises, exactly what the twin's matcher does;
``tests/test_trigger_backends.py`` checks it over the conformance cases and random
trees and events.

Algorithm. Each plan node becomes a ``cdef class`` with a C-level ``test`` (and/or as C
loops over their children, constants, throws, leaves). A leaf reads its top-level
field with a borrowed dict probe, walks its path through exact dicts the same way, and
compares in C: string equality and ``contains``/``starts_with``/``ends_with`` on exact
strings, number operators on C doubles, the existence and boolean operators by
identity. Everything else goes back to the twin's own functions: an event that is not
an exact dict runs the twin's whole matcher, a path step through anything but an exact
dict continues in the twin's ``walk`` (JS members of arrays, strings, numbers), and the
string operators over UTF-16 units or on ``str`` subclasses use the twin's test.
"""

from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_Contains, PyUnicode_Tailmatch
from sys import intern

from cpython.long cimport PyLong_AsDouble
from libc.math cimport INFINITY

from actions.trigger import matcher as twin
from actions.trigger import nodes as plan_nodes

from _probe cimport DEFER, HINT_SLOTS, dict_get_hinted, probe, probe_selfcheck, tuple_item

# The dict probe agreed with dict.get on import, so its table reads are on.
DICT_HINTS = probe_selfcheck()

cdef object MISSING = twin.MISSING
cdef object BUILTIN = twin.BUILTIN
cdef object OBJECT_MEMBERS = twin._OBJECT_MEMBERS
cdef object ThrownByReference = twin.ThrownByReference
cdef object py_walk = twin.walk
cdef object py_build = twin.build
cdef object py_value_test = twin.value_test

# Operator codes: the leaves' comparisons.
cdef enum:
    EQ, NE, NUM_EQ, NUM_NE, LT, LE, GT, GE, CONTAINS, STARTS, ENDS, EXISTS, NOT_EXISTS, \
        IS_TRUE, IS_FALSE, OTHER

cdef dict OPS = {
    "=": EQ, "!=": NE, "number_equals": NUM_EQ, "number_not_equals": NUM_NE, "<": LT,
    "<=": LE, ">": GT, ">=": GE, "contains": CONTAINS, "not_contains": CONTAINS,
    "starts_with": STARTS, "not_starts_with": STARTS, "ends_with": ENDS,
    "not_ends_with": ENDS, "exists": EXISTS, "not_exists": NOT_EXISTS, "is_true": IS_TRUE,
    "is_false": IS_FALSE,
}


cdef object walk(object value, tuple path, Py_ssize_t* hints):
    """The twin's ``walk``: through exact dicts here, from any other step there.
    ``hints`` are the site's remembered positions, the path's first key using slot 1."""
    cdef PyObject* found
    cdef Py_ssize_t i
    for i in range(PyTuple_GET_SIZE(path)):
        if type(value) is dict:
            key = <object>tuple_item(<PyObject*>path, i)
            found = probe(<PyObject*>value, <PyObject*>key, hints, i + 1)
            if found == DEFER:  # a lookup that may run Python code: the twin's get
                found = NULL
                value = (<dict>value).get(key, MISSING)
                if value is MISSING and key in OBJECT_MEMBERS:
                    value = BUILTIN
            elif found is NULL:
                value = BUILTIN if key in OBJECT_MEMBERS else MISSING
            else:
                value = <object>found
        elif falsy(value):
            return value  # `o && o[k]` stops at a falsy value and gives it
        else:
            return py_walk(value, path[i:])
    return value


cdef inline bint falsy(object value):
    """JS falsiness of the values a walk stops at, decided here: absent, null, false,
    0, NaN and "" (``fql.js.js_truthy``); anything else, truthy or not a JSON type,
    goes on in the twin's walk, which decides for itself."""
    t = type(value)
    if value is MISSING or value is None or value is False:
        return True
    if t is str:
        return len(<str>value) == 0
    if t is int:
        return value == 0
    if t is float:
        return not (<double>value != 0.0 and <double>value == <double>value)
    return False


cdef class Node:
    cdef bint test(self, dict event) except -1:
        raise NotImplementedError


cdef class Const(Node):
    cdef bint value

    cdef bint test(self, dict event) except -1:
        return self.value


cdef class Throw(Node):
    cdef object message

    cdef bint test(self, dict event) except -1:
        raise ThrownByReference(self.message)


cdef class Every(Node):
    cdef tuple children

    cdef bint test(self, dict event) except -1:
        for child in self.children:
            if not (<Node>child).test(event):
                return False
        return True


cdef class Some(Node):
    cdef tuple children

    cdef bint test(self, dict event) except -1:
        for child in self.children:
            if (<Node>child).test(event):
                return True
        return False


cdef class Leaf(Node):
    """One condition: ``field`` (top level), ``path`` below it or None, the operator."""

    cdef object field
    cdef object path  # tuple or None
    cdef bint none_default  # a top-level = or !=: the twin reads e.get(field), None if absent
    cdef int op
    cdef bint negate  # the not_ string operators
    cdef object expected
    cdef double number  # expected, for the number operators
    cdef object fallback  # the twin's value test, for what is not done here
    cdef Py_ssize_t hints[HINT_SLOTS]  # slot 0 for field, then path's (see _probe.pxd)

    cdef bint test(self, dict event) except -1:
        cdef PyObject* found = probe(<PyObject*>event, <PyObject*>self.field, self.hints, 0)
        cdef int op = self.op
        if found == DEFER:  # the twin's read, in Python
            found = NULL
            value = event.get(self.field, MISSING)
            if value is not MISSING:
                found = <PyObject*>value
        if self.none_default:
            value = None if found is NULL else <object>found
        else:
            value = MISSING if found is NULL else <object>found
            if self.path is not None:
                value = walk(value, <tuple>self.path, self.hints)
        if op == EQ or op == NE:
            if type(value) is str:
                same = (<str>value) == (<str>self.expected)
            else:
                same = value == self.expected
            return same if op == EQ else not same
        if op == EXISTS:
            return value is not None and value is not MISSING
        if op == NOT_EXISTS:
            return value is None or value is MISSING
        if op == IS_TRUE:
            return value is True
        if op == IS_FALSE:
            return value is False
        if op <= GE:
            return self.compare(value)
        if op <= ENDS:
            if type(value) is str:
                if op == CONTAINS:
                    hit = PyUnicode_Contains(value, self.expected) == 1
                else:
                    hit = PyUnicode_Tailmatch(value, self.expected, 0, len(<str>value),
                                              -1 if op == STARTS else 1) == 1
                return hit != self.negate
            if not isinstance(value, str):
                return False
        return self.fallback(value)

    cdef bint compare(self, object value) except -1:
        cdef double x
        cls = type(value)
        if cls is float:
            x = <double>value
        elif cls is int:
            try:
                x = PyLong_AsDouble(value)
            except OverflowError:
                x = INFINITY if value > 0 else -INFINITY
        else:
            return False
        cdef double n = self.number
        cdef int op = self.op
        if op == NUM_EQ:
            return x == n
        if op == NUM_NE:
            return x != n
        if op == LT:
            return x < n
        if op == LE:
            return x <= n
        if op == GT:
            return x > n
        return x >= n


cdef class FusedEqualities(Node):
    """Two top-level ``=`` tests in one group (``type = "track" and event = "x"``)."""

    cdef object f1, s1, f2, s2
    cdef bint conjunction
    cdef Py_ssize_t hints[2]  # one remembered position per field (see _probe.pxd)

    cdef bint test(self, dict event) except -1:
        first = field_equals(event, self.f1, self.s1, &self.hints[0])
        if first != self.conjunction:  # and: a false ends it; or: a true ends it
            return first
        return field_equals(event, self.f2, self.s2, &self.hints[1])


cdef inline bint field_equals(dict event, object field, object expected,
                              Py_ssize_t* hint) except -1:
    cdef PyObject* found = dict_get_hinted(<PyObject*>event, <PyObject*>field, hint)
    if found == DEFER:
        value = event.get(field)
        found = <PyObject*>value
    if found is NULL or found == <PyObject*>None:
        return False  # None == a string
    value = <object>found
    if type(value) is str:
        return (<str>value) == (<str>expected)
    return value == expected


cdef class TwinLeaf(Node):
    """A leaf the kernel leaves to the twin (a field or path key that is not a string)."""

    cdef object match

    cdef bint test(self, dict event) except -1:
        return self.match(event)



cdef object interned(object value):
    """``value``, interned when it is a string: a dict probe (and the string comparison
    here) checks identity before text, and the keys and values of events built from
    Python literals, or read by a JSON parser that interns them, are interned too."""
    return intern(value) if type(value) is str else value

cdef Node convert(object plan):
    """The kernel node for one plan node (its children converted too)."""
    kind = type(plan)
    cdef Node node
    if kind is plan_nodes.FusedEqualities:
        (f1, s1), (f2, s2) = plan.tests
        node = FusedEqualities()
        (<FusedEqualities>node).f1 = interned(f1)
        (<FusedEqualities>node).s1 = interned(s1)
        (<FusedEqualities>node).f2 = interned(f2)
        (<FusedEqualities>node).s2 = interned(s2)
        (<FusedEqualities>node).conjunction = plan.conjunction
        return node
    if kind is plan_nodes.Group:
        converted = tuple(convert(child) for child in plan.children)
        if plan.conjunction:
            node = Every()
            (<Every>node).children = converted
        else:
            node = Some()
            (<Some>node).children = converted
        return node
    if kind is plan_nodes.Const:
        node = Const()
        (<Const>node).value = bool(plan.value)
        return node
    if kind is plan_nodes.Throw:
        node = Throw()
        (<Throw>node).message = plan.message
        return node
    if kind is not plan_nodes.Leaf:
        raise TypeError(f"not a trigger plan node: {plan!r}")
    field, path, op, expected, as_units = plan.field, plan.path, plan.op, plan.expected, \
        plan.units
    if type(field) is not str or (path is not None and not all(
            type(key) is str for key in path)):
        node = TwinLeaf()
        (<TwinLeaf>node).match = twin._leaf(field, path, op, expected, as_units)
        return node
    node = Leaf()
    leaf = <Leaf>node
    leaf.field = intern(field)
    leaf.path = None if path is None else tuple(intern(key) for key in path)
    leaf.none_default = path is None and op in ("=", "!=")
    leaf.op = OPS.get(op, OTHER)
    leaf.negate = op.startswith("not_") if type(op) is str else False
    leaf.expected = interned(expected)
    leaf.fallback = py_value_test(op, expected, as_units)
    if CONTAINS <= leaf.op <= ENDS and (as_units or type(expected) is not str):
        leaf.op = OTHER  # UTF-16 units: the twin's test
    if NUM_EQ <= leaf.op <= GE:
        if type(expected) is float:
            leaf.number = expected
        else:
            leaf.op = OTHER
    if (leaf.op == EQ or leaf.op == NE) and type(expected) is not str:
        leaf.op = OTHER
    return node


cdef class Program:
    """A compiled trigger plan: ``matches(event)`` and ``matches_many(events)``."""

    cdef Node root
    cdef object twin  # the twin's matcher, for events that are not exact dicts

    def matches(self, event):
        if type(event) is dict:
            return self.root.test(event)
        return self.twin(event)

    def matches_many(self, events):
        cdef Node root = self.root
        twin_matcher = self.twin
        return [root.test(event) if type(event) is dict else twin_matcher(event)
                for event in events]


def build(plan):
    """The kernel's :class:`Program` for ``plan`` (the twin's ``build`` takes the same)."""
    cdef Program program = Program()
    program.root = convert(plan)
    program.twin = py_build(plan)
    return program
