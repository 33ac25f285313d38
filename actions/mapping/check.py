"""``check_mapping``: validation problems, places that always throw, Segment footguns and
non-portable extensions, as :class:`~fql.diagnostics.Diagnostic` records with a ``path``.

Codes are stable (docs/semantics/mappings.md lists them):

* ``MAP001``-``MAP005`` errors: the mapping does not compile (see :mod:`.errors`).
* ``MAP010`` error: a directive that throws whenever it is reached (Segment accepts the
  mapping, then fails every event that gets there).
* ``MAP1xx`` warnings: Segment does something other than what the mapping seems to say.
* ``MAP2xx`` warnings: an extension that Segment does not have (not portable).

The footgun rules read the mapping JSON; the compiler reports throws and extensions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fql.diagnostics import Diagnostic

from .compiler import compile_plan, is_jsonpath
from .errors import MappingError
from .limits import DEFAULT_LIMITS, MappingLimits
from .runtime import DOUBLE, TRIPLE, truthy
from .validate import check_shape, directive_name, is_directive

#: Top-level event fields that hold objects: a template placeholder naming one renders
#: ``[object Object]``.
OBJECT_FIELDS = frozenset(
    {
        "properties",
        "traits",
        "context",
        "integrations",
        "context.page",
        "context.app",
        "context.device",
        "context.library",
        "context.os",
        "context.campaign",
        "context.traits",
    }
)

_STRING_DIRECTIVES = frozenset({"@template", "@liquid", "@replace"})
_REPLACEMENT_TOKEN = re.compile(r"\$[$&`']")
_LOOKS_LIKE_TEMPLATE = re.compile(r"\{\{[^}]+\}\}")

Rule = Callable[[Any, str], Iterator[Diagnostic]]


def warn(code: str, path: str, message: str, hint: str | None = None) -> Diagnostic:
    """A lint finding of severity ``warning`` at the mapping path ``where``."""
    return Diagnostic(code, message, "warning", path=path, hint=hint)


def check_mapping(
    mapping: Any, *, extensions: bool = False, limits: MappingLimits = DEFAULT_LIMITS
) -> list[Diagnostic]:
    """Every finding about ``mapping``: errors first (what stops it compiling, what
    throws at run time), then warnings in mapping order."""
    found: list[Diagnostic] = []
    try:
        _, findings = compile_plan(mapping, limits, extensions)
    except MappingError as exc:
        found.extend(exc.problems)
        if any(p.code in ("MAP002", "MAP003") for p in exc.problems):
            return found  # too large, cyclic or not JSON: do not walk it
    else:
        for finding in findings:
            if finding.kind == "throw":
                found.append(
                    Diagnostic(
                        "MAP010", f"throws whenever reached: {finding.message}", path=finding.path
                    )
                )
            elif finding.kind == "jsonpath":
                found.append(
                    warn(
                        "MAP201",
                        finding.path,
                        "full JSONPath is an extension; Segment reads this path as a plain lookup",
                        "not portable to Segment",
                    )
                )
            else:
                found.append(
                    warn(
                        "MAP202",
                        finding.path,
                        "@coalesce is an extension Segment does not have",
                        "portable form: nested @if exists/then/else (actions.coalesce)",
                    )
                )
    if not check_shape(mapping, limits):
        found.extend(_Linter(extensions).walk(mapping, ""))
    return found


class _Linter:
    """The footgun rules, one method per directive, over the raw mapping JSON."""

    def __init__(self, extensions: bool) -> None:
        self.extensions = extensions
        self.rules: dict[str, Rule] = {
            "@if": self.if_,
            "@template": self.template,
            "@merge": self.merge,
            "@json": self.json_,
            "@replace": self.replace,
            "@literal": self.literal,
            "@flatten": self.flatten,
            "@path": self.path,
            "@arrayPath": self.array_path,
            # no footgun of their own (their options are walked like any value)
            "@case": self.no_rule,
            "@transform": self.no_rule,
            "@excludeWhenNull": self.no_rule,
            "@liquid": self.no_rule,
            "@coalesce": self.no_rule,
        }

    def no_rule(self, value: Any, where: str) -> Iterator[Diagnostic]:
        """A directive without a footgun rule of its own."""
        return iter(())

    def walk(self, value: Any, where: str) -> Iterator[Diagnostic]:
        if isinstance(value, dict):
            if is_directive(value):
                name = directive_name(value)
                at = f"{where}/{name}"
                rule = self.rules.get(name)
                if rule is not None:
                    yield from rule(value[name], at)
                yield from self.walk(value[name], at)
                return
            for key, item in value.items():
                if "/" in key:
                    yield warn(
                        "MAP112",
                        f"{where}/{key}",
                        f"key {key!r} contains '/', which breaks Segment's mapping editor (MP-22)",
                    )
                yield from self.walk(item, f"{where}/{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from self.walk(item, f"{where}/{i}")
        elif (
            isinstance(value, str)
            and where
            and not where.endswith(_OPTION_SUFFIXES)
            and (value.startswith("$.") or _LOOKS_LIKE_TEMPLATE.search(value))
        ):
            yield warn(
                "MAP110",
                where or "/",
                f"the text {value!r} is copied as is",
                'did you mean {"@path": ...} or {"@template": ...}?',
            )

    def if_(self, opts: Any, where: str) -> Iterator[Diagnostic]:
        if not isinstance(opts, dict):
            return
        if "blank" in opts and "exists" not in opts:
            yield warn(
                "MAP101",
                f"{where}/blank",
                "@if blank treats 0, false and [] as blank (JS loose == '')",
                "use exists to test only for null/missing",
            )
        if "else" in opts and not truthy(opts["else"]):
            yield warn(
                "MAP102",
                f"{where}/else",
                f"a falsy else ({opts['else']!r}) is ignored: the field is left out",
                'wrap it: {"@literal": ...}',
            )

    def template(self, template: Any, where: str) -> Iterator[Diagnostic]:
        if not isinstance(template, str):
            return
        for match in [*TRIPLE.finditer(template), *DOUBLE.finditer(template)]:
            path = match.group(1).strip()
            if path == "" or path in OBJECT_FIELDS:
                yield warn(
                    "MAP103",
                    where,
                    f"{match.group()} names an object: @template renders it as [object Object]",
                    "use @path or @json encode",
                )
            elif path.startswith("$."):
                yield warn(
                    "MAP111",
                    where,
                    f"{match.group()}: '$.' is not removed in templates, "
                    "this reads a key named '$'",
                    "drop the '$.'",
                )

    def merge(self, opts: Any, where: str) -> Iterator[Diagnostic]:
        if not isinstance(opts, dict):
            return
        direction = opts.get("direction")
        if isinstance(direction, str) and direction.lower() == "left" and direction != "left":
            yield warn(
                "MAP105",
                f"{where}/direction",
                f"direction {direction!r} acts as right: only the exact 'left' reverses",
                "write 'left'",
            )
        for i, item in enumerate(opts.get("objects") or []):
            if _yields_text(item):
                yield warn(
                    "MAP104",
                    f"{where}/objects/{i}",
                    "@merge spreads a string or array "
                    "into index keys ('USD' -> {'0':'U','1':'S','2':'D'})",
                )

    def json_(self, opts: Any, where: str) -> Iterator[Diagnostic]:
        mode = opts.get("mode") if isinstance(opts, dict) else None
        if isinstance(mode, str) and mode.lower() in ("encode", "decode") and mode != mode.lower():
            yield warn(
                "MAP106",
                f"{where}/mode",
                f"mode {mode!r} passes validation but only "
                "lower case runs: the result is undefined",
                "write it in lower case",
            )

    def replace(self, opts: Any, where: str) -> Iterator[Diagnostic]:
        if not isinstance(opts, dict):
            return
        for key in ("replacement", "replacement2"):
            text = opts.get(key)
            if isinstance(text, str) and _REPLACEMENT_TOKEN.search(text):
                yield warn(
                    "MAP107",
                    f"{where}/{key}",
                    f"{text!r}: $&, $$, $` and $' are JS replacement tokens, not literal text",
                )

    def literal(self, value: Any, where: str) -> Iterator[Diagnostic]:
        if _has_directive(value) and not is_directive(value):
            yield warn("MAP108", where, "directives inside @literal are resolved, not kept as text")

    def flatten(self, opts: Any, where: str) -> Iterator[Diagnostic]:
        if (
            isinstance(opts, dict)
            and "omitArrays" in opts
            and not isinstance(opts["omitArrays"], bool)
        ):
            yield warn(
                "MAP109",
                f"{where}/omitArrays",
                f"omitArrays {opts['omitArrays']!r} is read by truthiness ('no' means true)",
            )

    def path(self, path: Any, where: str) -> Iterator[Diagnostic]:
        if not isinstance(path, str):
            return
        if re.search(r"""\[["'][^\]]*\.[^\]]*["']\]""", path):
            yield warn(
                "MAP111",
                where,
                f"{path!r}: a dot inside quoted brackets still splits "
                "the path; keys containing '.' cannot be read (MP-02)",
            )
        if "$." in path and not path.startswith("$."):
            yield warn("MAP111", where, f"{path!r}: the first '$.' anywhere is removed")
        if is_jsonpath(path) and not self.extensions:
            yield warn(
                "MAP113",
                where,
                f"{path!r} looks like JSONPath; Segment reads it as a plain lookup",
                "compile with extensions=True for JSONPath",
            )

    def array_path(self, data: Any, where: str) -> Iterator[Diagnostic]:
        if isinstance(data, list) and len(data) > 1 and isinstance(data[1], dict):
            for key, item in data[1].items():
                path = item.get("@path") if isinstance(item, dict) else None
                if isinstance(path, str) and path.startswith("$.") and path[2:] in _EVENT_ROOTS:
                    yield warn(
                        "MAP114",
                        f"{where}/1/{key}/@path",
                        "item-shape paths are relative to each item, '$.' does not reach the event",
                    )


_EVENT_ROOTS = frozenset({"userId", "anonymousId", "event", "type", "messageId", "timestamp"})
#: Option values that are text by design (not a forgotten directive).
_OPTION_SUFFIXES = (
    "/@literal",
    "/pattern",
    "/replacement",
    "/pattern2",
    "/replacement2",
    "/separator",
    "/operator",
    "/mode",
    "/direction",
    "/@liquid",
    "/@template",
    "/@path",
    "/0",
)


def _has_directive(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.startswith("@") for k in value) or any(
            _has_directive(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_directive(v) for v in value)
    return False


def _yields_text(item: Any) -> bool:
    """Whether a ``@merge`` object is a directive that always yields a string or array."""
    if not is_directive(item):
        return False
    name = directive_name(item)
    if name in _STRING_DIRECTIVES:
        return True
    if name == "@json":
        return isinstance(item[name], dict) and item[name].get("mode") == "encode"
    return name == "@literal" and isinstance(item[name], (str, list))
