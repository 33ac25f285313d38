# cython: language_level=3, boundscheck=False, wraparound=False
# cython: binding=False, always_allow_keywords=False
"""The Cython kernel for compiled mappings.

Twin of ``actions/mapping/runtime.py`` (the reference): :func:`build` takes the tree of
runtime nodes that ``actions.mapping.compiler`` built and returns a :class:`Program`
whose ``out(event)`` gives exactly what the root node's ``out`` gives, errors included;
``tests/test_mapping_backends.py`` checks it with random mappings and events.

Algorithm. Each node the mappings of real workspaces are made of (plain objects and
arrays, ``@path``, ``@template``, ``@if``, ``@arrayPath``, ``@replace``, ``@flatten``,
``@case``, ``@excludeWhenNull``, ``@coalesce``, constants) becomes a ``cdef class`` with
the same three entry points as its twin (``ev``, ``out``, ``peek``, see the runtime's
docstring) as C-level virtual calls, and the value helpers they run per event
(``lookup``, ``pick``, ``own``, ``finalize``, truthiness) are C functions over exact
dicts, lists and strings. Every other node (``@merge``, ``@json``, ``@transform``,
``@liquid``, JSONPath, directives whose path or template is itself a directive, places
that always throw) keeps its Python twin, wrapped: it is rare, and calling the very
reference code is what keeps the two identical. Likewise anything unusual inside a
value (subclasses of the JSON types, non-JSON values, strings and arrays read by
index, number formatting) goes to the runtime's own helpers.
"""

from sys import intern

from cpython.dict cimport PyDict_SetItem, PyDict_Next
from cpython.list cimport PyList_GET_SIZE, PyList_GET_ITEM
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.mem cimport PyMem_Calloc, PyMem_Free
from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_READ_CHAR, PyUnicode_Replace

cdef extern from "Python.h":
    # The recursion guard Python code has: a value nested past Python's recursion limit
    # raises RecursionError here as it does in the twin (and never overflows the C
    # stack when max_value_depth is raised).
    int Py_EnterRecursiveCall(const char* where) except 1
    void Py_LeaveRecursiveCall()
    ctypedef struct PyTypeObject
    # A dict with room for ``n`` members: the output objects' sizes are known.
    dict new_presized_dict "_PyDict_NewPresized"(Py_ssize_t n)
    PyTypeObject* type_of "Py_TYPE"(PyObject* o)

cdef PyTypeObject* DICT = <PyTypeObject*>dict

from _probe cimport DEFER, HINT_SLOTS, probe, probe_selfcheck, tuple_item

from fql import js
from actions.mapping import runtime as rt
from actions.mapping.errors import MappingInputError, MappingRuntimeError

cdef object UNDEFINED = js.UNDEFINED
cdef long long MAX_SAFE = js.MAX_SAFE_INTEGER
# Python fallbacks: the reference helpers, for the rare cases.
cdef object py_prop = rt.prop
cdef object py_own = rt.own
cdef object py_js_int = js.js_int
cdef object py_truthy = js.js_truthy
cdef object py_to_string = rt.to_string
cdef object py_loose_blank = rt.loose_blank
cdef object py_js_ordered = js.js_ordered
cdef object py_clean_nulls = rt._clean_nulls
cdef object py_too_deep = rt.too_deep
cdef object py_not_json = rt.not_json
cdef object py_split_path = rt.split_path
cdef object py_js_trim = js.js_trim
cdef object DOUBLE = rt.DOUBLE

# The dict probe agreed with dict.get on import, so its table reads are on.
DICT_HINTS = probe_selfcheck()


# --------------------------------------------------------------------------- values


cdef inline bint truthy(object v) except -1:
    """JS truthiness (``fql.js.js_truthy``)."""
    if v is None or v is UNDEFINED or v is False:
        return False
    t = type(v)
    if t is str:
        return PyUnicode_GET_LENGTH(v) != 0
    if t is int:
        return v != 0
    if t is float:
        f = <double>v
        return f == f and f != 0.0
    if t is dict or t is list:
        return True
    return py_truthy(v)  # a subclass of a JSON type reads as its base type


