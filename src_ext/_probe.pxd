# cython: language_level=3
"""What the kernels share for reading events: a dict probe and a tuple item, both on
borrowed pointers (``object`` arguments would make Cython take and drop a reference
around every call). Declarations and inline functions only: nothing of this is a
module at run time."""

from cpython.object cimport PyObject

cdef extern from "Python.h":
    PyObject* dict_get_with_error "PyDict_GetItemWithError"(PyObject* d, PyObject* key)
    PyObject* PyErr_Occurred()
    void PyErr_Clear()
    PyObject* tuple_item "PyTuple_GET_ITEM"(PyObject* t, Py_ssize_t i)


cdef inline PyObject* dict_get(PyObject* d, PyObject* key):
    """``d.get(key)`` as a borrowed reference, NULL when missing: ``PyDict_GetItem``
    without saving and restoring the error state on every call. A key whose comparison
    fails (never a JSON key) reads as missing, as it does there."""
    cdef PyObject* found = dict_get_with_error(d, key)
    if found == NULL and PyErr_Occurred() != NULL:
        PyErr_Clear()
    return found
