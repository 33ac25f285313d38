"""Read a rule file, recognise what it holds, and lint it into located findings.

Kinds, recognised by extension and then by content:

- ``.fql``: one FQL expression; ``#`` outside a string starts a comment that runs to
  the end of the line (blanked out before parsing, so columns stay right).
  ``# fql: ignore[CODE,..]`` suppresses those warnings on its own line and the next;
  ``# fql: ignore`` alone on the first line suppresses the whole file's warnings.
  Errors (the rule would be rejected) are never suppressed.
- ``.trigger``: one Destination Actions trigger (FQL as Segment's condition builder
  writes it).
- JSON or YAML: destination filters (a list of ``{"if", "actions"}`` objects or the
  Public API's ``{"filters": [...]}``), Protocols transformations
  (``{"transformations": [...]}``), device-mode rules (objects with ``matchers`` and
  ``transformers``), a workspace routing configuration (``{"destinations": [...]}``),
  an action (``{"trigger": ..., "mapping": {...}}``), a mapping (an
  object using ``@`` directives), or an ``fql test`` file (``{"tests": [...]}``: the
  rules written inline in its cases).

Findings in JSON and YAML files are located by their JSON-pointer path
(``/filters/1/if``): a small position-recording scan of JSON text, the YAML composer's
marks; conditions inside a string are placed at their column within that string
(:func:`string_offset` counts escapes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from ..check import check as fql_check
from ..datafile import compose_yaml, load_json, load_yaml
from ..diagnostics import Diagnostic
from ..errors import FqlError
from ..records import record, replace


@record
class Finding:
    """A diagnostic in a file, with the file's text for the caret renderer."""

    path: str
    diagnostic: Diagnostic
    source: str | None


NOT_A_RULE_FILE = "LNT002"
_IGNORE = re.compile(r"#\s*fql:\s*ignore(?:\[([A-Za-z0-9, ]*)\])?", re.IGNORECASE)


def lint_path(path: Path, *, extensions: bool = False) -> list[Finding]:
    """Every finding in one file, sorted by position. ``extensions``: mappings may use
    the engine's extensions (full JSONPath, ``@coalesce``), reported as not portable to
    Segment (MAP201, MAP202) rather than as invalid."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(name, Diagnostic("LNT001", f"cannot read the file: {exc}"), None)]
    suffix = path.suffix.lower()
    if suffix == ".fql":
        diags = _lint_fql_file(text)
    elif suffix == ".trigger":
        from actions import check_trigger

        diags = check_trigger(text.strip("\n"))
    else:
        diags = _lint_data_file(text, suffix, extensions)
    return [Finding(name, d, text) for d in sorted(diags, key=lambda d: (d.line, d.column))]


@record
class Comment:
    """A ``#`` comment of an ``.fql`` file: where it starts (1-based) and its text."""

    line: int
    column: int
    text: str
    own_line: bool  # nothing but blanks before it on its line


def split_comments(text: str) -> tuple[str, list[Comment]]:
    """``text`` with every comment blanked out (same length, newlines kept, so columns
    stay right), and the comments. A comment runs from ``#`` to the end of its line,
    outside string literals; ``\\#`` in a path is an escaped character, not a comment."""
    out = list(text)
    comments: list[Comment] = []
    quote, i, line, line_start = "", 0, 1, 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "\\":
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            comments.append(Comment(line, i - line_start + 1, text[i:end].rstrip("\r"),
                                    not text[line_start:i].strip()))
            out[i:end] = " " * (end - i)
            i = end
            continue
        i += 1
    return "".join(out), comments


#: Raised by a parse or a compile: the rule would be rejected. A suppression never
#: hides one of these (a syntax error is not a matter of taste).
NEVER_SUPPRESSED = "error"
UNKNOWN_SUPPRESSION = "LNT003"


def _lint_fql_file(text: str) -> list[Diagnostic]:
    code, comments = split_comments(text)
    return _suppress(comments, fql_check(code))


