"""Compilation: validated mapping JSON → a tree of :mod:`~actions.mapping.runtime` nodes.

Everything Segment's mapping kit decides from the mapping alone is decided here, once:
which directive runs (the first ``@`` key of an object whose other keys are all ``@`` or
``_metadata``), the truthiness checks Segment makes on raw options (``!opts.exists &&
!opts.blank``, a falsy ``else``, a missing ``direction``...), path and template splitting,
``@replace`` regexes and replacement tokens, Liquid parsing. Where Segment would throw
whenever it reaches a place, the node is a :class:`~actions.mapping.runtime.RaiseNode`
and the place is recorded in :attr:`Compiler.throws` for ``check_mapping``.

The compiler accepts *any* JSON, not only what validation accepts, because Segment
executes places its validation never looks at (inside arrays, inside a ``@literal``
object) with its run-time rules; those places compile to the same run-time behaviour.

Rejected alternative: interpreting the mapping JSON per event (what Segment does). It
repeats every lookup, split and check for each event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fql.diagnostics import Diagnostic
from fql.js import js_trim, utf16_len, utf16_units

from . import runtime as rt
from .errors import LIMIT, ROOT_DIRECTIVE, UNAVAILABLE, VALIDATION, MappingRuntimeError
from .limits import MappingLimits
from .validate import (
    MAX_PATTERN_LENGTH,
    MAX_REPLACEMENT_LENGTH,
    directive_name,
    is_directive,
    pointer,
    validate,
)

ROOT_MAPPING_FIELD_KEY = "__segment_internal_directive"
UNDEFINED = rt.UNDEFINED


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the compiler noticed for ``check_mapping``: a run-time throw, or the use
    of a non-portable extension."""

    path: str
    message: str
    kind: str  # "throw" | "jsonpath" | "coalesce"


def js_key_order(keys: list[str]) -> list[str]:
    """The order of ``Object.keys``: array-index keys ascending, then the rest in order."""
    indexed = sorted((k for k in keys if rt.array_index(k) >= 0), key=int)
    return indexed + [k for k in keys if rt.array_index(k) < 0]


def root_mapping(mapping: Any) -> Any:
    """Segment's ``getMappingToProcess``: spread the mapping into an object (arrays and
    strings by index), and turn a root ``__segment_internal_directive`` into that
    directive, with the other top-level keys as its ``mapping``. Raises ValueError with
    Segment's message for a malformed root."""
    if mapping is None:
        raise ValueError("Cannot convert undefined or null to object")
    if isinstance(mapping, dict):
        spread = dict(mapping)
    elif isinstance(mapping, list):
        spread = {str(i): v for i, v in enumerate(mapping)}
    elif isinstance(mapping, str):
        spread = {str(i): u for i, u in enumerate(utf16_units(mapping))}
    else:
        spread = {}
    if not isinstance(mapping, dict) or ROOT_MAPPING_FIELD_KEY not in mapping:
        return spread
    customer = {k: v for k, v in mapping.items() if k != ROOT_MAPPING_FIELD_KEY}
    root = mapping[ROOT_MAPPING_FIELD_KEY]
    if root is None:
        raise ValueError("Cannot convert undefined or null to object")
    if isinstance(root, dict):
        keys = list(root)
    elif isinstance(root, (list, str)):
        keys = [str(i) for i in range(len(root) if isinstance(root, list) else utf16_len(root))]
    else:
        keys = []
    if len(keys) > 1:
        raise ValueError("The root mapping must only have a single directive object")
    directive = root[keys[0]] if keys and isinstance(root, dict) else None
    if isinstance(root, list) and keys:
        directive = root[0]
    if not isinstance(directive, dict):
        raise ValueError("The root directive must be an object")
    with_mapping = {**directive, "mapping": customer}
    return {keys[0]: with_mapping} if isinstance(root, dict) else [with_mapping]