cdef inline bint safe_int(object v) except -1:
    """An exact int within ±2**53 (a JS double holds it as it is)."""
    cdef int overflow = 0
    cdef long long x = PyLong_AsLongLongAndOverflow(v, &overflow)
    return overflow == 0 and -MAX_SAFE <= x <= MAX_SAFE


cdef inline bint plain_scalar(object v) except -1:
    """A value that ``own`` returns as it is (strings, floats, booleans, null, safe ints)."""
    t = type(v)
    if t is str or t is float or t is bool or v is None:
        return True
    return t is int and safe_int(v)


#: Set when a path read went to Python (a lookup that could run a key's ``__eq__``):
#: a node that reads one path for two purposes then reads it twice, as the twin does.
cdef bint deferred = False


cdef object lookup(object value, tuple keys, Py_ssize_t* hints):
    """Segment's ``get`` (``rt.lookup``): stops at, and returns, the first falsy value.
    Steps through exact dicts hold borrowed references (the probe runs no Python code);
    any other step, or a lookup the probe defers (one that could run a key's
    ``__eq__``), continues in :func:`lookup_from`. ``hints``: the site's remembered
    positions (``HINT_SLOTS``), or NULL."""
    cdef PyObject* current = <PyObject*>value
    cdef PyObject* found
    cdef Py_ssize_t i
    for i in range(PyTuple_GET_SIZE(keys)):
        if type_of(current) is DICT:
            found = probe(current, tuple_item(<PyObject*>keys, i), hints, i)
            if found == DEFER:  # nothing ran since `current` was read: it is alive
                global deferred
                deferred = True
                return lookup_from(<object>current, keys, i)
            if found is NULL:
                return UNDEFINED  # falsy: the walk ends here
            current = found
        else:
            return lookup_from(<object>current, keys, i)
    return <object>current


cdef object lookup_from(object value, tuple keys, Py_ssize_t start):
    """The rest of :func:`lookup` from key number ``start`` with strong references, as
    the twin walks (a key's ``__eq__`` may run, change the event or raise)."""
    cdef Py_ssize_t i
    for i in range(start, PyTuple_GET_SIZE(keys)):
        key = <object>tuple_item(<PyObject*>keys, i)
        if type(value) is dict:
            value = (<dict>value).get(key, UNDEFINED)
        elif not truthy(value):
            return value
        else:
            value = py_prop(value, key)
    return value


cdef object own(object value, int depth):
    """``rt.own``: a copy the caller may keep (containers copied, big ints rounded)."""
    t = type(value)
    if t is dict:
        return own_dict(<dict>value, depth)
    if t is list:
        return own_list(<list>value, depth)
    if t is str or t is float or t is bool or value is None:
        return value
    if t is int:
        return value if safe_int(value) else py_js_int(value)
    if value is UNDEFINED:  # a missing value: no call
        return value
    return py_own(value, depth)


cdef object own_member(object value, int depth):
    """``own`` of one member of a container being copied (``depth`` already lowered),
    counted against Python's recursion limit when it is a container itself."""
    t = type(value)
    if t is not dict and t is not list:
        return value if (t is str or t is float or t is bool or value is None) \
            else own(value, depth)
    Py_EnterRecursiveCall(" while copying an event value")
    try:
        return own_dict(<dict>value, depth) if t is dict else own_list(<list>value, depth)
    finally:
        Py_LeaveRecursiveCall()


cdef dict own_dict(dict source, int depth):
    cdef Py_ssize_t pos = 0
    cdef PyObject* k
    cdef PyObject* v
    if depth <= 0:
        raise py_too_deep()
    cdef dict copy = {}
    cdef Py_ssize_t size = len(source)
    while PyDict_Next(source, &pos, &k, &v):
        key = <object>k
        if type(key) is not str:
            raise py_not_json(key)
        item = <object>v  # held: copying it may run a subclass's method
        PyDict_SetItem(copy, key, own_member(item, depth - 1))
        if len(source) != size:
            raise changed_size()
    if "__proto__" in copy:
        del copy["__proto__"]
    return copy


