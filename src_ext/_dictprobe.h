/* A dict probe for string keys with a remembered slot: an inline cache.
 *
 * Events from one source are built the same way, so a key sits at the same position in
 * their dicts' entry arrays (insertion order) from one event to the next. A probe site
 * keeps the position where it last found its key; the next probe looks there first
 * and, when the key is there, reads the value without hashing or walking the index
 * table. Otherwise it walks the index table as CPython's own lookup does for a table of
 * string keys and remembers where it found the key. CPython's specialising interpreter
 * caches dict positions the same way for attribute and global reads.
 *
 * The probe never runs Python code. The kernels walk events with borrowed pointers,
 * which is safe only while nothing can change the event behind their back; a lookup in
 * a table holding keys of other types may call such a key's __eq__, which can mutate or
 * free the very dicts being walked, or raise. So wherever a lookup could call back into
 * Python, the probe answers FQL_DEFER without looking: the caller, which still holds a
 * live borrowed pointer to `d` (nothing ran since it got it), continues that walk in
 * Python with strong references and the twin's own code, so an exception raised by a
 * key's comparison propagates exactly as it does in the twin.
 *
 * This reads the layout of CPython's dict key tables, which is private. The layout was
 * checked against the headers of CPython 3.11, 3.12 and 3.13 (default builds) and the
 * fast path is compiled only for those; each kernel also checks the probe against
 * dict.get when it is imported (fql_probe_selfcheck in _probe.pxd) and turns its
 * table reads off on any mismatch. Without them (another version, PyPy, a free-threaded
 * build, a failed check) every probe answers FQL_DEFER: slower, never wrong. At run
 * time the fast path also steps aside for any table it does not know: a table with keys
 * that are not all exact str (FQL_DEFER), an instance's split __dict__ (whose keys are
 * all exact str, so CPython's lookup runs no Python code either).
 *
 * Returns a borrowed reference, NULL when the key is missing, or FQL_DEFER. Never sets
 * an error.
 */
#ifndef FQL_DICTPROBE_H
#define FQL_DICTPROBE_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

#if !defined(PYPY_VERSION) && !defined(Py_GIL_DISABLED) && \
    PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
#define FQL_DICT_HINTS 1
#else
#define FQL_DICT_HINTS 0
#endif

/* The comparisons below run for nearly every key a path reads: inline them. */
#if defined(__GNUC__) || defined(__clang__)
#define FQL_INLINE static inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define FQL_INLINE static __forceinline
#else
#define FQL_INLINE static inline
#endif

/* n bytes equal? Keys and the strings compared with them are short, where a call to
   the C library's memcmp costs more than the comparison: inline, in words, the last
   word overlapping the one before it rather than a loop over the leftover bytes. */
FQL_INLINE int
fql_same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    uint32_t u, v;
    uint16_t p, q;
    size_t i;
    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y) {
                return 0;
            }
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v) {
            return 0;
        }
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    if (n >= 2) {
        memcpy(&p, a, 2);
        memcpy(&q, b, 2);
        if (p != q) {
            return 0;
        }
        memcpy(&p, a + n - 2, 2);
        memcpy(&q, b + n - 2, 2);
        return p == q;
    }
    return n == 0 || a[0] == b[0];
}

/* Two exact str: equal text? (unicode_eq in CPython.) A str's text is stored in the
   narrowest kind that holds it, so equal texts have equal kinds; keys and the values
   compared with literals are nearly always compact ASCII, read here without the
   general kind and data accessors. */
FQL_INLINE int
fql_same_text(PyObject *a, PyObject *b)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    if (n != PyUnicode_GET_LENGTH(b)) {
        return 0;
    }
    if (PyUnicode_IS_COMPACT_ASCII(a) && PyUnicode_IS_COMPACT_ASCII(b)) {
        return fql_same_bytes((const char *)((PyASCIIObject *)a + 1),
                              (const char *)((PyASCIIObject *)b + 1), (size_t)n);
    }
    if (PyUnicode_KIND(a) != PyUnicode_KIND(b)) {
        return 0;
    }
    return fql_same_bytes((const char *)PyUnicode_DATA(a), (const char *)PyUnicode_DATA(b),
                          (size_t)n * PyUnicode_KIND(a));
}

/* The answer "this lookup could run Python code: do it in Python". A unique address,
   never a Python object. */
static char fql_defer_marker;
#define FQL_DEFER ((PyObject *)&fql_defer_marker)

/* Whether the table reads below are on: set by the import-time self-check. */
static int fql_hints_on = 0;

#if FQL_DICT_HINTS

/* struct _dictkeysobject of Include/internal/pycore_dict.h (3.11-3.13). */
typedef struct {
    Py_ssize_t dk_refcnt;
    uint8_t dk_log2_size;
    uint8_t dk_log2_index_bytes;
    uint8_t dk_kind;
    uint32_t dk_version;
    Py_ssize_t dk_usable;
    Py_ssize_t dk_nentries;
    char dk_indices[];
} fql_dictkeys;

