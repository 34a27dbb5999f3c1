"""The one seam through which vending runs git; each question is a small named function.

vending never changes the working tree or the index of the clone it runs in to build a
commit: it writes objects, builds the tree in a temporary index, and pushes the commit.
A run killed at any point leaves the clone as it was (plus unreferenced objects, which
git collects), and the remote either has the commit or it has not.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vending.errors import GitError, UsageError

# Git must never stop to ask anything: a pipeline has no one to answer.
QUIET = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "SSH_ASKPASS": "true", "GCM_INTERACTIVE": "never",
         "LC_ALL": "C"}


# What a caller's environment may not decide: which repository, index, object store, namespace or extra
# configuration git uses. `git rev-parse --local-env-vars` lists the repository-local ones (a test keeps
# this list a superset of it); GIT_CONFIG_PARAMETERS, GIT_CONFIG_COUNT and GIT_CONFIG_KEY_<n> /
# GIT_CONFIG_VALUE_<n> are `git -c` injected through the environment. Kept: HOME, XDG_CONFIG_HOME and
# GIT_CONFIG_GLOBAL/SYSTEM/NOSYSTEM (the operator's own configuration files, where credential helpers
# live), GIT_SSH/GIT_SSH_COMMAND, proxies and TLS settings (what authentication needs), GIT_TRACE*.
REDIRECTING = frozenset((
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_QUARANTINE_PATH", "GIT_INDEX_VERSION",
    # Pathspec magic for every path vending names: `ls-tree` refuses glob and icase, so apply ended in exit 3.
    "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_LITERAL_PATHSPECS",
))
_INJECTED_CONFIG = re.compile(r"^GIT_CONFIG_(KEY|VALUE)_[0-9]+$")


def scrubbed(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without what would aim git at another repository than the one vending was asked to use."""
    return {key: value for key, value in environ.items()
            if key not in REDIRECTING and not _INJECTED_CONFIG.match(key)}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def run(repo: Path, args: Sequence[str], *, input: bytes | str | None = None,
        env: Mapping[str, str] | None = None, check: bool = True, binary: bool = False,
        started: Callable[[int], None] | None = None) -> Result:
    """Run `git -C repo args...`; raise `GitError` on failure unless `check` is false. `started` is told the
    process id of git once it runs (to record who holds a lock)."""
    data = input.encode() if isinstance(input, str) else input
    try:
        process = subprocess.Popen(
            ["git", "-C", str(repo), *args], stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**scrubbed(os.environ), **QUIET, **(env or {})})
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; install git to vend subscriptions") from None
    with process:
        if started is not None:
            started(process.pid)
        stdout, stderr = process.communicate(data)
    out = stdout if binary else stdout.decode("utf-8", "replace")
    result = Result(process.returncode, out, stderr.decode("utf-8", "replace"))  # type: ignore[arg-type]
    if check and result.code != 0:
        raise GitError(f"git {' '.join(args[:2])} failed in {repo}: {result.err.strip() or result.out.strip()}")
    return result


def show_bytes(repo: Path, commit: str, path: str) -> bytes | None:
    """The bytes of `path` at `commit`, or None if it does not exist there."""
    result = run(repo, ["cat-file", "blob", f"{commit}:{path}"], check=False, binary=True)
    return result.out if result.code == 0 else None  # type: ignore[return-value]


def show_many(repo: Path, commit: str, paths: Sequence[str]) -> dict[str, bytes | None]:
    """`show_bytes` of several paths in one git call (None: not a file there)."""
    out = run(repo, ["cat-file", "--batch"], input="".join(f"{commit}:{path}\n" for path in paths), binary=True).out
    assert isinstance(out, bytes)
    found: dict[str, bytes | None] = {}
    at = 0
    for path in paths:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"tree", b"commit", b"tag"):
            size = int(header[2])
            found[path] = out[at:at + size] if header[1] == b"blob" else None
            at += size + 1
        else:  # "<object> missing" (or ambiguous): not there
            found[path] = None
    return found