cdef object changed_size():
    """What iterating a dict's ``items()`` raises in the twin when the dict grows or
    shrinks meanwhile (a subclass's method run while one member was copied)."""
    return RuntimeError("dictionary changed size during iteration")


cdef list own_list(list source, int depth):
    if depth <= 0:
        raise py_too_deep()
    cdef list copy = list(source)
    cdef Py_ssize_t i
    for i in range(PyList_GET_SIZE(copy)):
        copy[i] = own_member(<object>PyList_GET_ITEM(copy, i), depth - 1)
    return copy


cdef object pick(object value, tuple keys, int depth, Py_ssize_t* hints):
    """``rt.pick``: ``lookup`` then ``own``."""
    value = lookup(value, keys, hints)
    if plain_scalar(value):
        return value
    return own(value, depth)


cdef object finalize(object value, int depth):
    """``rt.finalize``: ``undefined`` members leave objects and become null in arrays."""
    t = type(value)
    if t is not dict and t is not list:
        return value
    Py_EnterRecursiveCall(" while cleaning a mapped value")
    try:
        return finalize_container(value, depth)
    finally:
        Py_LeaveRecursiveCall()


cdef object finalize_container(object value, int depth):
    """``finalize`` of a dict or list (the recursion guard taken by ``finalize``)."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* k
    cdef PyObject* v
    t = type(value)
    if t is dict:
        if depth <= 0:
            raise py_too_deep()
        result = {}
        while PyDict_Next(value, &pos, &k, &v):
            if <object>v is not UNDEFINED and <object>k != "__proto__":
                PyDict_SetItem(result, <object>k, finalize(<object>v, depth - 1))
        return result
    if t is list:
        if depth <= 0:
            raise py_too_deep()
        return [None if item is UNDEFINED else finalize(item, depth - 1) for item in <list>value]
    return value


cdef inline object placeholder_text(object value, int depth):
    """``String(value ?? '')`` (``rt.placeholder_text``)."""
    if type(value) is str:
        return value
    if value is None or value is UNDEFINED:
        return ""
    return py_to_string(value, depth)


cdef object js_ordered(dict obj):
    """``rt.js_ordered`` when some key could be an array index (starts with a digit);
    otherwise the object is already in JS order."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* k
    cdef PyObject* v
    cdef Py_UCS4 first
    while PyDict_Next(obj, &pos, &k, &v):
        key = <object>k
        if type(key) is not str:
            return py_js_ordered(obj)
        if PyUnicode_GET_LENGTH(key) != 0:
            first = PyUnicode_READ_CHAR(key, 0)
            if u'0' <= first <= u'9':
                return py_js_ordered(obj)
    return obj


# --------------------------------------------------------------------------- nodes


cdef class KNode:
    """A kernel node; ``where``, ``depth`` and ``may_undef`` as in ``rt.Node``."""

    cdef object where
    cdef int depth
    cdef bint may_undef
    # Remembered dict positions, HINT_SLOTS per path the node reads (see _probe.pxd);
    # NULL for a node that reads none.
    cdef Py_ssize_t* hints

    def __dealloc__(self):
        PyMem_Free(self.hints)

    cdef int want_hints(self, Py_ssize_t paths) except -1:
        self.hints = <Py_ssize_t*>PyMem_Calloc(max(paths, 1) * HINT_SLOTS, sizeof(Py_ssize_t))
        if self.hints == NULL:
            raise MemoryError()
        return 0

    cdef object ev(self, object payload):
        raise NotImplementedError

    cdef object out(self, object payload):
        value = self.ev(payload)
        return finalize(value, self.depth) if self.may_undef else value

    cdef object peek(self, object payload):
        return self.ev(payload)

    cdef object fail(self, str message):
        return MappingRuntimeError(message, path=self.where)


