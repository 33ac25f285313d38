"""Frozen records: the AST, plan, span and diagnostic classes, made like frozen slotted
dataclasses, at a fraction of the cost of making them.

``@dataclass(frozen=True, slots=True)`` generates six or more methods per class, each
with its own ``exec`` of generated source, creates every class twice (to add the slots)
and needs the ``dataclasses`` module, which imports ``inspect``. For the forty-odd small
classes a command imports that was most of ``fql lint``'s start-up (measured in
instructions: about 5 million per class, 40 million for the import of ``dataclasses``
itself, against 90 million for a bare interpreter). :func:`record` makes the same
classes with one generated function per class (``__init__``, which must stay fast: the
parser and the compiler build many nodes) and shared, generic ``__eq__``, ``__hash__``,
``__repr__`` and frozen ``__setattr__``. The behaviour is the dataclass one where the
project relies on it: fields from annotations in declaration order with base-class
fields first, defaults and ``field(default_factory=..., compare=False, repr=False,
kw_only=True)``, equality only between instances of the same class over the compared
fields, hashing consistent with it, ``Name(field=value, ...)`` representations,
``__match_args__``, ``__slots__`` (the kernels read nodes' slots directly), immutability
(:class:`FrozenInstanceError`), pickling and copying, and :func:`replace`.
"""

from __future__ import annotations

import sys
from operator import attrgetter
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # Python 3.10: nothing to declare at run time; type checkers read the branch above

    def dataclass_transform(**_: Any) -> Any:
        """A decorator that changes nothing (the marker only informs type checkers)."""
        return lambda decorated: decorated

T = TypeVar("T")

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a record (records are immutable)."""


class Field:
    """A field's options, as ``dataclasses.field`` takes them."""

    __slots__ = ("compare", "default", "default_factory", "kw_only", "repr")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING,
                 compare: bool = True, repr: bool = True, kw_only: bool = False) -> None:
        self.default, self.default_factory = default, default_factory
        self.compare, self.repr, self.kw_only = compare, repr, kw_only


def field(*, default: Any = _MISSING, default_factory: Any = _MISSING, compare: bool = True,
          repr: bool = True, kw_only: bool = False, hash: bool | None = None) -> Any:
    """A field with options (``hash`` follows ``compare``, as for dataclasses)."""
    return Field(default, default_factory, compare, repr, kw_only)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record_key__
    return key(self) == key(other)


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{type(self).__qualname__}({shown})"


def _getstate(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name, _ in self.__record_fields__)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for (name, _), value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, name, value)


def _key(names: list[str]) -> Any:
    """A function from a record to the tuple of its compared fields."""
    if not names:
        return lambda record: ()
    getter = attrgetter(*names)
    return getter if len(names) > 1 else (lambda record: (getter(record),))


def _init(cls_name: str, fields: list[tuple[str, Field]]) -> Any:
    """``__init__`` for ``fields``: positional fields first, then keyword-only ones, as
    dataclasses order them; one ``exec`` of generated source, so that building a node
    costs what the dataclass's own ``__init__`` costs."""
    env: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING}
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for name, spec in fields:
        if spec.default is not _MISSING:
            env[f"_d_{name}"] = spec.default
            param = f"{name}=_d_{name}"
            value = name
        elif spec.default_factory is not _MISSING:
            env[f"_f_{name}"] = spec.default_factory
            param = f"{name}=_MISSING"
            value = f"_f_{name}() if {name} is _MISSING else {name}"
        else:
            param, value = name, name
        (keywords if spec.kw_only else positional).append(param)
        body.append(f"    _set(self, {name!r}, {value})")
    params = ", ".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    source = f"def __init__({params}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, f"<record {cls_name}>", "exec"), env)  # generated, not user text
    return env["__init__"]


# Tells type checkers that a record is made like a frozen dataclass (PEP 681), so they
# see its fields, its ``__init__`` and its immutability; it does nothing at run time.
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen, slotted record of its annotated fields (see the module)."""
    inherited: list[tuple[str, Field]] = []
    for base in cls.__mro__[1:]:
        if "__record_fields__" in base.__dict__:
            inherited = list(base.__dict__["__record_fields__"])
            break
    own: list[tuple[str, Field]] = []
    namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
    # inspect.get_annotations would import inspect, the cost this module avoids.
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if "ClassVar" in str(annotation):
            continue
        value = namespace.pop(name, _MISSING)
        own.append((name, value if isinstance(value, Field) else Field(default=value)))
    fields = inherited + own
    namespace["__slots__"] = tuple(name for name, _ in own)
    namespace["__record_fields__"] = tuple(fields)
    namespace["__record_key__"] = staticmethod(_key([n for n, f in fields if f.compare]))
    namespace["__record_repr__"] = tuple(n for n, f in fields if f.repr)
    namespace["__match_args__"] = tuple(n for n, f in fields if not f.kw_only)
    namespace["__init__"] = _init(cls.__name__, fields)
    namespace.update(__eq__=_eq, __hash__=_hash, __repr__=_repr, __setattr__=_frozen_setattr,
                     __delattr__=_frozen_delattr, __getstate__=_getstate,
                     __setstate__=_setstate)
    metaclass: type[Any] = type(cls)  # the class's own metaclass, usually ``type``
    made = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__init__.__qualname__ = f"{made.__qualname__}.__init__"
    return made


def replace(obj: T, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace``)."""
    values = {name: changes.pop(name, getattr(obj, name))
              for name, _ in obj.__record_fields__}  # type: ignore[attr-defined]  # any record
    if changes:
        raise TypeError(f"{type(obj).__name__} has no field {next(iter(changes))!r}")
    return type(obj)(**values)
