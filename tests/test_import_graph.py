"""The solver and the canonical forms sit below the representation algebra, in no import cycle.

The import graph is read from the source (every ``import`` statement, including those
inside functions, which run on first call; imports under ``if TYPE_CHECKING:`` never run
and are left out). A module in a strongly connected component of more than one module is
in a cycle.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("groups", "emlp_core", "layers", "discovery", "analysis")

# The solver's stack: it reads a rep's canonical form and never the rep classes, and the
# reps call into it, so none of these may import (even lazily) anything that imports them.
ACYCLIC = (
    "emlp_core.basis",
    "emlp_core.canonical",
    "emlp_core.solver",
    "emlp_core.verify",
    "emlp_core.cache",
    "emlp_core.orbits",
    "emlp_core.weights",
    "emlp_core.nullspace",
    "emlp_core.iterative",
    "emlp_core.operators",
    "groups.products",
    "layers.bases",
    "layers.functional",
    "layers.core",
)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, known: set[str]) -> set[str]:
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # ``from pkg import module`` needs that module only
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return found & known


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """``{module: modules of these packages it imports}`` for every module of `PACKAGES`."""
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    known = set(files)
    return {name: _imports(ast.parse(path.read_text()), known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    source = "def f():\n    from pkg.a import x\nif TYPE_CHECKING:\n    import pkg.b\n"
    assert _imports(ast.parse(source), {"pkg", "pkg.a", "pkg.b"}) == {"pkg.a"}
    source = "from pkg import a, name"  # a submodule, and a name defined by the package
    assert _imports(ast.parse(source), {"pkg", "pkg.a"}) == {"pkg", "pkg.a"}


@pytest.mark.parametrize("module", ACYCLIC)
def test_module_is_in_no_import_cycle(module):
    graph = import_graph()
    assert module in graph, f"{module} does not exist"
    for component in cycles(graph):
        assert module not in component, f"{module} is in the import cycle {sorted(component)}"


def test_the_group_data_model_does_not_import_the_products_built_on_it():
    assert "groups.products" not in import_graph()["groups.group"]
