"""Every diagnostic code and its documentation.

Rule documentation is the rule's docstring (STYLE.md §9): the FQL warning rules in
:mod:`fql.check` and the trigger rules in :mod:`actions.trigger.check` start their
docstrings with their code. Error codes raised by the parser, compiler and loaders are
described in :data:`ERROR_CODES`; mapping and filter codes come from the tables their
packages document (docs/semantics/*.md) and are summarised in :data:`OTHER_CODES`.
"""

from __future__ import annotations

import importlib
import inspect
import re
from functools import lru_cache
from types import ModuleType

ERROR_CODES: dict[str, str] = {
    "FQL000": "An error about a rule or an event with no more specific code.",
    "FQL100": "The rule is not a string.",
    "FQL101": "A character that cannot start any FQL token (escape it with '\\' in a path).",
    "FQL102": "An unexpected token; the message lists what could come next.",
    "FQL103": "The expression ends too early.",
    "FQL104": "'==' is not FQL: equality is a single '='.",
    "FQL105": "'&&' is not FQL: write 'and'.",
    "FQL106": "'||' is not FQL: write 'or'.",
    "FQL107": "Keywords are lower case: 'AND'/'OR' are read as paths.",
    "FQL108": "A string literal is never closed.",
    "FQL109": "Unbalanced parentheses or brackets.",
    "FQL110": "An unknown function; the hint names the closest one.",
    "FQL111": "A function called with the wrong number of arguments.",
    "FQL112": "An operator with no value after it (a bare '=' at the end).",
    "FQL113": "An empty expression (write `all` to match every event).",
    "FQL114": "Comparisons cannot be chained (a = b = c).",
    "FQL200": "A well-formed rule that is wrong (wrong arity, wrong literal type).",
    "FQL201": "A literal argument of the wrong type for the function.",
    "FQL400": "A configured limit (source size, nesting depth, list length) is exceeded.",
    "FQL401": "The rule is longer than Segment's 5 KB limit.",
    "FQL402": "The rule nests deeper than the configured limit.",
    "FQL403": "A list literal is longer than the configured limit.",
    "FQL500": "A Segment IR document could not be turned into FQL.",
    "FQL501": "The IR is empty or not JSON.",
    "FQL502": "The IR has a shape with no FQL meaning.",
    "FQL503": "A key containing '.' cannot be written in the IR.",
    "FQL504": "The IR nests too deeply.",
    "FQL600": "An event could not be evaluated (reported by `fql filter`, `eval`, `test`).",
    "FQL601": "An event holds a value that is not a JSON type.",
    "FQL602": "An event nests deeper than the evaluator follows (or is cyclic).",
    "FQL603": "An event is not a JSON object.",
    "FQL604": "Event text is not JSON: not UTF-8, or malformed (`fql filter`, `eval`...).",
    "LNT001": "The file could not be read or parsed as JSON/text.",
    "LNT002": "The file's kind could not be recognised.",
}