def _suppress(comments: list[Comment], diags: list[Diagnostic]) -> list[Diagnostic]:
    """Apply ``# fql: ignore[CODE,...]`` comments (codes in any case): each silences
    those codes on its own line and the next; a bare ``# fql: ignore`` alone on the
    first line silences the file. Errors are never silenced, and a code that does not
    exist is reported (LNT003) rather than silently matching nothing."""
    from .codes import code_docs

    known = code_docs()
    whole_file = False
    ignored: dict[int, set[str] | None] = {}
    found: list[Diagnostic] = []
    for comment in comments:
        m = _IGNORE.match(comment.text)
        if not m:
            continue
        if m.group(1) is None:
            whole_file = whole_file or (comment.line == 1 and comment.own_line)
            codes = None
        else:
            codes = {c.strip().upper() for c in m.group(1).split(",") if c.strip()}
            for unknown in sorted(c for c in codes if c not in known):
                found.append(Diagnostic(
                    UNKNOWN_SUPPRESSION, f"{unknown!r} in '# fql: ignore' is not a code",
                    "warning", comment.line, comment.column, comment.line,
                    comment.column + len(comment.text),
                    hint="fql lint --explain CODE names every code"))
        for target in (comment.line, comment.line + 1):
            ignored[target] = codes
    for d in diags:
        silenced = ignored.get(d.line, set())  # no comment for this line: nothing silenced
        if d.severity != NEVER_SUPPRESSED and (
                whole_file or silenced is None or d.code in silenced):
            continue
        found.append(d)
    return found


def _lint_data_file(text: str, suffix: str, extensions: bool) -> list[Diagnostic]:
    try:
        if suffix in (".yaml", ".yml"):
            data = load_yaml(text)
            positions = locate_yaml(text)
        else:
            data = load_json(text)
            positions = locate(text)
    except Exception as exc:
        return [_unparsable(exc)]
    linter = _linter_for(data, extensions)
    if linter is None:
        return [Diagnostic(NOT_A_RULE_FILE, "not a recognised rule file (FQL, trigger, mapping, "
                           "destination filters, transformations or device-mode rules)",
                           "warning")]
    placer = _Placer(text, positions)
    return [placer.place(d) for d in linter(data)]


def _unparsable(exc: Exception) -> Diagnostic:
    """LNT001 at the place where the JSON or YAML parser stopped, when it says where, so
    an editor or a code-scanning annotation points at the typo rather than line 1."""
    if isinstance(exc, json.JSONDecodeError):
        line, column, message = exc.lineno, exc.colno, exc.msg
    else:
        mark = getattr(exc, "problem_mark", None)  # yaml.MarkedYAMLError
        if mark is None:
            return Diagnostic("LNT001", f"cannot parse the file: {getattr(exc, 'message', exc)}")
        line, column = mark.line + 1, mark.column + 1
        # ``exc`` is a yaml.MarkedYAMLError here (it has a mark), which has ``problem``
        message = ", ".join(filter(None, (getattr(exc, "context", None), exc.problem)))  # type: ignore[attr-defined]
    return Diagnostic("LNT001", f"cannot parse the file: {message}", line=line,
                      column=column, end_line=line, end_column=column + 1)


def _linter_for(data: Any, extensions: bool) -> Callable[[Any], list[Diagnostic]] | None:
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        return partial(_lint_tests, extensions=extensions)
    if isinstance(data, dict) and "destinations" in data:
        return check_config
    if isinstance(data, dict) and "filters" in data:
        return lambda d: _lint_filters(d["filters"], "/filters")
    if isinstance(data, list) and data and all(isinstance(x, dict) and "if" in x for x in data):
        return lambda d: _lint_filters(d, "")
    if isinstance(data, dict) and "transformations" in data:
        return _lint_transformations
    if isinstance(data, list) and data and all(isinstance(x, dict) and "matchers" in x
                                              for x in data):
        return _lint_tsub
    if isinstance(data, dict) and "trigger" in data and "mapping" in data:
        return partial(_lint_action, extensions=extensions)
    if isinstance(data, dict) and _has_directive(data):
        return partial(_mapping_at, "", extensions=extensions)
    return None


