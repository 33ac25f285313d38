"""The package layers of DESIGN.md ("Layout"), read from the source's own imports.

Bottom up: the language core (``fql`` top-level modules), ``actions``, ``fql.filters``,
``fql.routing``, ``fql.lint``, then ``fql.cli`` and ``fql.spark``. A module may import
its own layer or a lower one, never a higher one, and the modules import no cycle of
each other. Imports inside functions count too: a lazy upward import is still a
dependency a maintainer has to know about. The old flat module names (``fql.tsub``,
``fql.filter_paths``...) are aliases of the moved modules and are the one exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Compatibility aliases at the top level that forward to a module of a higher layer.
ALIASES = frozenset({
    "fql.filter_errors", "fql.filter_paths", "fql.routing_triggers", "fql.sampling",
    "fql.transformations", "fql.tsub",
})

LAYERS = {"core": 0, "actions": 1, "filters": 2, "routing": 3, "lint": 4, "cli": 5,
          "spark": 5}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "actions":
        return "actions"
    if module == "fql.__main__":  # ``python -m fql`` is the command line
        return "cli"
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "core"


def modules() -> dict[str, Path]:
    found = {}
    for package in ("fql", "actions"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``module`` imports (anywhere in its body), resolved."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            # the longest known module the name starts with (``fql.ast.Path`` -> fql.ast)
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


GRAPH = {name: imports(name, path, set(modules())) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_upward_import(module: str) -> None:
    if module in ALIASES:
        return
    mine = LAYERS[layer_of(module)]
    upward = sorted(t for t in GRAPH[module] if LAYERS[layer_of(t)] > mine)
    assert not upward, f"{module} ({layer_of(module)}) imports a higher layer: {upward}"


def test_no_import_cycle() -> None:
    # Package ``__init__`` modules re-export their children; an edge from a child to its
    # own package's ``__init__`` is the normal way to reach a sibling and is not a cycle
    # of design (Python resolves it), so those edges are left out.
    graph = {m: {t for t in ts if not m.startswith(t + ".") and t not in ALIASES}
             for m, ts in GRAPH.items() if m not in ALIASES}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target):], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The reader itself: a relative import from the core into routing is found."""
    path = tmp_path / "mod.py"
    path.write_text("def f():\n    from .routing import Router\n")
    assert imports("fql.values", path, set(modules())) == {"fql.routing"}