cdef class PyNode(KNode):
    """A node run by its Python twin (the rare directives)."""

    cdef object node

    cdef object ev(self, object payload):
        return self.node.ev(payload)

    cdef object out(self, object payload):
        return self.node.out(payload)

    cdef object peek(self, object payload):
        return self.node.peek(payload)


cdef class ConstNode(KNode):
    cdef object value

    cdef object ev(self, object payload):
        return self.value

    cdef object out(self, object payload):
        return self.value

    cdef object peek(self, object payload):
        return self.value


cdef class PathNode(KNode):
    cdef tuple keys

    cdef object ev(self, object payload):
        return pick(payload, self.keys, self.depth, self.hints)

    cdef object out(self, object payload):
        return pick(payload, self.keys, self.depth, self.hints)

    cdef object peek(self, object payload):
        return lookup(payload, self.keys, self.hints)


cdef class ObjectNode(KNode):
    """A plain object; a ``@path`` member (``paths[i]`` not None) is read inline."""

    cdef tuple names
    cdef tuple paths
    cdef tuple nodes

    cdef object ev(self, object payload):
        cdef dict result = {}
        cdef Py_ssize_t i
        for i in range(len(self.names)):
            PyDict_SetItem(result, self.names[i], (<KNode>self.nodes[i]).ev(payload))
        return result

    cdef object out(self, object payload):
        cdef Py_ssize_t i
        cdef dict result = new_presized_dict(len(self.names))
        for i in range(len(self.names)):
            keys = self.paths[i]
            if keys is None:
                value = (<KNode>self.nodes[i]).out(payload)
            else:
                value = lookup(payload, <tuple>keys, self.hints + i * HINT_SLOTS)
                if not plain_scalar(value) and value is not UNDEFINED:
                    value = own(value, self.depth)
            if value is not UNDEFINED:
                PyDict_SetItem(result, self.names[i], value)
        return result


cdef class ArrayNode(KNode):
    cdef tuple nodes

    cdef object ev(self, object payload):
        return [(<KNode>node).ev(payload) for node in self.nodes]

    cdef object out(self, object payload):
        cdef list result = []
        for node in self.nodes:
            value = (<KNode>node).out(payload)
            result.append(None if value is UNDEFINED else value)
        return result


cdef class TemplateNode(KNode):
    """``@template`` with a static string, split at compile time (``rt.TemplateNode``)."""

    cdef tuple texts
    cdef tuple paths
    cdef object tail
    cdef bint rescan

    cdef object ev(self, object payload):
        cdef Py_ssize_t i, n = len(self.texts)
        cdef list parts = [None] * (2 * n + 1)
        for i in range(n):
            parts[2 * i] = self.texts[i]
            parts[2 * i + 1] = placeholder_text(
                lookup(payload, <tuple>self.paths[i], self.hints + i * HINT_SLOTS), self.depth)
        parts[2 * n] = self.tail
        result = "".join(parts)
        if self.rescan:
            depth = self.depth
            return DOUBLE.sub(
                lambda m: placeholder_text(
                    lookup(payload, py_split_path(py_js_trim(m.group(1))), NULL), depth),
                result,
            )
        return result

    cdef object out(self, object payload):
        return self.ev(payload)

    cdef object peek(self, object payload):
        return self.ev(payload)


