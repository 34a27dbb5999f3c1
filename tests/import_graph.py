"""The import graph of the `vending` package, read from the source (ast), not by importing it.

Every import counts wherever it is written: at the top, under `if TYPE_CHECKING:` or inside a
function; a cycle hidden behind any of them is still a cycle of the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "vending"


def module_name(path: Path, root: Path = PACKAGE_ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE_ROOT) -> dict[str, Path]:
    """Every module of the package at `root` by dotted name."""
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def imports_of(path: Path, root: Path = PACKAGE_ROOT) -> list[tuple[str, int]]:
    """(imported name, line) for every import in the module: modules, and `from X import y` as X.y."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def graph(root: Path = PACKAGE_ROOT) -> dict[str, dict[str, int]]:
    """module -> {module of the package it imports: the line of the first such import}."""
    known = modules(root)
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        targets: dict[str, int] = {}
        for imported, line in imports_of(path, root):
            if imported in known and imported != name:
                targets.setdefault(imported, line)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, {})):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def cycle_path(edges: dict[str, dict[str, int]], component: list[str]) -> str:
    """One import cycle through the first module of `component`, with the line of each import:
    `a (line 3) -> b (line 9) -> a`."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    todo = [start]
    while todo:  # breadth first, inside the component, back to the start
        node = todo.pop(0)
        for target in sorted(edges[node]):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path.reverse()
                hops = [f"{a} (line {edges[a][b]})" for a, b in zip(path, [*path[1:], start], strict=True)]
                return " -> ".join([*hops, start])
            if target in members and target not in previous and target != start:
                previous[target] = node
                todo.append(target)
    raise AssertionError(f"{component} is not a cycle")


def reachable(edges: dict[str, dict[str, int]], start: str) -> set[str]:
    """Every vending module `start` imports, directly or through others (with `start`)."""
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), {}):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
