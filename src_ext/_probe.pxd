# cython: language_level=3
"""What the kernels share for reading events: dict probes, a text comparison and a
tuple item, all on borrowed pointers (``object`` arguments would make Cython take and
drop a reference around every call). Declarations only, of C functions inlined where
they are called (``_dictprobe.h``): nothing of this is a module at run time.

A probe site (a path read in a plan node) owns ``HINT_SLOTS`` remembered entry
positions, one per step of its path (a path longer than that wraps around and shares
them): see ``_dictprobe.h`` for why and how they are used."""

from cpython.object cimport PyObject

cdef extern from "Python.h":
    PyObject* tuple_item "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)

cdef extern from "_dictprobe.h":
    # ``d.get(key)`` as a borrowed reference, NULL when missing, never an error.
    PyObject* dict_get "fql_dict_get_plain"(PyObject* d, PyObject* key)
    # The same, looking first where ``*hint`` says and remembering where it found key.
    PyObject* dict_get_hinted "fql_dict_get_hinted"(PyObject* d, PyObject* key,
                                                    Py_ssize_t* hint)
    # Two exact str: the same text? (Length, kind, then the bytes, inline.)
    bint same_text "fql_same_text"(PyObject* a, PyObject* b)
    # Whether this build reads dict tables itself (else the hints are ignored).
    bint DICT_HINTS "FQL_DICT_HINTS"
    # How many remembered positions a probe site owns, one per path step.
    enum: HINT_SLOTS "FQL_HINT_SLOTS"
    # ``d.get(key)`` for the step ``level`` of a path whose site owns ``hints``
    # (``HINT_SLOTS`` of them), or NULL for none.
    PyObject* probe "fql_probe"(PyObject* d, PyObject* key, Py_ssize_t* hints,
                                Py_ssize_t level)
