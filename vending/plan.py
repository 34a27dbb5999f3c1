"""The one plan step: compare what a run desires with a tree, giving what to add, change or remove.

The tree is either the working tree (`WorkingTree`: files on disk, read through `repo_files`, so a
link or special file is refused, never followed) or a commit (`vending.gitops.tree.GitTree`: blob
ids compared, no blob read). `writer.apply_plan` writes a plan to disk; `apply` commits it.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from vending.desired import Desired
from vending.repo_files import list_files, read_file

Kind = Literal["added", "changed", "removed"]


class Tree(Protocol):
    """The files a plan compares desired files with."""

    def existing(self, scope: Sequence[str]) -> Collection[str]:
        """Repository-relative paths of the files in `scope` (files, and directories ending in /)."""

    def holds(self, path: str, content: bytes) -> bool:
        """Whether the existing file `path` holds exactly `content`."""

    def read(self, path: str) -> bytes | None:
        """The bytes of `path` (None: absent), for a diff."""


@dataclass(frozen=True)
class Change:
    path: str
    kind: Kind
    new: bytes | None
    """The desired bytes (None: removed)."""


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def count(self, kind: Kind) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    def summary(self) -> str:
        return (f"{self.count('added')} added, {self.count('changed')} changed, "
                f"{self.count('removed')} removed")

    def diff(self, tree: Tree) -> str:
        """A unified diff from `tree` (the one the plan was made against) to the desired files."""
        return "".join(unified_diff(change, None if change.kind == "added" else tree.read(change.path))
                       for change in self.changes)

    def files(self) -> dict[str, bytes | None]:
        """path -> desired bytes, or None to remove: what a commit changes."""
        return {change.path: change.new for change in self.changes}


def make_plan(desired: Desired, tree: Tree) -> Plan:
    """Changes that turn the files of `tree` in `desired.scope` into exactly `desired.files` (which must
    lie in scope)."""
    present = set(tree.existing(desired.scope))
    changes = []
    for path in sorted(set(desired.files) | present):
        new = desired.files.get(path)
        if path not in present:
            changes.append(Change(path=path, kind="added", new=new))
        elif new is None:
            changes.append(Change(path=path, kind="removed", new=None))
        elif not tree.holds(path, new):
            changes.append(Change(path=path, kind="changed", new=new))
    return Plan(changes=tuple(changes))


class WorkingTree:
    """The files on disk in the repository at `root`; links and special files are refused, never
    followed (`repo_files`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def existing(self, scope: Sequence[str]) -> Collection[str]:
        found: set[str] = set()
        for entry in scope:
            if entry.endswith("/"):
                found.update(list_files(self.root, entry))
            elif read_file(self.root, entry, limit=0) is not None:
                found.add(entry)
        return found

    def holds(self, path: str, content: bytes) -> bool:
        return read_file(self.root, path) == content

    def read(self, path: str) -> bytes | None:
        return read_file(self.root, path)


def unified_diff(change: Change, old: bytes | None) -> str:
    before = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    after = (change.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        before, after,
        fromfile="/dev/null" if change.kind == "added" else f"a/{change.path}",
        tofile="/dev/null" if change.new is None else f"b/{change.path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
