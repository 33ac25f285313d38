"""Every public function and method of ``fql`` and ``actions`` says what it is for.

Public means that neither the function's name nor the name of a class it sits in starts
with an underscore. A method without its own docstring still counts as documented when
it overrides a method that has one in a base class (the base says what the method is
for; ``help()`` shows that text too, through ``inspect.getdoc``). ``@overload`` stubs
and property setters are documented by their implementation and getter. The source is
read with ``ast`` so that a function the runtime never binds to a name (a callback in a
class body, a ``@staticmethod`` helper) cannot slip through; the classes are imported
only to follow bases defined in another module.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fql", "actions")

_SKIPPED_DECORATORS = frozenset({"overload", "setter", "deleter"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _skipped(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(
            decorator, "id", None)
        if name in _SKIPPED_DECORATORS:
            return True
    return False


def _public_functions(tree: ast.Module):
    """(class path, function) for each public def in the module or its public classes."""

    def visit(node: ast.AST, classes: tuple[str, ...]):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                if not child.name.startswith("_"):
                    yield from visit(child, (*classes, child.name))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not child.name.startswith("_") and not _skipped(child):
                    yield classes, child
            elif isinstance(child, (ast.If, ast.Try)):
                # ``if TYPE_CHECKING:`` / ``try: import ... except ImportError:`` bodies.
                yield from visit(child, classes)

    yield from visit(tree, ())


def _documented_in_module_bases(tree: ast.Module, class_name: str, name: str,
                                seen: frozenset[str] = frozenset()) -> bool:
    """Whether a base class defined in the same module documents ``name``: read from
    the source, so that a module whose optional dependency is absent is still checked."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    node = classes.get(class_name)
    if node is None:
        return False
    for base in node.bases:
        base_name = base.id if isinstance(base, ast.Name) else None
        if base_name is None or base_name in seen or base_name not in classes:
            continue
        for item in classes[base_name].body:
            if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and item.name == name):
                return ast.get_docstring(item) is not None
        if _documented_in_module_bases(tree, base_name, name, seen | {class_name}):
            return True
    return False


def _inherits_doc(module: str, classes: tuple[str, ...], name: str) -> bool:
    owner: object = importlib.import_module(module)
    for class_name in classes:
        owner = getattr(owner, class_name, None)
        if owner is None:
            return False
    if not isinstance(owner, type):
        return False
    for base in owner.__mro__[1:]:
        inherited = base.__dict__.get(name)
        if inherited is None:
            continue
        inherited = getattr(inherited, "__func__", inherited)  # staticmethod, classmethod
        if isinstance(inherited, property):
            inherited = inherited.fget
        return bool(getattr(inherited, "__doc__", None))
    return False


def undocumented() -> list[str]:
    missing = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for classes, function in _public_functions(tree):
                if ast.get_docstring(function):
                    continue
                if len(classes) == 1 and _documented_in_module_bases(
                        tree, classes[0], function.name):
                    continue
                if classes and _inherits_doc(module, classes, function.name):
                    continue
                where = path.relative_to(ROOT)
                missing.append(f"{where}:{function.lineno}: "
                               f"{'.'.join((*classes, function.name))}")
    return missing


def test_every_public_function_has_a_docstring() -> None:
    missing = undocumented()
    assert not missing, "public functions without a docstring:\n" + "\n".join(missing)


def test_the_check_sees_a_missing_docstring(tmp_path: Path) -> None:
    """The walker itself: a bare public def is found, a private or inherited one is not."""
    tree = ast.parse(
        "def shown(): pass\n"
        "def _hidden(): pass\n"
        "class Public:\n"
        "    def method(self): pass\n"
        "    def _private(self): pass\n"
        "class _Private:\n"
        "    def method(self): pass\n"
    )
    found = [(classes, function.name) for classes, function in _public_functions(tree)]
    assert found == [((), "shown"), (("Public",), "method")]
