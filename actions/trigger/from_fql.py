"""``default`` mode: FQL text, parsed by the real FQL grammar (``fql.parse``: precedence,
nested parentheses, ``!(...)``, escapes, either quote), turned into a condition tree.

Each comparison goes through the same operator mapping as Segment's parser
(:func:`actions.trigger.conditions.comparison`), so a trigger the UI writes gets exactly
Segment's tree; only the *reading* of the text is FQL's. ``!`` is pushed down to the
conditions when the tree can say it exactly: De Morgan on groups, ``=`` ⇄ ``!=`` and
``exists`` ⇄ ``not_exists`` (each pair is a true complement in Segment's ``validate``),
``!contains``/``!match`` → ``not_contains``/``not_starts_with``/``not_ends_with``.

Whatever the tree cannot express is an error with its place (``TRG2xx``): other
functions, ``in``, ``typeof``, a comparison between two fields, a literal on the left,
unknown roots, a key containing a dot, a negation with no exact counterpart, ``all``.
The converter records every such problem (the linter reports all of them) and
:func:`to_tree` raises the first.
"""

from __future__ import annotations

from typing import Any

from fql import ast
from fql.errors import FqlError
from fql.parser import parse

from .conditions import (
    DIRECT_TYPES,
    NULL_WORD,
    ROOTS,
    Literal,
    comparison,
    condition,
    negated,
    to_double,
)
from .errors import TriggerError
from .matcher import units
from .segment_parser import from_units

#: Exact complements in Segment's validate (``!`` can be pushed through these).
_COMPLEMENT = {"=": "!=", "!=": "=", "exists": "not_exists", "not_exists": "exists"}


def parse_fql(text: str) -> ast.Node:
    """``fql.parse``, with its error re-raised as a :class:`TriggerError` (same code,
    span and hint), so one ``except`` catches every trigger problem."""
    try:
        return parse(text)
    except FqlError as exc:
        raise TriggerError(exc.message, code=exc.code, span=exc.span, source=text,
                           hint=exc.hint) from None


def to_tree(text: str) -> dict[str, Any]:
    """The condition tree of FQL ``text``; raises the first problem."""
    converter = Converter(text)
    tree = converter.convert(parse_fql(text))
    if converter.problems:
        raise converter.problems[0]
    assert tree is not None
    return tree


