"""The schema-diff engine is pure: none of its modules, nor any vending module they import, reads a
file, lists a directory, runs a process or imports what does."""

from __future__ import annotations

import ast

from ..import_graph import PACKAGE_ROOT, graph, modules, reachable

ENGINE = "vending.schemadiff"
FORBIDDEN_MODULES = ("os", "pathlib", "io", "subprocess", "shutil", "tempfile", "glob", "fileinput", "socket",
                     "urllib.request", "http", "importlib.resources")
"""Standard modules for files, processes and the network (and their submodules)."""
FORBIDDEN_VENDING = ("vending.repo_files", "vending.config", "vending.schemas", "vending.release",
                     "vending.gitops", "vending.azdo", "vending.writer", "vending.records", "vending.fleet")
"""vending modules that read or write files, run git or call a service."""
FORBIDDEN_CALLS = frozenset({"open", "read_bytes", "read_text", "write_bytes", "write_text", "iterdir", "glob",
                             "rglob", "listdir", "scandir", "walk", "system", "popen"})


def _engine_closure() -> set[str]:
    edges = graph()
    closure: set[str] = set()
    for name in edges:
        if name == ENGINE or name.startswith(ENGINE + "."):
            closure |= reachable(edges, name)
    return closure


def _forbidden(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


def test_the_engine_and_what_it_imports_do_no_io() -> None:
    paths = modules()
    closure = _engine_closure()
    assert f"{ENGINE}.subset" in closure and "vending.loader" in closure
    problems = []
    for name in sorted(closure):
        if _forbidden(name, FORBIDDEN_VENDING):
            problems.append(f"{name} is reached from {ENGINE}, and it does I/O")
        tree = ast.parse(paths[name].read_bytes())
        for node in ast.walk(tree):
            if not isinstance(node, ast.stmt | ast.expr):
                continue
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported = [node.module or ""]
            else:
                imported = []
            problems += [f"{name}:{node.lineno} imports {i}" for i in imported if _forbidden(i, FORBIDDEN_MODULES)]
            if isinstance(node, ast.Call):
                called = node.func.id if isinstance(node.func, ast.Name) else \
                    node.func.attr if isinstance(node.func, ast.Attribute) else ""
                if called in FORBIDDEN_CALLS:
                    problems.append(f"{name}:{node.lineno} calls {called}()")
    assert not problems, "\n".join(problems)


def test_the_purity_check_sees_io() -> None:
    """The checks above would see the I/O the release checks do (so they can fail)."""
    tree = ast.parse((PACKAGE_ROOT / "release" / "repository.py").read_bytes())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert any(_forbidden(i or "", FORBIDDEN_VENDING) for i in imported)
    assert any(_forbidden(i or "", FORBIDDEN_MODULES) for i in imported)
