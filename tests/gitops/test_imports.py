"""gitops/ is git itself: it imports nothing of vending above errors and config, so the git edge
never reaches back into loading, validation, policy, records or rendering."""

from __future__ import annotations

import ast
from pathlib import Path

import vending.gitops

GITOPS = Path(vending.gitops.__file__).parent
ALLOWED = (
    "vending.errors",
    "vending.config",
    "vending.gitops",
    # Safe reads of repository content (no links, no special files): follow compares the checkout with
    # the commits it moves between. config itself is built on it.
    "vending.repo_files",
)


def vending_imports(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a vending module in `source`, at any depth (a function-level
    import counts too); `from vending import x` names `vending.x`, relative imports are resolved."""
    found: list[tuple[int, str]] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            if base == "vending":
                found.extend((node.lineno, f"vending.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, base))
    return [(line, name) for line, name in found if name == "vending" or name.startswith("vending.")]


def forbidden(source: str, module: str) -> list[tuple[int, str]]:
    return [(line, name) for line, name in vending_imports(source, module)
            if not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED)]


def test_gitops_imports_nothing_above_errors_and_config() -> None:
    files = sorted(GITOPS.glob("*.py"))
    assert {path.name for path in files} >= {"git.py", "tree.py", "commit.py", "push.py", "follow.py"}
    offences = [f"{path.name}:{line}: imports {name}" for path in files
                for line, name in forbidden(path.read_text(), f"vending.gitops.{path.stem}")]
    assert offences == []


def test_the_rule_sees_every_form_of_import() -> None:
    source = ("from vending.intake import accept\nimport vending.render.targets\nfrom vending import policy\n"
              "from ..records import Record\ndef late():\n    from vending.model import Request\n"
              "from vending.errors import GitError\nfrom . import git\nfrom vending.config import Git\n")
    assert forbidden(source, "vending.gitops.example") == [
        (1, "vending.intake"), (2, "vending.render.targets"), (3, "vending.policy"), (4, "vending.records"),
        (6, "vending.model")]