def _has_directive(value: Any) -> bool:
    if isinstance(value, dict):
        return any(isinstance(k, str) and k.startswith("@") for k in value) or any(
            _has_directive(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_directive(v) for v in value)
    return False


def _in_string(pointer: str, diags: list[Diagnostic]) -> Iterator[Diagnostic]:
    """Diagnostics of a rule held in a JSON string: the JSON path says where the string
    is, ``extra['in_string']`` marks the line/column as relative to its text."""
    for d in diags:
        yield replace(d, path=pointer, extra={"in_string": True})


def _lint_filters(filters: Any, base: str) -> list[Diagnostic]:
    from ..filters import FilterList
    from ..filters.errors import RuleError

    found: list[Diagnostic] = []
    if not isinstance(filters, list):
        return [Diagnostic("FLT100", "filters must be a list", path=base or "/")]
    for index, item in enumerate(filters):
        condition = item.get("if") if isinstance(item, dict) else None
        found.extend(_condition_at(f"{base}/{index}/if", condition))
    try:
        FilterList.load(filters, strict=True)
    except RuleError as err:
        if err.code != "FLT102":  # invalid FQL is already reported above, located
            found.append(Diagnostic(err.code, err.message, path=base + (err.field or "")))
    return found


def never_matches(condition: str) -> bool:
    """A condition whose value is a constant other than true: the filter can never
    match (its drop or sample never happens)."""
    from ..expression import compile as fql_compile
    from ..plan import Const

    try:
        expr = fql_compile(condition)
    except FqlError:
        return False
    return isinstance(expr.plan, Const) and expr.plan.value is not True


def _condition_at(pointer: str, condition: Any) -> list[Diagnostic]:
    """The FQL checks of a condition held in a JSON string (a filter's or a
    transformation's ``if``), and FLT120 when it can never be true. ``all`` and
    non-strings are left to the loaders."""
    if not isinstance(condition, str) or condition.strip() == "all":
        return []
    diags = fql_check(condition)
    found = list(_in_string(pointer, diags))
    start = len(condition) - len(condition.lstrip())
    whole = (1, start + 1, 1, len(condition.rstrip()) + 1)
    said = any(d.code == "FQL304" and (d.line, d.column, d.end_line, d.end_column) == whole
               for d in diags)  # the whole condition is constant: FQL304 already says so
    if not said and not any(d.severity == "error" for d in diags) and \
            never_matches(condition):
        found.append(Diagnostic("FLT120", "this condition is always false: the rule never "
                                "acts", "warning", path=pointer))
    return found


def _lint_transformations(data: Any) -> list[Diagnostic]:
    """The loader's first shape error, and every FQL finding of each ``if`` and each
    ``fqlDefinedProperties`` expression, located in its string."""
    from ..filters.errors import RuleError
    from ..filters.transformations import Transformations

    found: list[Diagnostic] = []
    items = data.get("transformations")
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        pointer = f"/transformations/{index}"
        found.extend(_condition_at(f"{pointer}/if", item.get("if")))
        defined = item.get("fqlDefinedProperties")
        for k, prop in enumerate(defined if isinstance(defined, list) else []):
            expression = prop.get("fql") if isinstance(prop, dict) else None
            if isinstance(expression, str):
                found.extend(_in_string(f"{pointer}/fqlDefinedProperties/{k}/fql",
                                        fql_check(expression)))
    try:
        Transformations.load(data)
    except RuleError as err:
        if err.code != "FLT102":  # invalid FQL is already reported above, located
            found.append(Diagnostic(err.code, err.message,
                                    path="/transformations" + (err.field or "")))
    return found


def _lint_tsub(data: Any) -> list[Diagnostic]:
    """Device-mode rules: the loader's first error; once they load, the FQL checks of
    each ``fql`` matcher, read back from its IR (the message quotes the FQL, since the
    IR string has no FQL columns to point at)."""
    from ..expression import from_ir
    from ..filters.errors import RuleError
    from ..filters.tsub import RuleSet

    try:
        RuleSet.load(data)
    except RuleError as err:
        return [Diagnostic(err.code, err.message, path=err.field or "/")]
    found: list[Diagnostic] = []
    for i, rule in enumerate(data):
        for j, matcher in enumerate(rule["matchers"]):
            if matcher.get("type") != "fql" or not matcher.get("ir"):
                continue
            condition = from_ir(matcher["ir"]).format()
            found.extend(replace(d, message=f"{d.message} (in `{condition}`)", extra={})
                         for d in _condition_at(f"/{i}/matchers/{j}/ir", condition))
            found.extend(_device_mode_reading(f"/{i}/matchers/{j}/ir", matcher["ir"]))
    return found


def _device_mode_reading(pointer: str, ir: Any) -> list[Diagnostic]:
    """FLT130 when the browser's reading of a matcher differs from the documented one on
    some event (found by :func:`fql.tsub.reading_difference`), naming that event."""
    from ..filters.tsub import reading_difference

    difference = reading_difference(ir)
    if difference is None:
        return []
    event, documented, browser = difference
    return [Diagnostic(
        "FLT130",
        f"analytics.js reads this matcher differently: on {json.dumps(event)} the "
        f"documented FQL answers {_said(documented)}, the device-mode library "
        f"{_said(browser)}",
        "warning", path=pointer,
        hint='check with fql.tsub.matches(event, matcher, mode="tsub")')]


def _said(answer: Any) -> str:
    return answer if isinstance(answer, str) else json.dumps(answer)


def _trigger_at(pointer: str, trigger: Any) -> list[Diagnostic]:
    from actions import check_trigger

    if not isinstance(trigger, str):
        return [Diagnostic("TRG000", "the trigger must be a string", path=pointer)]
    return list(_in_string(pointer, check_trigger(trigger)))


def _mapping_at(pointer: str, mapping: Any, *, extensions: bool = False) -> list[Diagnostic]:
    from actions import check_mapping

    return [replace(d, path=pointer + (d.path or ""))
            for d in check_mapping(mapping, extensions=extensions)]


def _lint_action(data: Any, *, extensions: bool = False) -> list[Diagnostic]:
    return _trigger_at("/trigger", data.get("trigger")) + _mapping_at(
        "/mapping", data["mapping"], extensions=extensions)


def _lint_tests(data: Any, *, extensions: bool = False) -> list[Diagnostic]:
    """The rules written inline in an ``fql test`` file; rules given as a path to another
    file are linted with that file."""
    found: list[Diagnostic] = []
    for index, case in enumerate(data["tests"]):
        if not isinstance(case, dict):
            continue
        pointer = f"/tests/{index}"
        if isinstance(case.get("fql"), str):
            found.extend(_in_string(f"{pointer}/fql", fql_check(case["fql"])))
        if "trigger" in case:
            found.extend(_trigger_at(f"{pointer}/trigger", case["trigger"]))
        if isinstance(case.get("mapping"), dict):
            found.extend(_mapping_at(f"{pointer}/mapping", case["mapping"],
                                     extensions=extensions))
        if isinstance(case.get("filters"), list):
            found.extend(_lint_filters(case["filters"], f"{pointer}/filters"))
    return found


class _Placer:
    """Turn a diagnostic's JSON pointer into a line and column of the file."""

    def __init__(self, text: str, positions: dict[str, tuple[int, int]]) -> None:
        self.text = text
        self.positions = positions

    def place(self, d: Diagnostic) -> Diagnostic:
        pointer = d.path or ""
        found = self._range(pointer)
        if found is None:
            return d
        offset, end = found
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        if d.extra.get("in_string") and d.line == 1 and pointer in self.positions:
            last = d.end_column if d.end_line == 1 else d.column + 1
            first = string_offset(self.text, offset, d.column - 1)
            after = string_offset(self.text, offset, max(last, d.column + 1) - 1)
            start = column + first - offset
            return replace(d, line=line, column=start, end_line=line,
                           end_column=start + after - first)
        line_end = self.text.find("\n", offset)
        end = min(end, line_end if line_end != -1 else len(self.text))  # the caret's line
        return replace(d, line=line, column=column, end_line=line,
                       end_column=column + max(1, end - offset))

    def _range(self, pointer: str) -> tuple[int, int] | None:
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


#: Source width of an escape by its letter: ``\xHH`` (YAML), ``\uHHHH``, ``\UHHHHHHHH``
#: (YAML); every other escape is two characters.
_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}


