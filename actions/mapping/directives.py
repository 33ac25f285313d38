"""The one list of mapping directives, and what each pass does with it.

Four passes read a mapping's directives: validation (:mod:`.validate`, Segment's
``validate``), compilation (:mod:`.compiler`, into the nodes of :mod:`.nodes`), the
linter (:mod:`.check`, footgun rules) and the Cython kernel (``src_ext/_mapping.pyx``,
which converts the common nodes to its own and runs the others as they are). Each pass
keeps its own table of handlers, because each does something different, but every table
is checked against this registry (``tests/test_mapping_registry.py``), so a directive
added here and forgotten in one pass fails the suite instead of reaching users as
"unknown directive".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Directive:
    """One directive: its name, whether it is an opt-in extension (not portable to
    Segment), and whether the kernel runs it natively; when not, ``why_python`` says
    why its Python node runs inside the kernel's tree."""

    name: str
    extension: bool = False
    kernel: bool = True
    why_python: str = ""


DIRECTIVES: Final[dict[str, Directive]] = {d.name: d for d in (
    Directive("@if"),
    Directive("@case"),
    Directive("@replace"),
    Directive("@arrayPath"),
    Directive("@path"),
    Directive("@template"),
    Directive("@literal"),
    Directive("@flatten"),
    Directive("@json", kernel=False,
              why_python="encoding builds one string per event in C code already "
                         "(json.JSONEncoder); decoding is json.loads"),
    Directive("@merge", kernel=False,
              why_python="Object.assign over values the kernel has already copied"),
    Directive("@transform", kernel=False,
              why_python="runs a nested mapping, itself kernel-compiled"),
    Directive("@excludeWhenNull"),
    Directive("@liquid", kernel=False,
              why_python="python-liquid renders the template"),
    Directive("@coalesce", extension=True),
)}

#: The directives Segment's mapping kit knows (no extensions), in its own order.
PORTABLE: Final = tuple(name for name, d in DIRECTIVES.items() if not d.extension)
#: The opt-in extensions (``extensions=True``); the linter marks each use non-portable.
EXTENSIONS: Final = tuple(name for name, d in DIRECTIVES.items() if d.extension)