OTHER_CODES: dict[str, str] = {
    "MAP001": "Segment's mapping validation rejects the mapping.",
    "MAP002": "A mapping limit is exceeded.",
    "MAP003": "The mapping holds a non-JSON value.",
    "MAP004": "An optional dependency (python-liquid, jsonpath-ng) is not installed.",
    "MAP005": "A malformed __segment_internal_directive root.",
    "MAP301": "Applying the mapping to this event throws, as Segment's kit would.",
    "MAP302": "The event cannot be read as JSON.",
    "MAP010": "A directive that throws whenever an event reaches it.",
    "MAP101": "@if blank treats 0, false and [] as blank.",
    "MAP102": "A falsy @if else is ignored: the field disappears.",
    "MAP103": "@template placeholder names an object: renders [object Object].",
    "MAP104": "@merge of a string or array spreads index keys.",
    "MAP105": "@merge direction LEFT/Left acts as right (only 'left' reverses).",
    "MAP106": "@json mode not lower case: the result is undefined.",
    "MAP107": "JS replacement tokens ($&, $$, $`, $') in a @replace replacement.",
    "MAP108": "Directives inside @literal are resolved.",
    "MAP109": "A non-boolean omitArrays is read by truthiness.",
    "MAP110": "Raw text that looks like a path or template is copied literally.",
    "MAP111": "Path surprises: a dot inside quoted brackets, '$.' not at the start.",
    "MAP112": "A key containing '/' breaks Segment's mapping editor (MP-22).",
    "MAP113": "A path that looks like JSONPath is read as a plain lookup.",
    "MAP114": "A $.-rooted path inside an @arrayPath item shape is relative to the item.",
    "MAP201": "Full JSONPath in @path is an extension: not portable to Segment.",
    "MAP202": "@coalesce is an extension: not portable to Segment.",
    "TRG000": 'Trigger text is not a string.',
    "TRG001": "Segment mode: Segment's lexer rejects the text ($, > glued to a name, "
              "1., \\r, non-ASCII letters...).",
    "TRG002": 'Segment mode: a missing operator, value or function argument.',
    "TRG003": 'Segment mode: no condition Segment recognises (empty text, unknown roots only).',
    "TRG004": 'Segment mode: an unclosed or nested parenthesis.',
    "TRG100": "The two readings differ and no more specific rule names the cause; the "
              "message shows Segment's reading.",
    "TRG101": 'And and or mixed in one level: Segment joins all conditions with the last one.',
    "TRG102": 'AND/OR in capitals: ignored by Segment.',
    "TRG103": 'Nested parentheses / a function call inside a group that is not last.',
    "TRG104": '!(...): Segment drops the !.',
    "TRG105": 'Single-quoted string: Segment keeps the quotes in the value.',
    "TRG106": 'Backslash escape in a string: Segment has none.',
    "TRG107": 'Closing quote followed by a non-terminator: Segment swallows what follows.',
    "TRG108": "Segment's lexer rejects text that FQL reads.",
    "TRG109": "A path segment Segment's lexer does not read as a name.",
    "TRG110": 'A number with an exponent: Segment reads the digits and ignores the rest.',
    "TRG201": 'A function other than contains/match.',
    "TRG202": 'In.',
    "TRG203": 'Typeof().',
    "TRG204": 'Not a condition (a bare field, a literal, a non-string function argument).',
    "TRG205": 'Two fields compared, or the value on the left.',
    "TRG206": "A field a trigger cannot test (unknown root, type.x, properties alone, "
              "contains(type, ...)).",
    "TRG207": 'A key containing . (Segment splits names at every dot).',
    "TRG208": "`all` is not a trigger condition.",
    "TRG209": 'A negation the tree cannot express exactly (!(x > 5)).',
    "TRG301": 'Printing: unknown condition type.',
    "TRG302": 'Tree nested deeper than 100 levels.',
    "TRG303": 'Printing: malformed tree (error tree, null child, no children list).',
    "TRG310": "Matching: Segment's validate throws here (TriggerMatchError).",
    "TRG311": 'Matching: the event is not a dict.',
    "TRG401": 'Conversion: not a group of conditions.',
    "TRG402": 'Conversion: unknown condition type or operator.',
    "TRG403": 'Conversion: a value with half a surrogate pair.',
    "TRG404": 'Conversion: a name reaching a JS property or index.',
    "TRG405": 'Conversion: the FQL expression and its trigger reading differ.',
    "RTE100": "An invalid workspace routing configuration.",
    "RTE101": "A workspace configuration field is missing or has the wrong type.",
    "RTE102": "More Actions mappings on one destination than the limit (50, MP-09).",
    "RTE103": "A destination names a consent category the workspace does not declare.",
    "FLT100": "A filter or rule does not have the shape Segment's API defines.",
    "FLT101": "An unknown action, matcher or transformer type.",
    "FLT102": "A filter's `if` is not valid FQL (the filter fails closed: it drops).",
    "FLT103": "A sample percent outside [0, 1].",
    "FLT300": "An event a filter cannot be applied to (not a JSON object).",
    "FLT301": "A device-mode map_properties transformer sets a key under a null parent.",
    "FLT110": "More filters than Segment allows for one destination.",
    "FLT120": "A filter, transformation or device-mode rule whose condition is always "
              "false: it never acts.",
    "FLT200": "Conflicting transformations (TR-05..TR-07).",
    "FLT201": "An invalid property path in a transformation.",
}

_CODE = re.compile(r"^([A-Z]{3}\d{3})\b")


def _docstring_rules(module: ModuleType) -> dict[str, str]:
    found: dict[str, str] = {}
    for _, obj in inspect.getmembers(module, inspect.isfunction):
        doc = inspect.getdoc(obj) or ""
        m = _CODE.match(doc)
        if m and obj.__module__ == module.__name__:
            found[m.group(1)] = doc
    return found


@lru_cache(maxsize=1)
def registry() -> dict[str, str]:
    """Code → documentation, for every code the linter can report."""
    from actions.trigger import check as trigger_check

    fql_check = importlib.import_module("fql.check")  # the package re-exports a function

    codes = dict(ERROR_CODES)
    codes.update(OTHER_CODES)
    codes.update({_CODE.match(inspect.getdoc(r) or "").group(1): inspect.getdoc(r) or ""  # type: ignore[union-attr]
                  for r in fql_check.RULES})
    codes.update(_docstring_rules(trigger_check))
    return dict(sorted(codes.items()))


def explain(code: str) -> str | None:
    """The documentation of ``code``, or None if no such code exists."""
    return registry().get(code.upper())