def string_offset(text: str, start: int, chars: int) -> int:
    """The offset in ``text`` of character number ``chars`` (0-based) of the string
    literal at ``start``, so a finding inside a rule written as a JSON or YAML string
    lands on its column even after escapes: an escape (JSON, YAML double quotes), a
    surrogate pair of ``\\u`` escapes, or YAML's doubled single quote stands for one
    character. Plain YAML scalars have no quotes and no escapes."""
    quote = text[start] if text[start] in "\"'" else ""
    i = start + len(quote)
    for _ in range(chars):
        if quote == '"' and text[i] == "\\":
            width = _ESCAPE_WIDTH.get(text[i + 1], 2)
            if width == 6 and 0xD800 <= int(text[i + 2:i + 6], 16) < 0xDC00 \
                    and text.startswith("\\u", i + 6):
                width = 12  # a high and a low surrogate: one character once decoded
            i += width
        elif quote == "'" and text.startswith("''", i):
            i += 2
        else:
            i += 1
    return i


_WS = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, i: int) -> int:
    """The offset of the first character at or after ``i`` that is not JSON white space."""
    found = _WS.match(text, i)
    assert found is not None  # the pattern matches the empty string, so everywhere
    return found.end()
_DECODER = json.JSONDecoder()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def locate(text: str) -> dict[str, tuple[int, int]]:
    """JSON pointer (``/a/0/b``, ``""`` for the root, keys unescaped except ``~``/``/``
    as RFC 6901 says) → ``(start, end)`` offsets of that value. Assumes valid JSON."""
    positions: dict[str, tuple[int, int]] = {}

    def value(i: int, pointer: str) -> int:
        start = _skip_space(text, i)
        end = _value(start, pointer)
        positions[pointer] = (start, end)
        return end

    def _value(i: int, pointer: str) -> int:
        ch = text[i]
        if ch in "{[":
            closing = "}" if ch == "{" else "]"
            i = _skip_space(text, i + 1)
            index = 0
            while text[i] != closing:
                if ch == "{":
                    # scanstring is public (json.decoder's own string reader) but not in the stubs
                    key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                    i = _skip_space(text, i) + 1  # the ':'
                    i = value(i, f"{pointer}/{_escape(key)}")
                else:
                    i = value(i, f"{pointer}/{index}")
                    index += 1
                i = _skip_space(text, i)
                if text[i] == ",":
                    i = _skip_space(text, i + 1)
            return i + 1
        return _DECODER.raw_decode(text, i)[1]

    value(0, "")
    return positions


