"""Write a plan to the tree: atomically, and only where vending owns the files.

Each file is written to a temporary file in the same directory, flushed to disk
and renamed over the target, so a crash leaves either the old or the new bytes,
never half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from vending.errors import Bug
from vending.plan import Plan

WRITABLE = ("generated/", "interface/crossplane/", "interface/pipelines/", "CODEOWNERS")


def write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        raise


def _guard(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if not relative.startswith(WRITABLE) or root.resolve() not in target.parents:
        raise Bug(f"refusing to write {relative}: vending only writes {', '.join(WRITABLE)}")
    return target


def apply_plan(root: Path, plan: Plan) -> None:
    for change in plan.changes:
        target = _guard(root, change.path)
        if change.new is None:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
            _prune_empty(target.parent, root)
        else:
            write_atomic(target, change.new)


def _prune_empty(directory: Path, root: Path) -> None:
    stop = (root / "generated").resolve()
    while directory != stop and stop in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