/* PyDictUnicodeEntry: the entries of a table whose keys are all exact str. */
typedef struct {
    PyObject *me_key;
    PyObject *me_value;
} fql_unicode_entry;

#define FQL_DICT_KEYS_UNICODE 1
#define FQL_DKIX_EMPTY (-1)

static inline fql_unicode_entry *
fql_entries(fql_dictkeys *dk)
{
    return (fql_unicode_entry *)(dk->dk_indices + ((size_t)1 << dk->dk_log2_index_bytes));
}

static inline Py_ssize_t
fql_index(fql_dictkeys *dk, size_t i)
{
    uint8_t log2size = dk->dk_log2_size;
    if (log2size < 8) {
        return ((const int8_t *)dk->dk_indices)[i];
    }
    if (log2size < 16) {
        return ((const int16_t *)dk->dk_indices)[i];
    }
#if SIZEOF_VOID_P > 4
    if (log2size >= 32) {
        return ((const int64_t *)dk->dk_indices)[i];
    }
#endif
    return ((const int32_t *)dk->dk_indices)[i];
}

/* Is the entry key `candidate` (NULL for a deleted entry) our `key`, whose hash is
   `hash`? The same object, or (a JSON parser's keys) an equal str. */
FQL_INLINE int
fql_is_key(PyObject *candidate, PyObject *key, Py_hash_t hash)
{
    return candidate == key ||
           (candidate != NULL && ((PyASCIIObject *)candidate)->hash == hash &&
            fql_same_text(candidate, key));
}

FQL_INLINE PyObject *
fql_dict_get_hinted(PyObject *d, PyObject *key, Py_ssize_t *hint)
{
    PyDictObject *mp = (PyDictObject *)d;
    fql_dictkeys *dk = (fql_dictkeys *)mp->ma_keys;
    fql_unicode_entry *entries, *ep;
    Py_hash_t hash;
    size_t mask, perturb, i;
    Py_ssize_t ix;

    if (!fql_hints_on || !PyUnicode_CheckExact(key)) {
        return FQL_DEFER;
    }
    if (mp->ma_values != NULL) {
        /* A split table: exact str keys only, so CPython's lookup compares str with
           str and runs no Python code; an exact str key cannot fail to hash. */
        PyObject *found = PyDict_GetItemWithError(d, key);
        if (found == NULL && PyErr_Occurred() != NULL) {
            PyErr_Clear();
            return FQL_DEFER;
        }
        return found;
    }
    if (dk->dk_kind != FQL_DICT_KEYS_UNICODE) {
        return FQL_DEFER;  /* other keys: their __eq__ may run */
    }
    hash = ((PyASCIIObject *)key)->hash;
    if (hash == -1) {
        hash = PyObject_Hash(key);  /* str's own hash: no Python code, no error */
        if (hash == -1) {
            PyErr_Clear();
            return FQL_DEFER;
        }
    }
    entries = fql_entries(dk);
    ix = *hint;
    if (ix >= 0 && ix < dk->dk_nentries && fql_is_key(entries[ix].me_key, key, hash)) {
        return entries[ix].me_value;
    }
    mask = ((size_t)1 << dk->dk_log2_size) - 1;
    perturb = (size_t)hash;
    i = (size_t)hash & mask;
    for (;;) {
        ix = fql_index(dk, i);
        if (ix >= 0) {
            ep = &entries[ix];
            if (fql_is_key(ep->me_key, key, hash)) {
                *hint = ix;
                return ep->me_value;
            }
        }
        else if (ix == FQL_DKIX_EMPTY) {
            return NULL;
        }
        perturb >>= 5;  /* PERTURB_SHIFT */
        i = mask & (i * 5 + perturb + 1);
    }
}

#else

static inline PyObject *
fql_dict_get_hinted(PyObject *d, PyObject *key, Py_ssize_t *hint)
{
    (void)d;
    (void)key;
    (void)hint;
    return FQL_DEFER;
}

#endif

/* d.get(key) for step `level` of a path whose site owns `hints` (FQL_HINT_SLOTS of
   them, a power of two; deeper steps share slots), or NULL for a site without. */
#define FQL_HINT_SLOTS 8

FQL_INLINE PyObject *
fql_probe(PyObject *d, PyObject *key, Py_ssize_t *hints, Py_ssize_t level)
{
    Py_ssize_t none = -1;
    if (hints == NULL) {
        return fql_dict_get_hinted(d, key, &none);
    }
    return fql_dict_get_hinted(d, key, hints + (level & (FQL_HINT_SLOTS - 1)));
}

/* Turn the table reads on (1) or off (0); the import-time self-check decides. */
static inline void
fql_set_hints(int on)
{
    fql_hints_on = on && FQL_DICT_HINTS;
}

#endif