def locate_yaml(text: str) -> dict[str, tuple[int, int]]:
    """The same map as :func:`locate` for a YAML document, from the composer's node
    marks (YAML already tracks positions; only the pointers need building)."""
    import yaml

    positions: dict[str, tuple[int, int]] = {}

    def walk(node: yaml.Node | None, pointer: str) -> None:
        if node is None:
            return
        positions[pointer] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                walk(child, f"{pointer}/{_escape(str(key.value))}")
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                walk(child, f"{pointer}/{index}")

    walk(compose_yaml(text), "")  # checked against YamlLimits, as load_yaml is
    return positions


def check_config(data: Any) -> list[Diagnostic]:
    """Lint a workspace configuration: every shape error (RTE101..103) or, for a
    well-formed file, every rule's findings at its JSON-pointer path, with the linter's
    own checks for transformations, filters and actions."""
    from ..routing import shape_diagnostics  # routing loads pydantic models: only here

    config, found = shape_diagnostics(data)
    if config is None:
        return found
    found.extend(_lint_transformations({"transformations": config.transformations}))
    for i, dest in enumerate(config.destinations):
        found.extend(_lint_filters(dest.filters, f"/destinations/{i}/filters"))
        for j, m in enumerate(dest.mappings or ()):
            base = f"/destinations/{i}/mappings/{j}"
            found.extend(replace(d, path=base + (d.path or ""))
                         for d in _lint_action({"trigger": m.trigger, "mapping": m.mapping}))
    return found