class Compiler:
    """One compilation. ``problems`` collects compile-time errors that validation does
    not cover (this engine's limits, a missing optional dependency); ``findings``
    collects what ``check_mapping`` reports."""

    def __init__(self, limits: MappingLimits, extensions: bool) -> None:
        self.limits = limits
        self.depth = limits.max_value_depth
        self.extensions = extensions
        self.problems: list[Diagnostic] = []
        self.findings: list[Finding] = []
        self.directives: dict[str, Callable[[Any, str], rt.Node]] = {
            "@if": self.if_,
            "@case": self.case,
            "@replace": self.replace,
            "@arrayPath": self.array_path,
            "@path": self.path,
            "@template": self.template,
            "@literal": self.literal,
            "@flatten": self.flatten,
            "@json": self.json_,
            "@merge": self.merge,
            "@transform": self.transform,
            "@excludeWhenNull": self.exclude_when_null,
            "@liquid": self.liquid,
        }
        if extensions:
            self.directives["@coalesce"] = self.coalesce

    # ---- generic values

    def compile(self, value: Any, where: str) -> rt.Node:
        """The node for any mapping value at ``where`` (a JSON pointer)."""
        if isinstance(value, dict):
            if is_directive(value):
                name = directive_name(value)
                at = f"{where.rstrip('/')}/{name}"
                handler = self.directives.get(name)
                if handler is None:
                    return self.throw(at, f"{name} is not a valid directive, got undefined")
                return handler(value[name], at)
            items = tuple(
                (key, self.compile(value[key], f"{where.rstrip('/')}/{key}"))
                for key in js_key_order(list(value))
                # a "__proto__" member sets the prototype in JS, it never becomes a key
                if key != "__proto__"
            )
            return rt.ObjectNode(where, self.depth, items)
        if isinstance(value, list):
            nodes = tuple(self.compile(v, f"{where.rstrip('/')}/{i}") for i, v in enumerate(value))
            return rt.ArrayNode(where, self.depth, nodes)
        return rt.ConstNode(where, self.depth, value)

    def const(self, where: str, value: Any) -> rt.Node:
        """A node that always yields ``value`` (``UNDEFINED`` included), for a directive whose
        result Segment fixes before looking at the event.
        """
        return rt.ConstNode(where, self.depth, value)

    def throw(self, where: str, message: str) -> rt.Node:
        """A place Segment always throws at when reached."""
        self.findings.append(Finding(where, message, "throw"))
        return rt.RaiseNode(where, self.depth, message)

    def error(self, where: str, message: str, code: str) -> rt.Node:
        """A compile-time problem (the mapping is rejected)."""
        self.problems.append(Diagnostic(code, message, path=where))
        return rt.ConstNode(where, self.depth, UNDEFINED)

    def option(self, opts: dict[str, Any], name: str, where: str) -> rt.Node:
        """``resolve(opts[name])``: an absent option resolves to undefined."""
        if name not in opts:
            return self.const(where, UNDEFINED)
        return self.compile(opts[name], f"{where}/{name}")

    # ---- directives (``where`` ends with the directive name)

    def if_(self, opts: Any, where: str) -> rt.Node:
        """``@if``: the condition (``exists``, or ``blank`` for the loose ``!= ''`` test) and
        its branches; a falsy ``else`` is ignored, as Segment tests it for truthiness. A
        malformed directive throws when reached, as Segment's does.
        """
        if not isinstance(opts, dict):
            return self.throw(where, '@if requires an object with an "exists" key')
        if not rt.truthy(opts.get("exists")) and not rt.truthy(opts.get("blank")):
            return self.throw(where, '@if requires an "exists" key or a "blank" key')
        blank = "exists" not in opts
        cond = self.option(opts, "blank" if blank else "exists", where)
        then = self.option(opts, "then", where) if "then" in opts else None
        # Segment tests `opts.else` for truthiness: a falsy else (0, "", false) is ignored
        otherwise = self.option(opts, "else", where) if rt.truthy(opts.get("else")) else None
        return rt.IfNode(where, self.depth, cond, blank, then, otherwise)

    def case(self, opts: Any, where: str) -> rt.Node:
        """``@case``: upper- or lower-case the value; a falsy ``value`` gives undefined, and an
        unknown operator is a finding that throws when reached.
        """
        if not isinstance(opts, dict):
            return self.throw(where, '@case requires an object with a "operator" key')
        operator = opts.get("operator")
        if not rt.truthy(operator):
            return self.throw(where, '@case requires a "operator" key')
        if not rt.truthy(opts.get("value")):
            return self.const(where, UNDEFINED)
        upper = {"upper": True, "lower": False}.get(operator) if isinstance(operator, str) else None
        if upper is None:
            self.findings.append(
                Finding(where, 'operator key should have a value of "lower" or "upper"', "throw")
            )
        return rt.CaseNode(where, self.depth, self.option(opts, "value", where), upper)

    def replace(self, opts: Any, where: str) -> rt.Node:
        """``@replace``: up to two pattern/replacement steps, with Segment's defaults (empty
        replacement, global, case-sensitive); options of the wrong type give a node that
        returns the value unchanged, as Segment's ``performReplace`` does.
        """
        if not isinstance(opts, dict):
            return self.throw(where, '@replace requires an object with a "pattern" key')
        pattern = opts.get("pattern")
        if not rt.truthy(pattern):
            return self.throw(where, '@replace requires a "pattern" key')
        replacement = opts.get("replacement")
        if replacement is None:
            replacement = ""
        pattern2 = opts.get("pattern2")
        replacement2 = opts.get("replacement2", UNDEFINED)
        if rt.truthy(pattern2) and replacement2 in (None, UNDEFINED):
            replacement2 = ""
        ignorecase = opts.get("ignorecase")
        ignorecase = False if ignorecase is None else ignorecase
        global_ = opts.get("global")
        global_ = True if global_ is None else global_
        if not rt.truthy(opts.get("value")):
            return self.const(where, UNDEFINED)
        value = self.option(opts, "value", where)
        if not (
            isinstance(pattern, str)
            and isinstance(replacement, str)
            and isinstance(ignorecase, bool)
            and isinstance(global_, bool)
        ):
            return rt.ReplaceNode(where, self.depth, value, None)
        steps = [self.replacer(pattern, replacement, global_, ignorecase, where)]
        if rt.truthy(pattern2) and isinstance(pattern2, str) and isinstance(replacement2, str):
            steps.append(self.replacer(pattern2, replacement2, global_, ignorecase, where))
        return rt.ReplaceNode(where, self.depth, value, tuple(steps))

    def replacer(
        self, pattern: str, replacement: str, global_: bool, ignorecase: bool, where: str
    ) -> rt.Replacer:
        """Segment's ``performReplace``, prepared: the length checks (which Segment makes
        only when it gets there, so they throw at run time), the literal pattern and
        the JS replacement tokens."""
        error = None
        if utf16_len(pattern) > MAX_PATTERN_LENGTH:
            error = f'@replace requires a "pattern" less than {MAX_PATTERN_LENGTH} characters'
        elif utf16_len(replacement) > MAX_REPLACEMENT_LENGTH:
            error = (
                f'@replace requires a "replacement" less than {MAX_REPLACEMENT_LENGTH} characters'
            )
        if error:
            self.findings.append(Finding(where, error, "throw"))
        regex = js_ignorecase_regex(pattern) if ignorecase else None
        tokens = replacement_parts(replacement)
        parts: tuple[str | int, ...] | None = tokens
        texts = [part for part in tokens if isinstance(part, str)]
        if len(texts) == len(tokens):  # no token: plain text
            replacement, parts = "".join(texts), None
        return rt.Replacer(pattern, regex, replacement, parts, global_, error)

    def array_path(self, data: Any, where: str) -> rt.Node:
        """``@arrayPath``: ``[path, shape]``; a string path is split now, any other root is
        compiled as a directive, and the shape (when a non-empty object) is compiled once
        for every element.
        """
        if not isinstance(data, list):
            return self.throw(where, f"@arrayPath expected array, got {rt.type_name(data)}")
        path = data[0] if data else UNDEFINED
        shape = data[1] if len(data) > 1 else UNDEFINED
        keys = root = None
        if isinstance(path, str):
            keys = rt.split_path(rt.strip_root(path))
        else:
            root = (
                self.const(where, UNDEFINED)
                if path is UNDEFINED
                else self.compile(path, f"{where}/0")
            )
        shape_node = None
        if isinstance(shape, dict) and shape:
            shape_node = self.compile(shape, f"{where}/1")
        return rt.ArrayPathNode(where, self.depth, keys, root, shape_node)

    def _string_source(self, value: Any, where: str, directive: str) -> rt.Node | None:
        """For ``@path``/``@template``: ``None`` for a static string, else the node of a
        directive that yields the string at run time (or a throw for anything else)."""
        if isinstance(value, str):
            return None
        if is_directive(value):
            return self.compile(value, where)
        return self.throw(where, f"{directive}: expected string, got {rt.type_name(value)}")

    def path(self, value: Any, where: str) -> rt.Node:
        """``@path``: a static path split now, a directive that yields the path at run time, or
        (with extensions) a full JSONPath.
        """
        source = self._string_source(value, where, "@path")
        if source is not None:
            if isinstance(source, rt.RaiseNode):
                return source
            return rt.DynamicPathNode(where, self.depth, source, "@path")
        if self.extensions and is_jsonpath(value):
            return self.jsonpath(value, where)
        return rt.PathNode(where, self.depth, rt.split_path(rt.strip_root(value)))

    def jsonpath(self, expression: str, where: str) -> rt.Node:
        """Extension: a full JSONPath (jsonpath-ng's extended parser: filters, ``..``,
        ``[*]``, slices); the value is the list of every match."""
        try:
            from jsonpath_ng.ext import parse
        except ImportError:
            return self.error(
                where,
                "full JSONPath needs jsonpath-ng (pip install fql-engine[jsonpath])",
                UNAVAILABLE,
            )
        try:
            compiled = parse(expression)
        except Exception as exc:  # jsonpath-ng raises several unrelated types
            return self.error(where, f"invalid JSONPath {expression!r}: {exc}", VALIDATION)
        self.findings.append(Finding(where, expression, "jsonpath"))

        def find(payload: Any) -> list[Any]:
            return [match.value for match in compiled.find(payload)]

        return rt.JsonPathNode(where, self.depth, find)

    def template(self, value: Any, where: str) -> rt.Node:
        """``@template``: a static template cut into text pieces and placeholder paths now
        (with the second pass only when ``{{{`` appears), or a directive that yields the
        template at run time; too long a template is a compile error
        (``max_template_length``).
        """
        source = self._string_source(value, where, "@template")
        if source is not None:
            if isinstance(source, rt.RaiseNode):
                return source
            return rt.DynamicTemplateNode(where, self.depth, source,
                                          self.limits.max_template_output)
        if len(value) > self.limits.max_template_length:
            return self.error(
                where,
                f"template longer than {self.limits.max_template_length} characters"
                " (max_template_length)",
                LIMIT,
            )
        rescan = rt.TRIPLE.search(value) is not None
        placeholder = rt.TRIPLE if rescan else rt.DOUBLE
        pieces = []
        last = 0
        for match in placeholder.finditer(value):
            keys = rt.split_path(js_trim(match.group(1)))
            pieces.append((value[last : match.start()], keys))
            last = match.end()
        return rt.TemplateNode(where, self.depth, tuple(pieces), value[last:], rescan,
                               self.limits.max_template_output)

    def literal(self, value: Any, where: str) -> rt.Node:
        """``@literal``: its value compiled like any other, since Segment resolves directives
        inside it too.
        """
        # "@literal is not literal": Segment resolves directives inside it.
        return self.compile(value, where)

    def flatten(self, opts: Any, where: str) -> rt.Node:
        """``@flatten``: flatten the value's nested objects (and arrays unless ``omitArrays``)
        into keys joined by ``separator``, which may itself be a directive.
        """
        if not isinstance(opts, dict):
            return self.throw(where, '@flatten requires an object with a "separator" key')
        if not rt.truthy(opts.get("separator")):
            return self.throw(where, '@flatten requires a "separator" key')
        separator = self.option(opts, "separator", where)
        value = self.option(opts, "value", where)
        return rt.FlattenNode(
            where, self.depth, value, separator, rt.truthy(opts.get("omitArrays"))
        )

    def json_(self, opts: Any, where: str) -> rt.Node:
        """``@json``: encode or decode ``value``; an unknown ``mode`` gives a node that yields
        undefined, as Segment's does.
        """
        if not isinstance(opts, dict):
            return self.throw(where, '@json requires an object with a "value" key')
        if not rt.truthy(opts.get("mode")):
            return self.throw(where, '@json requires a "mode" key')
        if not rt.truthy(opts.get("value")):
            return self.throw(where, '@json requires a "value" key')
        mode = opts["mode"] if opts["mode"] in ("encode", "decode") else None
        return rt.JsonNode(where, self.depth, self.option(opts, "value", where), mode)

    def merge(self, opts: Any, where: str) -> rt.Node:
        """``@merge``: ``Object.assign`` over ``objects``, in the order ``direction`` gives at
        run time.
        """
        if not isinstance(opts, dict):
            return self.throw(
                where, '@merge requires an object with an "objects" key and a "direction" key'
            )
        if not rt.truthy(opts.get("direction")):
            return self.throw(where, '@merge requires a "direction" key')
        objects = opts.get("objects")
        if not rt.truthy(objects):
            return self.throw(where, '@merge requires a "objects" key')
        if not isinstance(objects, list):
            kind = "object" if isinstance(objects, dict) else rt.type_name(objects)
            return self.throw(where, f"@merge: expected opts.array, got {kind}")
        nodes = tuple(self.compile(o, f"{where}/objects/{i}") for i, o in enumerate(objects))
        return rt.MergeNode(where, self.depth, nodes, self.option(opts, "direction", where))

    def transform(self, opts: Any, where: str) -> rt.Node:
        """``@transform``: the ``apply`` mapping is rooted and validated now (Segment redoes
        both on every event, with the same outcome) and applied to the result of
        ``mapping``.
        """
        if not isinstance(opts, dict):
            return self.throw(
                where, '@transform requires an object with an "apply" key and a "mapping" key'
            )
        if not rt.truthy(opts.get("mapping")):
            return self.throw(where, '@transform requires a "mapping" key')
        apply = opts.get("apply")
        if not rt.truthy(apply):
            return self.throw(where, '@transform requires a "apply" key')
        if not isinstance(apply, dict):
            return self.throw(where, '@transform "apply" key should be an object')
        # Segment runs the whole `transform` (root handling, validation) on `apply`
        # each time; both depend only on the mapping, so they are settled here.
        try:
            apply = root_mapping(apply)
        except ValueError as exc:
            return self.throw(f"{where}/apply", str(exc))
        problems = validate(
            apply, [*where.lstrip("/").split("/"), "apply"], extensions=self.extensions
        )
        if problems:
            return self.throw(
                f"{where}/apply", "\n".join(f"{p.path} {p.message}" for p in problems)
            )
        apply_node = self.compile(apply, f"{where}/apply")
        return rt.TransformNode(where, self.depth, apply_node, self.option(opts, "mapping", where))

    def exclude_when_null(self, value: Any, where: str) -> rt.Node:
        """``@excludeWhenNull``: the value with null turned into undefined and the null
        members of its objects removed, so a mapping can omit fields the event leaves null.
        """
        return rt.ExcludeNullNode(where, self.depth, self.compile(value, where))

    def liquid(self, template: Any, where: str) -> rt.Node:
        """``@liquid``: a template compiled once for the Liquid runtime; a non-string or too
        long template throws when reached, and a missing ``python-liquid`` is a compile
        error.
        """
        if not isinstance(template, str):
            return self.throw(where, "liquid template value must be a string")
        if template == "":
            return self.const(where, "")
        limit = self.limits.max_liquid_length
        if utf16_len(template) > limit:
            return self.throw(where, f"liquid template values are limited to {limit} characters")
        from .liquid import LiquidUnavailable, compile_liquid

        try:
            render = compile_liquid(template, where, self.limits)
        except LiquidUnavailable as exc:
            return self.error(where, str(exc), UNAVAILABLE)
        except MappingRuntimeError as exc:
            # liquidjs parses when it renders: a template that does not parse (or uses
            # a disabled tag) throws each time it is reached, not before.
            return self.throw(where, exc.problems[0].message)
        return rt.LiquidNode(where, self.depth, render)

    def coalesce(self, candidates: Any, where: str) -> rt.Node:
        """Extension ``@coalesce: [a, b, ...]``: the first value that is neither null nor
        undefined (validated as a non-empty array)."""
        self.findings.append(Finding(where, "@coalesce", "coalesce"))
        nodes = tuple(self.compile(c, f"{where}/{i}") for i, c in enumerate(candidates))
        return rt.CoalesceNode(where, self.depth, nodes)