cdef class IfNode(KNode):
    cdef KNode cond
    cdef bint blank
    cdef KNode then
    cdef KNode otherwise
    cdef bint same_path  # `exists` of a @path whose value is also `then`: read once

    cdef KNode branch(self, object payload):
        value = self.cond.peek(payload)
        ok = value is not None and value is not UNDEFINED
        if ok and self.blank:
            ok = not py_loose_blank(value)
        return self.then if ok else self.otherwise

    cdef object ev(self, object payload):
        node = self.branch(payload)
        return UNDEFINED if node is None else node.ev(payload)

    cdef object out(self, object payload):
        global deferred
        if self.same_path:  # the coalesce idiom: @if exists X then X else Y
            deferred = False
            value = lookup(payload, (<PathNode>self.cond).keys, self.cond.hints)
            if deferred:  # Python code ran in the read: read `then` again, as the twin
                ok = value is not None and value is not UNDEFINED
                node = self.then if ok else self.otherwise
                return UNDEFINED if node is None else node.out(payload)
            if value is not None and value is not UNDEFINED:
                return value if plain_scalar(value) else own(value, self.then.depth)
            return UNDEFINED if self.otherwise is None else self.otherwise.out(payload)
        node = self.branch(payload)
        return UNDEFINED if node is None else node.out(payload)

    cdef object peek(self, object payload):
        node = self.branch(payload)
        return UNDEFINED if node is None else node.peek(payload)


cdef class CoalesceNode(KNode):
    cdef tuple candidates

    cdef object ev(self, object payload):
        for node in self.candidates:
            value = (<KNode>node).ev(payload)
            if value is not None and value is not UNDEFINED:
                return value
        return UNDEFINED


cdef class CaseNode(KNode):
    cdef KNode value
    cdef object upper  # True, False, or None for an operator that throws on strings

    cdef object convert(self, object value):
        if type(value) is str:
            if self.upper is None:
                raise self.fail('operator key should have a value of "lower" or "upper"')
            return (<str>value).upper() if self.upper else (<str>value).lower()
        return value

    cdef object ev(self, object payload):
        return self.convert(self.value.ev(payload))

    cdef object out(self, object payload):
        return self.convert(self.value.out(payload))


cdef class ReplaceNode(KNode):
    """``@replace``; a plain literal step runs ``str.replace`` here, the others (case
    folding, ``$&`` tokens, a step that throws) their Python ``Replacer``."""

    cdef KNode value
    cdef object steps  # tuple of rt.Replacer, or None: every value gives ""
    cdef tuple plain  # per step: (pattern, replacement, count) or None

    cdef object ev(self, object payload):
        value = self.value.peek(payload)
        t = type(value)
        if t is not str:
            if t is bool or t is int or t is float:
                value = py_to_string(value, self.depth)
            else:
                return ""
        if self.steps is None:
            return ""
        cdef Py_ssize_t i
        for i in range(len(self.plain)):
            fast = self.plain[i]
            step = self.steps[i]
            if fast is not None:
                value = PyUnicode_Replace(value, (<tuple>fast)[0], (<tuple>fast)[1],
                                          (<tuple>fast)[2])
            else:
                if step.error is not None:
                    raise self.fail(step.error)
                value = step.apply(value)
        return value

    cdef object out(self, object payload):
        return self.ev(payload)

    cdef object peek(self, object payload):
        return self.ev(payload)


cdef class ArrayPathNode(KNode):
    cdef object keys  # tuple, or None when the root is a directive
    cdef KNode root
    cdef KNode shape

    cdef object get_root(self, object payload):
        if self.keys is not None:
            return lookup(payload, <tuple>self.keys, self.hints)
        return self.root.peek(payload)

    cdef object ev(self, object payload):
        root = self.get_root(payload)
        shape = self.shape
        if shape is not None:
            if type(root) is list:
                return [shape.ev(item) for item in <list>root]
            if type(root) is dict:
                return [shape.ev(root)]
        return own(root, self.depth)

    cdef object out(self, object payload):
        root = self.get_root(payload)
        shape = self.shape
        cdef list result
        if shape is not None:
            if type(root) is dict:
                root = [root]
            if type(root) is list:
                result = []
                for item in <list>root:
                    value = shape.out(item)
                    result.append(None if value is UNDEFINED else value)
                return result
        if self.root is not None and self.root.may_undef:
            return finalize(own(root, self.depth), self.depth)
        return own(root, self.depth)


class _OddKey(Exception):
    """A key that is not a string inside a flattened value: the twin decides."""


