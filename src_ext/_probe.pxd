# cython: language_level=3
"""What the kernels share for reading events: dict probes and a tuple item, all on
borrowed pointers (``object`` arguments would make Cython take and drop a reference
around every call). Declarations and inline functions only: nothing of this is a
module at run time.

A probe site (a path read in a plan node) owns ``HINT_SLOTS`` remembered entry
positions, one per level of its path (deeper levels share the last slots): see
``_dictprobe.h`` for why and how they are used."""

from cpython.object cimport PyObject

cdef extern from "Python.h":
    PyObject* tuple_item "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)

cdef extern from "_dictprobe.h":
    # ``d.get(key)`` as a borrowed reference, NULL when missing, never an error.
    PyObject* dict_get "fql_dict_get_plain"(PyObject* d, PyObject* key)
    # The same, looking first where ``*hint`` says and remembering where it found key.
    PyObject* dict_get_hinted "fql_dict_get_hinted"(PyObject* d, PyObject* key,
                                                    Py_ssize_t* hint)
    # Whether this build reads dict tables itself (else the hints are ignored).
    bint DICT_HINTS "FQL_DICT_HINTS"

cdef enum:
    HINT_SLOTS = 8  # a power of two


cdef inline PyObject* probe(PyObject* d, PyObject* key, Py_ssize_t* hints,
                            Py_ssize_t level):
    """``d.get(key)`` for the step ``level`` of a path whose site owns ``hints``
    (``HINT_SLOTS`` of them), or NULL for none."""
    if hints == NULL:
        return dict_get(d, key)
    return dict_get_hinted(d, key, hints + (level & (HINT_SLOTS - 1)))
