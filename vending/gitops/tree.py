"""Build a commit's tree from a base commit plus changed paths, in a temporary index.

The clone's own index and working tree are never touched.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from pathlib import Path

from vending.gitops import git

FILE_MODE = "100644"


def blob_id(content: bytes, object_format: str = "sha1") -> str:
    """The id git gives a blob with `content`, computed without running git."""
    return hashlib.new(object_format, b"blob %d\0" % len(content) + content).hexdigest()


def object_format(repo: Path) -> str:
    result = git.run(repo, ["rev-parse", "--show-object-format"], check=False)
    return result.out.strip() if result.code == 0 and result.out.strip() else "sha1"


def build_tree(repo: Path, base: str | None, changes: Mapping[str, bytes | None]) -> str:
    """The tree of `base` with each path in `changes` set to its bytes, or removed for None."""
    with tempfile.TemporaryDirectory(prefix="vending-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if base is not None:
            git.run(repo, ["read-tree", base], env=env)
        else:
            git.run(repo, ["read-tree", "--empty"], env=env)
        lines = []
        for path, content in sorted(changes.items()):
            if content is None:
                lines.append(f"0 {'0' * len(base or '0' * 40)}\t{path}")
            else:
                lines.append(f"{FILE_MODE} {git.hash_blob(repo, content)}\t{path}")
        if lines:
            git.run(repo, ["update-index", "--index-info"], input="\n".join(lines) + "\n", env=env)
        return git.run(repo, ["write-tree"], env=env).out.strip()
