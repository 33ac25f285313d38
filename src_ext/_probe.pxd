# cython: language_level=3
"""What the kernels share for reading events: dict probes, a text comparison and a
tuple item, all on borrowed pointers (``object`` arguments would make Cython take and
drop a reference around every call). Declarations of C functions inlined where they
are called (``_dictprobe.h``), and the probe's import-time self-check.

A probe site (a path read in a plan node) owns ``HINT_SLOTS`` remembered entry
positions, one per step of its path (a path longer than that wraps around and shares
them): see ``_dictprobe.h`` for why and how they are used.

A probe answers a borrowed value, NULL for a missing key, or ``DEFER`` where the lookup
could run Python code (a table with keys that are not all exact str, or table reads
turned off): the caller then continues its walk in Python from the dict it probed,
with strong references, as the twin does."""

from cpython.object cimport PyObject

cdef extern from "Python.h":
    PyObject* tuple_item "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)

cdef extern from "_dictprobe.h":
    # The probe's third answer: "do this lookup in Python" (never a Python object).
    PyObject* DEFER "FQL_DEFER"
    # ``d.get(key)`` as a borrowed reference, NULL when missing, or DEFER; looking
    # first where ``*hint`` says and remembering where it found key.
    PyObject* dict_get_hinted "fql_dict_get_hinted"(PyObject* d, PyObject* key,
                                                    Py_ssize_t* hint)
    # Two exact str: the same text? (Length, kind, then the bytes, inline.)
    bint same_text "fql_same_text"(PyObject* a, PyObject* b)
    # Whether this build can read dict tables itself (else every probe defers).
    bint DICT_HINTS "FQL_DICT_HINTS"
    # Whether the table reads are on (after the self-check).
    int hints_on "fql_hints_on"
    void set_hints "fql_set_hints"(int on)
    # How many remembered positions a probe site owns, one per path step.
    enum: HINT_SLOTS "FQL_HINT_SLOTS"
    # ``d.get(key)`` for the step ``level`` of a path whose site owns ``hints``
    # (``HINT_SLOTS`` of them), or NULL for none.
    PyObject* probe "fql_probe"(PyObject* d, PyObject* key, Py_ssize_t* hints,
                                Py_ssize_t level)


cdef inline bint probe_agrees(dict d, object key, Py_ssize_t hint):
    """The probe gives ``dict.get``'s answer for ``key`` from ``hint``, and again from
    the position it leaves behind."""
    cdef PyObject* found
    cdef int round
    for round in range(2):
        found = dict_get_hinted(<PyObject*>d, <PyObject*>key, &hint)
        if found == DEFER:
            return False
        if key in d:
            expected = d[key]
            if found != <PyObject*>expected:
                return False
        elif found != NULL:
            return False
    return True


cdef inline bint probe_selfcheck():
    """Turn the table reads on, check the probe against ``dict.get`` on tables of every
    index width it meets in events (1 and 2 bytes), with deleted entries, keys equal
    to the probe's without being the same object, keys without a cached hash and
    remembered positions that hold another key, and turn the reads off again on any
    mismatch (a CPython whose private layout differs from the one this build read).
    Returns whether they stay on."""
    cdef list names
    cdef dict d
    cdef Py_ssize_t size, hint
    if not DICT_HINTS:
        return False
    set_hints(1)
    for size in (0, 1, 5, 8, 40, 200, 400):
        names = ["".join(["k", str(i), "é" if i % 7 == 3 else ""]) for i in range(size)]
        d = {name: i for i, name in enumerate(names)}
        for i in range(0, size, 3):
            del d[names[i]]
        for name in names + ["missing", "", "k"]:
            fresh = "".join(["\0", name])[1:]  # equal text, another object, no hash
            for hint in (-1, 0, 1, size // 2, size + 5):
                if not probe_agrees(d, name, hint) or not probe_agrees(d, fresh, hint):
                    set_hints(0)
                    return False
    return True