class Converter:
    """FQL AST → condition tree, collecting every construct the tree cannot express."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[TriggerError] = []

    def problem(self, node: ast.Node, code: str, message: str, hint: str | None = None) -> None:
        """Record a conversion problem at ``node``'s span (the caller reports all)."""
        self.problems.append(TriggerError(message, code=code, span=node.span,
                                          source=self.text, hint=hint))

    def convert(self, node: ast.Node) -> dict[str, Any] | None:
        """The whole trigger: one condition is wrapped in an ``and`` group, as Segment
        stores it."""
        tree = self.node(node, negate=False)
        if tree is not None and tree.get("type") != "group":
            tree = {"type": "group", "operator": "and", "children": [tree]}
        return tree

    def node(self, node: ast.Node, *, negate: bool) -> dict[str, Any] | None:
        """The condition (sub)tree for ``node``; ``negate`` pushes a ``!`` down (De
        Morgan on groups, the negated operator on leaves). None after a problem."""
        if isinstance(node, (ast.And, ast.Or)):
            operator = "and" if isinstance(node, ast.And) else "or"
            if negate:
                operator = "or" if operator == "and" else "and"
            children = [self.node(op, negate=negate) for op in node.operands]
            if any(child is None for child in children):
                return None
            return {"type": "group", "operator": operator, "children": children}
        if isinstance(node, ast.Not):
            return self.node(node.operand, negate=not negate)
        if isinstance(node, ast.Compare):
            return self.compare(node, negate)
        if isinstance(node, ast.Call) and node.name in ("contains", "match"):
            return self.call(node, negate)
        self.unsupported(node)
        return None

    def unsupported(self, node: ast.Node) -> None:
        """Record why ``node`` has no trigger condition, with a hint for the
        constructs users reach for most (``in``, ``typeof``, other functions)."""
        if isinstance(node, ast.In):
            self.problem(node, "TRG202", "triggers have no 'in' operator",
                         "join one '=' condition per value with 'or'")
        elif isinstance(node, ast.Call) and node.name == "typeof":
            self.problem(node, "TRG203", "triggers cannot test typeof()",
                         "test the value itself (= true, != null, > 0)")
        elif isinstance(node, ast.Call):
            self.problem(node, "TRG201", f"triggers have no {node.name}() function",
                         "triggers know contains() and match() only")
        elif isinstance(node, ast.All):
            self.problem(node, "TRG208", "'all' is not a trigger condition",
                         "write a condition such as type != null")
        else:
            self.problem(node, "TRG204", "not a condition: a trigger is made of "
                         "comparisons, contains() and match()",
                         "compare explicitly, e.g. = true or != null")

    def field(self, node: ast.Node) -> tuple[str, str | None] | None:
        """``(condition type, name)`` for a field path, or ``None`` (problem recorded)."""
        if isinstance(node, ast.Call):
            self.unsupported(node)
            return None
        if not isinstance(node, ast.Path):
            self.problem(node, "TRG205", "the left side of a trigger condition must be a "
                         "field", "write the field first: type = \"track\"")
            return None
        root, *rest = node.segments
        ctype = ROOTS.get(root)
        if ctype is None:
            self.problem(node, "TRG206", f"triggers cannot test {root!r}",
                         "fields are type, event, name, userId, properties.*, traits.* "
                         "and context.*")
            return None
        if ctype in DIRECT_TYPES:
            if rest:
                self.problem(node, "TRG206", f"{root} has no sub-fields in a trigger")
                return None
            return ctype, None
        if not rest:
            self.problem(node, "TRG206", f"name a field of {root}: {root}.<field>")
            return None
        if any("." in key for key in rest):
            self.problem(node, "TRG207", "a key containing '.' cannot be addressed by a "
                         "trigger: Segment splits field names at every dot (quirk 11)")
            return None
        return ctype, ".".join(from_units(key) for key in rest)

    def compare(self, node: ast.Compare, negate: bool) -> dict[str, Any] | None:
        """The leaf for a comparison ``path op literal`` (either side may be the path)."""
        found = self.field(node.left)
        value = self.literal(node.right)
        if found is None or value is None:
            return None
        leaf = comparison(found[0], found[1], node.op, value)
        return self.negated(node, leaf) if negate else leaf

    def literal(self, node: ast.Node) -> Literal | None:
        """The JSON value of a literal node, or None (with a problem) when a trigger
        cannot compare with it."""
        if isinstance(node, ast.String):
            return from_units(node.value)
        if isinstance(node, ast.Number):
            return to_double(node.value)
        if isinstance(node, ast.Bool):
            return node.value
        if isinstance(node, ast.Null):
            return NULL_WORD
        if isinstance(node, ast.Path):
            self.problem(node, "TRG205", "a trigger compares a field with a value, not "
                         "with another field", f"quote the value: \"{'.'.join(node.segments)}\"")
        else:
            self.problem(node, "TRG204", "a trigger value is a string, number, true, false "
                         "or null")
        return None

    def call(self, node: ast.Call, negate: bool) -> dict[str, Any] | None:
        """The leaf for ``contains(path, "text")`` or ``match(path, "glob")`` when
        the glob is one the condition tree has an operator for."""
        found = self.field(node.args[0])
        pattern = node.args[1]
        if not isinstance(pattern, ast.String):
            self.problem(pattern, "TRG204", f"{node.name}() in a trigger takes a string")
            return None
        if found is None:
            return None
        ctype, name = found
        if ctype == "event-type":
            self.problem(node, "TRG206", f"Segment ignores {node.name}() on type",
                         "compare the type with = or !=")
            return None
        value = units(from_units(pattern.value))
        if node.name == "contains":
            op = "contains"
        elif value.endswith("*"):
            op, value = "starts_with", value[:-1]
        else:
            op, value = "ends_with", value[1:]
        return condition(ctype, negated(op) if negate else op, name, from_units(value))

    def negated(self, node: ast.Node, leaf: dict[str, Any]) -> dict[str, Any] | None:
        """The operator that means ``!op``: Segment's condition tree has a negated
        form for each operator the builder writes."""
        op = _COMPLEMENT.get(leaf["operator"])
        if op is None:
            self.problem(node, "TRG209", f"a trigger cannot negate '{leaf['operator']}' "
                         "exactly", "write the opposite condition instead")
            return None
        value = leaf.get("value")
        return condition(leaf["type"], op, leaf.get("name"), value)