# --------------------------------------------------------------------------- helpers

_JSONPATH_ONLY = re.compile(r"\.\.|\*|\[\s*\?|\[[^\]]*[:,][^\]]*\]|\(")


def is_jsonpath(path: str) -> bool:
    """With extensions on, a ``@path`` starting with ``$`` that uses syntax Segment's
    lookup does not have (``..``, ``*``, filters ``[?...]``, slices, unions) is JSONPath."""
    return path.startswith("$") and _JSONPATH_ONLY.search(path) is not None


def replacement_parts(replacement: str) -> tuple[str | int, ...]:
    """Split a JS replacement string into text and the tokens ``$&`` (``MATCH``), ``$```
    (``BEFORE``) and ``$'`` (``AFTER``); ``$$`` is a ``$``. With no capture groups,
    ``$1``, ``$0`` and ``$<n>`` stay literal text."""
    parts: list[str | int] = []
    text: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        nxt = replacement[i + 1] if i + 1 < len(replacement) else ""
        if ch == "$" and nxt in ("$", "&", "`", "'"):
            if nxt == "$":
                text.append("$")
            else:
                if text:
                    parts.append("".join(text))
                    text = []
                parts.append({"&": rt.MATCH, "`": rt.BEFORE, "'": rt.AFTER}[nxt])
            i += 2
            continue
        text.append(ch)
        i += 1
    if text:
        parts.append("".join(text))
    return tuple(parts)


