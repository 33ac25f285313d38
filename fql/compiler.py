"""AST → plan (:mod:`fql.plan`): everything decided before the first event arrives.

Literal argument types are checked against the function table (``lowercase(5)`` is an
:class:`FqlTypeError` with a span, not a silent null at run time), paths are split,
literal ``match`` patterns compiled, and every sub-expression whose inputs are all
constants is folded by running the reference evaluator on it once.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ast, plan
from .errors import FqlTypeError
from .evaluator import build
from .functions import FUNCTIONS
from .glob import compile_glob

_LITERAL_TYPE = {
    ast.String: "string",
    ast.Number: "number",
    ast.Bool: "bool",
    ast.Null: "null",
    ast.ListLit: "list",
}


def to_plan(node: ast.Node, source: str | None = None, *, fold: bool = True) -> plan.PNode:
    """Compile an AST into a plan, folding constants (``fold=False`` keeps every
    operation, which the tests use to check that folding changes no answer)."""
    return _Compiler(source, fold).compile(node)


class _Compiler:
    def __init__(self, source: str | None, fold: bool = True) -> None:
        self.source = source
        self.fold = fold
        self.handlers: dict[type[ast.Node], Callable[[ast.Node], plan.PNode]] = {
            ast.Path: self.compile_path,
            ast.String: self.compile_literal,
            ast.Number: self.compile_literal,
            ast.Bool: self.compile_literal,
            ast.Null: self.compile_literal,
            ast.ListLit: self.compile_list,
            ast.Not: self.compile_not,
            ast.And: self.compile_and,
            ast.Or: self.compile_or,
            ast.Compare: self.compile_compare,
            ast.In: self.compile_in,
            ast.Call: self.compile_call,
            ast.All: self.compile_all,
        }

    def compile(self, node: ast.Node) -> plan.PNode:
        return self.handlers[type(node)](node)

    def folded(self, node: plan.PNode, inputs: tuple[plan.PNode, ...]) -> plan.PNode:
        """``node``, or its value when every input is a constant (each handler names
        its node's inputs, so leaves and the common case cost one pass over them)."""
        if self.fold and all(type(i) is plan.Const for i in inputs):
            return plan.Const(build(node)({}))
        return node

    def compile_path(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.Path)
        return plan.Get(node.segments)

    def compile_literal(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, (ast.String, ast.Number, ast.Bool, ast.Null))
        return plan.Const(None if isinstance(node, ast.Null) else node.value)

    def compile_list(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.ListLit)
        items = tuple(self.compile(item) for item in node.items)
        if self.fold and all(type(item) is plan.Const for item in items):
            # all() narrows nothing for the checker: every item is a Const here
            return plan.Const([item.value for item in items])  # type: ignore[attr-defined]
        return self.folded(plan.Call("list", _make_list, items), items)

    def compile_not(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.Not)
        operand = self.compile(node.operand)
        return self.folded(plan.Not(operand), (operand,))

    def compile_and(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.And)
        operands = tuple(self.compile(op) for op in node.operands)
        return self.folded(plan.And(operands), operands)

    def compile_or(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.Or)
        operands = tuple(self.compile(op) for op in node.operands)
        return self.folded(plan.Or(operands), operands)

    def compile_compare(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.Compare)
        left, right = self.compile(node.left), self.compile(node.right)
        if node.op in ("=", "!="):
            return self.folded(plan.Eq(left, right, node.op == "!="), (left, right))
        return self.folded(plan.Order(node.op, left, right), (left, right))

    def compile_in(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.In)
        left, right = self.compile(node.left), self.compile(node.right)
        return self.folded(plan.In(left, right), (left, right))

    def compile_call(self, node: ast.Node) -> plan.PNode:
        assert isinstance(node, ast.Call)
        fn = FUNCTIONS[node.name]
        for position, (arg, accepted) in enumerate(zip(node.args, fn.params, strict=True), start=1):
            kind = _LITERAL_TYPE.get(type(arg))
            if kind is not None and kind not in accepted:
                raise FqlTypeError(
                    f"argument {position} of {node.name}() is a {kind}; it takes "
                    f"{' or '.join(sorted(accepted))}",
                    code="FQL201",
                    span=arg.span,
                    source=self.source,
                    hint=fn.doc,
                )
        args = tuple(self.compile(arg) for arg in node.args)
        if node.name == "match" and type(args[1]) is plan.Const and isinstance(
            args[1].value, str
        ):
            return self.folded(plan.Match(args[0], compile_glob(args[1].value)), (args[0],))
        return self.folded(plan.Call(node.name, fn.impl, args), args)

    def compile_all(self, node: ast.Node) -> plan.PNode:
        return plan.Const(True)


def _make_list(*items: object) -> list[object]:
    return list(items)