cdef class FlattenNode(KNode):
    cdef KNode value
    cdef KNode separator
    cdef bint omit_arrays
    cdef object twin  # the Python node, for values with keys that are not strings

    cdef object ev(self, object payload):
        return self.run(payload, False)

    cdef object out(self, object payload):
        return self.run(payload, True)

    cdef object run(self, object payload, bint final):
        separator = self.separator.ev(payload)
        if type(separator) is not str:
            raise self.fail("@flatten requires a string separator")
        cdef dict result = {}
        try:
            self.flatten(self.value.peek(payload), "", <str>separator, result, self.depth,
                         final)
        except _OddKey:
            return self.twin._run(payload, final)
        return js_ordered(result)

    cdef int flatten(self, object value, str prefix, str separator, dict out, int depth,
                     bint final) except -1:
        """``rt.FlattenNode._flatten``."""
        cdef Py_ssize_t pos = 0, i
        cdef PyObject* k
        cdef PyObject* v
        t = type(value)
        if t is dict:
            if depth <= 0:
                raise py_too_deep()
            size = len(<dict>value)
            while PyDict_Next(value, &pos, &k, &v):
                key = <object>k
                item = <object>v  # held: flattening it may run a subclass's method
                self.leaf(key, item, prefix, separator, out, depth, final)
                if len(<dict>value) != size:
                    raise changed_size()
        elif t is list and not self.omit_arrays:
            if depth <= 0:
                raise py_too_deep()
            # The length is read at every step and each item held while it is
            # flattened: a subclass's method run below may shrink the list.
            i = 0
            while i < PyList_GET_SIZE(value):
                item = <object>PyList_GET_ITEM(value, i)
                self.leaf(str(i), item, prefix, separator, out, depth, final)
                i += 1
        elif not final:
            out[prefix] = own(value, depth)
        elif value is not UNDEFINED:
            item = own(value, depth)
            out[prefix] = finalize(item, depth) if t is list else item
        return 0

    cdef inline int leaf(self, object key, object item, str prefix, str separator,
                         dict out, int depth, bint final) except -1:
        if type(key) is not str:
            raise _OddKey()
        if prefix:
            key = f"{prefix}{separator}{key}"
        ti = type(item)
        if ti is str or ti is float or ti is bool or item is None:
            out[key] = item
        else:
            Py_EnterRecursiveCall(" while flattening an event value")
            try:
                self.flatten(item, key, separator, out, depth - 1, final)
            finally:
                Py_LeaveRecursiveCall()
        return 0


cdef class ExcludeNullNode(KNode):
    cdef KNode value

    cdef object ev(self, object payload):
        return py_clean_nulls(self.value.ev(payload), UNDEFINED)

    cdef object out(self, object payload):
        return py_clean_nulls(self.value.out(payload), None)


# --------------------------------------------------------------------------- build


cdef void base(KNode k, object node, bint may_undef):
    k.where = node.where
    k.depth = node.depth
    k.may_undef = may_undef


cdef tuple path_keys(keys):
    """A path's keys, interned: a dict probe compares keys by identity before it
    compares their text, and the keys of events built from Python literals (or read by
    a JSON parser that interns them) are interned strings too."""
    return tuple(intern(k) if type(k) is str else k for k in keys)


