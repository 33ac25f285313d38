"""Static checks: ``fql.check(text) -> list[Diagnostic]``.

Collects what a user wants to know before deploying a rule: the syntax error (if any,
with its span), type errors the compiler would raise, and warnings for rules that parse
but cannot mean what they look like. Codes are stable (docs/lint-rules.md):

FQL1xx syntax · FQL2xx types · FQL3xx warnings · FQL4xx limits · FQL5xx IR.
Each warning rule below is a function whose docstring is its documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from . import ast
from .compiler import to_plan
from .diagnostics import Diagnostic
from .errors import FqlError, FqlSyntaxError
from .functions import FUNCTIONS
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse_recovering

_LITERAL_TYPE = {ast.String: "string", ast.Number: "number", ast.Bool: "bool",
                 ast.Null: "null", ast.ListLit: "list"}
_TYPE_NAMES = frozenset({"string", "number", "bool", "null", "list", "object"})

Rule = Callable[[ast.Node], Iterator[Diagnostic]]


def check(text: str, *, limits: Limits = DEFAULT_LIMITS) -> list[Diagnostic]:
    """Every problem found in ``text``, in source order: every unknown function and
    wrong argument count, every syntax error (after the first, the parser starts again
    at each top-level ``and``/``or`` operand), type errors the compiler would raise,
    and warnings from each rule in :data:`RULES` for every part that parses."""
    found, stopped = _check_part(text, limits)
    if stopped and isinstance(text, str):  # FQL100 for a non-string: nothing to re-read
        seen = {(d.code, d.line, d.column) for d in found}
        for start, end in _operands(text):
            for d in _check_part(_masked(text, start, end), limits)[0]:
                if (d.code, d.line, d.column) not in seen:
                    seen.add((d.code, d.line, d.column))
                    found.append(d)
    return sorted(found, key=lambda d: (d.line, d.column, d.code))


def _check_part(text: str, limits: Limits) -> tuple[list[Diagnostic], bool]:
    """The findings of ``text``, and whether a syntax error stopped its parse."""
    try:
        tree, recovered = parse_recovering(text, limits=limits)
    except FqlSyntaxError as exc:
        return [exc.diagnostic()], True
    except FqlError as exc:  # a limit: nothing more to say about a rule Segment rejects
        return [exc.diagnostic()], False
    found = [error.diagnostic() for error in recovered]
    if not recovered:
        try:
            to_plan(tree, text)
        except FqlError as exc:
            return [*found, exc.diagnostic()], False
    found.extend(d for node in ast.walk(tree) if not _bad_call(node)
                 for rule in RULES for d in rule(node))
    return found, False


def _bad_call(node: ast.Node) -> bool:
    """A call the parser let through for the checker's sake (unknown, wrong arity)."""
    if not isinstance(node, ast.Call):
        return False
    fn = FUNCTIONS.get(node.name)
    return fn is None or fn.arity != len(node.args)


_WORD_OPERATOR = re.compile(r"(?<![\\\w.\-])(and|or)(?![\w\-])")


