"""Trees of commits: read one as a plan compares with it (`GitTree`), and build one from a base
commit plus changed paths, in a temporary index.

The clone's own index and working tree are never touched.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from vending.gitops import git

FILE_MODE = "100644"


def blob_id(content: bytes, object_format: str = "sha1") -> str:
    """The id git gives a blob with `content`, computed without running git."""
    return hashlib.new(object_format, b"blob %d\0" % len(content) + content).hexdigest()


def object_format_of(repo: Path) -> str:
    """The hash algorithm of the repository's objects: sha1, or sha256 (`git init --object-format`)."""
    result = git.run(repo, ["rev-parse", "--show-object-format"], check=False)
    return result.out.strip() if result.code == 0 and result.out.strip() else "sha1"


class GitTree:
    """The files of `commit` (None: an empty trunk), compared by blob id: no blob is read to tell
    whether a file holds given bytes. Satisfies `vending.plan.Tree`."""

    def __init__(self, repo: Path, commit: str | None, object_format: str) -> None:
        self.repo = repo
        self.commit = commit
        self.object_format = object_format
        self._entries: dict[str, tuple[str, str]] = {}
        """path -> (mode, blob id) of the files listed so far."""

    def existing(self, scope: Sequence[str]) -> Collection[str]:
        if self.commit is None:
            return set()
        found = git.ls_tree(self.repo, self.commit, [entry.rstrip("/") for entry in scope])
        self._entries.update(found)
        return set(found)

    def holds(self, path: str, content: bytes) -> bool:
        if self.commit is None:
            return False
        if path not in self._entries:
            self._entries.update(git.ls_tree(self.repo, self.commit, [path]))
        entry = self._entries.get(path)
        return entry is not None and entry[1] == blob_id(content, self.object_format)

    def read(self, path: str) -> bytes | None:
        return git.show_bytes(self.repo, self.commit, path) if self.commit is not None else None


def build_tree(repo: Path, base: str | None, changes: Mapping[str, bytes | None]) -> str:
    """The tree of `base` with each path in `changes` set to its bytes, or removed for None."""
    with tempfile.TemporaryDirectory(prefix="vending-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if base is not None:
            git.run(repo, ["read-tree", base], env=env)
        else:
            git.run(repo, ["read-tree", "--empty"], env=env)
        written = sorted(path for path, content in changes.items() if content is not None)
        staged = []
        for number, path in enumerate(written):  # by number: a path's name never reaches the file system
            staged.append(Path(scratch) / f"blob{number}")
            staged[-1].write_bytes(changes[path] or b"")
        blobs = dict(zip(written, git.hash_files(repo, staged), strict=True))
        lines = []
        for path, content in sorted(changes.items()):
            if content is None:
                lines.append(f"0 {'0' * len(base or '0' * 40)}\t{path}")
            else:
                lines.append(f"{FILE_MODE} {blobs[path]}\t{path}")
        if lines:
            git.run(repo, ["update-index", "--index-info"], input="\n".join(lines) + "\n", env=env)
        return git.run(repo, ["write-tree"], env=env).out.strip()