cdef KNode convert(object node):
    """The kernel node for one runtime node (children converted too)."""
    cdef KNode k
    t = type(node)
    if node is None:
        return None
    if t is rt.ConstNode:
        k = ConstNode()
        (<ConstNode>k).value = node.value
    elif t is rt.PathNode:
        k = PathNode()
        (<PathNode>k).keys = path_keys(node.keys)
        k.want_hints(1)
    elif t is rt.ObjectNode:
        k = ObjectNode()
        (<ObjectNode>k).names = tuple(key for key, _ in node.items)
        (<ObjectNode>k).nodes = tuple(convert(child) for _, child in node.items)
        (<ObjectNode>k).paths = tuple(
            path_keys(child.keys) if type(child) is rt.PathNode else None
            for _, child in node.items)
        k.want_hints(len(node.items))
    elif t is rt.ArrayNode:
        k = ArrayNode()
        (<ArrayNode>k).nodes = tuple(convert(child) for child in node.nodes)
    elif t is rt.TemplateNode:
        k = TemplateNode()
        (<TemplateNode>k).texts = tuple(text for text, _ in node.pieces)
        (<TemplateNode>k).paths = tuple(path_keys(keys) for _, keys in node.pieces)
        k.want_hints(len(node.pieces))
        (<TemplateNode>k).tail = node.tail
        (<TemplateNode>k).rescan = node.rescan
    elif t is rt.IfNode:
        k = IfNode()
        (<IfNode>k).cond = convert(node.cond)
        (<IfNode>k).blank = node.blank
        (<IfNode>k).then = convert(node.then)
        (<IfNode>k).otherwise = convert(node.otherwise)
        (<IfNode>k).same_path = (not node.blank and type(node.cond) is rt.PathNode
                                 and type(node.then) is rt.PathNode
                                 and tuple(node.cond.keys) == tuple(node.then.keys))
    elif t is rt.CoalesceNode:
        k = CoalesceNode()
        (<CoalesceNode>k).candidates = tuple(convert(child) for child in node.candidates)
    elif t is rt.CaseNode:
        k = CaseNode()
        (<CaseNode>k).value = convert(node.value)
        (<CaseNode>k).upper = node.upper
    elif t is rt.ReplaceNode:
        k = ReplaceNode()
        (<ReplaceNode>k).value = convert(node.value)
        (<ReplaceNode>k).steps = node.steps
        (<ReplaceNode>k).plain = tuple(
            (step.pattern, step.replacement, -1 if step.global_ else 1)
            if step.regex is None and step.parts is None and step.error is None else None
            for step in (node.steps or ()))
    elif t is rt.ArrayPathNode:
        k = ArrayPathNode()
        (<ArrayPathNode>k).keys = None if node.keys is None else path_keys(node.keys)
        if node.keys is not None:
            k.want_hints(1)
        (<ArrayPathNode>k).root = convert(node.root)
        (<ArrayPathNode>k).shape = convert(node.shape)
    elif t is rt.FlattenNode:
        k = FlattenNode()
        (<FlattenNode>k).value = convert(node.value)
        (<FlattenNode>k).separator = convert(node.separator)
        (<FlattenNode>k).omit_arrays = node.omit_arrays
        (<FlattenNode>k).twin = node
    elif t is rt.ExcludeNullNode:
        k = ExcludeNullNode()
        (<ExcludeNullNode>k).value = convert(node.value)
    else:
        k = PyNode()
        (<PyNode>k).node = node
    base(k, node, node.may_undef)
    return k


cdef str TOO_DEEP = rt.TOO_DEEP


cdef class Program:
    """A compiled mapping's root, run by the kernel: the twin of
    ``actions.mapping.mapping.PythonRunner`` (``apply`` and ``apply_batch``, bound by
    ``Mapping`` as its own)."""

    cdef KNode root

    cdef object run(self, object event, object missing):
        if type(event) is not dict and not isinstance(event, dict):
            raise MappingInputError(f"data must be an object, got {rt.type_name(event)}")
        try:
            value = self.root.out(event)
        except RecursionError:
            raise MappingInputError(TOO_DEEP) from None
        return missing if value is UNDEFINED else value

    def apply(self, event, *, missing=None):
        return self.run(event, missing)

    def apply_batch(self, events, *, missing=None):
        return [self.run(event, missing) for event in events]


def build(root):
    """A :class:`Program` running the runtime node tree ``root``."""
    cdef Program program = Program()
    program.root = convert(root)
    return program


def native(node):
    """Whether the kernel runs the runtime node ``node`` (not its children) with a node
    of its own, rather than the Python node inside its tree; the directive registry's
    test reads it."""
    return not isinstance(convert(node), PyNode)