def _operands(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of the top-level ``and``/``or`` operands of ``text``
    (outside strings, parentheses and brackets); none when the brackets do not balance,
    since then no boundary can be trusted."""
    bounds, depth, quote, i, start = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "\\":
            i += 1
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0:
            m = _WORD_OPERATOR.match(text, i)
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_-.\\")):
                bounds.append((start, i))
                start = m.end()
                i = start
                continue
        i += 1
    if depth != 0 or quote:
        return []
    bounds.append((start, len(text)))
    return [(a, b) for a, b in bounds if text[a:b].strip()] if len(bounds) > 1 else []


def _masked(text: str, start: int, end: int) -> str:
    """``text`` with everything outside ``[start, end)`` blanked (newlines kept), so the
    part's diagnostics carry the positions of the whole text."""
    def blank(part: str) -> str:
        return "".join(ch if ch == "\n" else " " for ch in part)

    return blank(text[:start]) + text[start:end] + blank(text[end:])


def _literal_type(node: ast.Node) -> str | None:
    return _LITERAL_TYPE.get(type(node))


ORDERING = ("<", "<=", ">", ">=")


def _constant(node: ast.Node) -> str:
    """``true`` or ``false``: the value of a comparison of two literals."""
    from .evaluator import build_program

    return "true" if build_program(to_plan(node)).evaluate({}) is True else "false"


def _both_literals(node: ast.Compare) -> bool:
    """Both sides literals: FQL304 says the answer is constant; the other rules would
    only repeat it in other words."""
    return bool(_literal_type(node.left) and _literal_type(node.right))


def _value_type(node: ast.Node) -> str | None:
    """The type an operand always has, when it is known statically."""
    if isinstance(node, ast.Call):
        fn = FUNCTIONS.get(node.name)
        return None if fn is None or fn.nullable else fn.returns
    if isinstance(node, (ast.Compare, ast.In, ast.Not, ast.And, ast.Or)):
        return "bool"
    return _literal_type(node)


def ordering_non_orderable(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL301: ``<``, ``<=``, ``>``, ``>=`` against a literal that is not a number or a
    string (``x > true``, ``x < null``). Ordering is defined only between two numbers or
    two strings, so the comparison is always false."""
    if isinstance(node, ast.Compare) and node.op in ORDERING and not _both_literals(node):
        for side in (node.left, node.right):
            kind = _literal_type(side)
            if kind in ("bool", "null", "list"):
                yield Diagnostic.at(side.span, "FQL301",
                                    f"'{node.op}' against a {kind} is always false", "warning")


def ordering_string(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL302: ``<``..``>=`` against a string literal compares strings by code point
    (right for ISO-8601 timestamps, AM-05), and a numeric field never matches: ``'10' <
    '9'`` is true and ``properties.total > '100'`` is false for the number 150."""
    if isinstance(node, ast.Compare) and node.op in ORDERING and not _both_literals(node):
        for side in (node.left, node.right):
            if isinstance(side, ast.String):
                hint = (f"write {side.value} without quotes to compare numbers"
                        if _is_numeric(side.value) else None)
                yield Diagnostic.at(side.span, "FQL302",
                                    f"'{node.op}' against a string compares text, not numbers",
                                    "warning", hint=hint)


def _is_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def string_boolean(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL303: ``= 'true'`` / ``= 'false'`` (or a numeric string such as ``= '5'``)
    compares with a *string*. ``=`` never converts types (EC-03), so a boolean or number
    field never equals it."""
    if isinstance(node, ast.Compare) and node.op in ("=", "!="):
        for side in (node.left, node.right):
            if isinstance(side, ast.String) and side.value in ("true", "false"):
                yield Diagnostic.at(side.span, "FQL303",
                                    f"compares with the string {side.value!r}, not a boolean",
                                    "warning", hint=f"write {side.value} without quotes")
            elif isinstance(side, ast.String) and _is_numeric(side.value) and \
                    side.value.strip() == side.value and side.value:
                yield Diagnostic.at(side.span, "FQL303",
                                    f"compares with the string {side.value!r}, not a number",
                                    "warning", hint=f"write {side.value} without quotes if the "
                                    "field holds a number")


def constant_condition(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL304: a comparison whose answer is known without any event: both sides are
    literals, or the two sides always have different types (``typeof(x) = 5``,
    ``contains(a, 'b') = 'yes'``), or ``in`` with a right side that is not a list."""
    if isinstance(node, ast.Compare) and node.op in ORDERING:
        left, right = _value_type(node.left), _value_type(node.right)
        if left and right and (left != right or left not in ("number", "string")):
            yield Diagnostic.at(node.span, "FQL304", f"'{node.op}' between a {left} and a "
                                f"{right}: always false", "warning")
        elif _both_literals(node):
            yield Diagnostic.at(node.span, "FQL304", "both sides are literals: always "
                                f"{_constant(node)}", "warning")
    if isinstance(node, ast.Compare) and node.op in ("=", "!="):
        left, right = _value_type(node.left), _value_type(node.right)
        if _both_literals(node):
            yield Diagnostic.at(node.span, "FQL304", "both sides are literals: always "
                                f"{_constant(node)}", "warning")
        elif left and right and left != right and "null" not in (left, right):
            answer = "false" if node.op == "=" else "true"
            yield Diagnostic.at(node.span, "FQL304", f"a {left} is compared with a {right}: "
                                f"always {answer}", "warning")
    if isinstance(node, ast.In):
        kind = _literal_type(node.right)
        if kind is not None and kind != "list":
            yield Diagnostic.at(node.right.span, "FQL304",
                                f"'in' needs a list on the right, not a {kind}: always false",
                                "warning")


#: The Spec's top-level fields: a bare word compared with a field is one of these when
#: it is meant as a field, and most likely a string that lost its quotes otherwise.
SPEC_FIELDS = frozenset({
    "anonymousId", "category", "channel", "context", "event", "groupId", "integrations",
    "messageId", "name", "originalTimestamp", "previousId", "properties", "receivedAt",
    "sentAt", "timestamp", "traits", "type", "userId", "version", "writeKey",
})


def unquoted_string(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL310: a field compared with a bare word that is not a field of the Spec
    (properties.plan = pro). FQL reads the word as a field path, so the rule compares
    two fields, and a missing field is null: the comparison is true for every event
    that has neither field. The word was most likely meant as a string in quotes."""
    if isinstance(node, ast.Compare) and node.op in ("=", "!=", *ORDERING):
        for side, other in ((node.right, node.left), (node.left, node.right)):
            if isinstance(side, ast.Path) and len(side.segments) == 1 and \
                    side.segments[0] not in SPEC_FIELDS and isinstance(other, ast.Path):
                word = side.segments[0]
                yield Diagnostic.at(side.span, "FQL310", f"{word!r} is read as a field, "
                                    "not a string", "warning",
                                    hint=f'write "{word}" in quotes to compare with the text')
                return


def typeof_names(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL305: ``typeof(x)`` compared with a name it never returns (``'boolean'``,
    ``'array'``, ``'undefined'``...). FQL's names are string number bool null list object."""
    if isinstance(node, ast.Compare):
        pairs = ((node.left, node.right), (node.right, node.left))
        for call, other in pairs:
            if isinstance(call, ast.Call) and call.name == "typeof" and \
                    isinstance(other, ast.String) and other.value not in _TYPE_NAMES:
                suggestion = {"boolean": "bool", "array": "list", "undefined": "null",
                              "integer": "number", "float": "number", "str": "string"}
                better = suggestion.get(other.value)
                yield Diagnostic.at(other.span, "FQL305",
                                    f"typeof() never returns {other.value!r}", "warning",
                                    hint=f"write {better!r}" if better else
                                    "typeof returns string, number, bool, null, list or object")


def match_arguments(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL306: ``match(s, pattern)``: a literal *first* argument with glob characters and
    a path second (``match('Button *', event)``, as one docs example writes it, AM-08)
    has the arguments swapped; a pattern with no glob character is plain equality."""
    if isinstance(node, ast.Call) and node.name == "match" and len(node.args) == 2:
        subject, pattern = node.args
        if isinstance(subject, ast.String) and not isinstance(pattern, ast.String) and \
                any(c in subject.value for c in "*?["):
            yield Diagnostic.at(node.span, "FQL306",
                                "match() arguments look swapped: the pattern comes second",
                                "warning", hint="write match(field, 'pattern')")
        elif isinstance(pattern, ast.String) and not any(c in pattern.value for c in "*?[\\"):
            yield Diagnostic.at(pattern.span, "FQL306",
                                "pattern has no glob characters: this is an exact comparison",
                                "info", hint="use = for equality or contains() for substrings")


def bare_path_condition(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL307: a bare field used as a condition (``properties.enabled or ...``) is true
    only when the field holds the boolean ``true``: a string ``"true"``, ``1`` or a
    non-empty value are all false (AM-12)."""
    operands: tuple[ast.Node, ...] = ()
    if isinstance(node, (ast.And, ast.Or)):
        operands = node.operands
    elif isinstance(node, ast.Not):
        operands = (node.operand,)
    for op in operands:
        if isinstance(op, ast.Path):
            yield Diagnostic.at(op.span, "FQL307", f"'{'.'.join(op.segments)}' is true only "
                                "when it holds the boolean true", "info",
                                hint="compare explicitly, e.g. = true or != null")


def snake_case_timestamp(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL308: ``received_at`` (used in one of Segment's examples) is not a field of the
    Spec, which names it ``receivedAt`` (AM-05); FQL paths are case- and spelling-exact."""
    if isinstance(node, ast.Path) and node.segments[0] in ("received_at", "sent_at",
                                                           "original_timestamp"):
        spec = {"received_at": "receivedAt", "sent_at": "sentAt",
                "original_timestamp": "originalTimestamp"}[node.segments[0]]
        yield Diagnostic.at(node.span, "FQL308", f"the Spec names this field {spec!r}",
                            "info", hint=f"write {spec} unless your events really carry "
                            f"{node.segments[0]}")


def non_portable_function(node: ast.Node) -> Iterator[Diagnostic]:
    """FQL309: ``semver()`` exists only in Segment's device-mode engine; a server-side
    destination filter using it would be rejected there."""
    if isinstance(node, ast.Call) and node.name == "semver":
        yield Diagnostic.at(node.span, "FQL309", "semver() is not part of the FQL reference",
                            "warning")


RULES: tuple[Rule, ...] = (
    ordering_non_orderable,
    ordering_string,
    string_boolean,
    constant_condition,
    typeof_names,
    match_arguments,
    unquoted_string,
    bare_path_condition,
    snake_case_timestamp,
    non_portable_function,
)
