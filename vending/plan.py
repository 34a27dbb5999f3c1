"""Compare the files a render wants with the tree: what would be added, changed or removed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vending.render import Files
from vending.repo_files import list_files, read_file


@dataclass(frozen=True)
class Change:
    path: str
    old: bytes | None
    new: bytes | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    def summary(self) -> str:
        return (f"{self.count('added')} added, {self.count('changed')} changed, "
                f"{self.count('removed')} removed")

    def diff(self) -> str:
        return "".join(unified_diff(change) for change in self.changes)


def existing_files(root: Path, scope: Iterable[str]) -> list[str]:
    """Repository-relative paths of the files in `scope` (files, and directories ending in /); links and
    special files are refused, never followed (`repo_files`)."""
    found: set[str] = set()
    for entry in scope:
        if entry.endswith("/"):
            found.update(list_files(root, entry))
        elif read_file(root, entry, limit=0) is not None:
            found.add(entry)
    return sorted(found)


def make_plan(root: Path, desired: Files, scope: Iterable[str]) -> Plan:
    """Changes that turn the files in `scope` into exactly `desired` (which must lie in scope)."""
    present = set(existing_files(root, scope))
    changes = []
    for path in sorted(set(desired) | present):
        old = read_file(root, path) if path in present else None
        new = desired.get(path)
        if old != new:
            changes.append(Change(path=path, old=old, new=new))
    return Plan(changes=tuple(changes))


def unified_diff(change: Change) -> str:
    old = (change.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
    new = (change.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        old, new,
        fromfile="/dev/null" if change.old is None else f"a/{change.path}",
        tofile="/dev/null" if change.new is None else f"b/{change.path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