@lru_cache(maxsize=1)
def _js_case_classes() -> dict[str, str]:
    """For each BMP character, the set of characters the JS ``i`` flag (non-Unicode mode)
    treats as equal to it: same ``Canonicalize`` value (``toUpperCase`` when that is a
    single character and does not map non-ASCII onto ASCII)."""
    groups: dict[str, list[str]] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        groups.setdefault(_canonicalize(ch), []).append(ch)
    return {ch: "".join(group) for group in groups.values() for ch in group if len(group) > 1}


def _canonicalize(ch: str) -> str:
    upper = ch.upper()
    if len(upper) != 1 or (ord(ch) >= 128 and ord(upper) < 128):
        return ch
    return upper


def js_ignorecase_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching ``pattern`` literally under JS's case-insensitive rules (Python's
    ``re.IGNORECASE`` folds differently, e.g. ``ſ`` matches ``s`` there, not in JS)."""
    classes = _js_case_classes()
    parts = []
    for ch in pattern:
        group = classes.get(ch)
        parts.append(f"[{re.escape(group)}]" if group else re.escape(ch))
    return re.compile("".join(parts))


def compile_plan(
    mapping: Any, limits: MappingLimits, extensions: bool
) -> tuple[rt.Node, list[Finding]]:
    """Root handling, validation, compilation; raises MappingError with every problem."""
    from .errors import MappingError
    from .validate import check_shape

    problems = check_shape(mapping, limits)
    if problems:
        raise MappingError(problems)
    try:
        to_process = root_mapping(mapping)
    except ValueError as exc:
        raise MappingError([Diagnostic(ROOT_DIRECTIVE, str(exc), path=pointer([]))]) from None
    problems = validate(to_process, extensions=extensions)
    if problems:
        raise MappingError(problems)
    compiler = Compiler(limits, extensions)
    root = compiler.compile(to_process, "/")
    if compiler.problems:
        raise MappingError(compiler.problems)
    return root, compiler.findings