def versions(repo: Path, commit: str, paths: Sequence[str]) -> list[tuple[str, str]]:
    """(commit, path) of every version of `paths` in the history of `commit`, newest first: each commit
    that added or changed one of them (renames are not followed)."""
    out = run(repo, ["log", "--format=%H", "--name-only", "--diff-filter=AM", "--no-renames", commit, "--",
                     *paths]).out
    found: list[tuple[str, str]] = []
    current = ""
    for line in out.splitlines():
        if len(line) in (40, 64) and all(c in "0123456789abcdef" for c in line):
            current = line
        elif line and current:
            found.append((current, line))
    return found


def top_level(start: Path) -> Path:
    result = run(start, ["rev-parse", "--show-toplevel"], check=False) if start.is_dir() else None
    if result is not None and "dubious ownership" in result.err:
        raise GitError(f"git refuses to work in {start}: the repository is owned by another user (\"dubious "
                       "ownership\"). If you trust it, allow it with: git config --global --add safe.directory "
                       f"{_quoted_directory(result.err, start)}")
    if result is None or result.code != 0:
        raise UsageError(f"{start} is not inside a git repository; run vending in a clone of the "
                         "GitOps repository (or pass --repo DIR)")
    return Path(result.out.strip())


def _quoted_directory(err: str, start: Path) -> str:
    """The directory git names in its safe.directory hint, else `start`."""
    match = re.search(r"safe\.directory (\S+)", err)
    return match.group(1) if match else str(start)


def check_branch_name(repo: Path, branch: str) -> None:
    if not branch or run(repo, ["check-ref-format", "--branch", branch], check=False).code != 0:
        raise UsageError(f"--branch {branch!r} is not a valid branch name")


def resolve(repo: Path, ref: str) -> str | None:
    result = run(repo, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False)
    return result.out.strip() if result.code == 0 else None


def has_remote(repo: Path, remote: str) -> bool:
    return run(repo, ["remote", "get-url", remote], check=False).code == 0


def fetch(repo: Path, remote: str, branch: str) -> str | None:
    """Bring `remote`'s `branch` up to date locally; its tip, or None if the branch does not exist yet."""
    result = run(repo, ["fetch", "--quiet", "--no-tags", remote,
                        f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"], check=False)
    if result.code != 0:
        if "couldn't find remote ref" in result.err:
            return None
        raise GitError(f"cannot fetch {branch} from {remote}: {result.err.strip()}")
    return resolve(repo, f"refs/remotes/{remote}/{branch}")


def ls_tree(repo: Path, commit: str, paths: Sequence[str]) -> dict[str, tuple[str, str]]:
    """path -> (mode, blob id) of the files under `paths` at `commit` (one git call, no fleet scan)."""
    if not paths:
        return {}
    result = run(repo, ["ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths])
    entries = {}
    for record in result.out.split("\0"):
        if record:
            meta, path = record.split("\t", 1)
            mode, _kind, blob = meta.split()
            entries[path] = (mode, blob)
    return entries


def hash_blob(repo: Path, content: bytes) -> str:
    return run(repo, ["hash-object", "-w", "--stdin"], input=content).out.strip()


def hash_files(repo: Path, files: Sequence[Path]) -> list[str]:
    """Write the files as blobs in one git call (a vend writes several); their ids in order."""
    if not files:
        return []
    ids = run(repo, ["hash-object", "-w", "--no-filters", "--stdin-paths"],
              input="".join(f"{file}\n" for file in files)).out.split()
    if len(ids) != len(files):
        raise GitError(f"git hash-object wrote {len(ids)} blobs for {len(files)} files in {repo}")
    return ids


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    return run(repo, ["merge-base", "--is-ancestor", ancestor, descendant], check=False).code == 0


def symbolic_head(repo: Path) -> str | None:
    result = run(repo, ["symbolic-ref", "--quiet", "HEAD"], check=False)
    return result.out.strip() if result.code == 0 else None

