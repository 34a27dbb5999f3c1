"""Bring the clone's checkout to a commit, and finish a follow that a killed run left half done.

`read-tree -m -u` takes `.git/index.lock`; a run killed there leaves the lock, and git then refuses
every later change of the checkout. Before it starts, vending records in `.git/vending-follow` who
follows (its own and git's process ids) from which commit to which. A later run that finds that
record with both processes gone knows the lock is vending's own: it checks that every path the
follow touches holds either the old or the new content (nothing of the user's is at stake), removes
the lock and completes the follow. A lock without the record, or with a live owner, is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from vending.errors import GitError, UnsafePath
from vending.gitops import git
from vending.gitops.tree import blob_id, object_format_of
from vending.repo_files import read_file

RECORD = "vending-follow"


def keep_on_branch(repo: Path, branch: str, commit: str) -> None:
    """Keep a commit made without pushing reachable: unless the checkout is on `branch`, the local `branch`
    moves to it, fast-forward only (an agent's detached checkout may have no local branch at all)."""
    if git.symbolic_head(repo) == f"refs/heads/{branch}":
        return
    local = git.resolve(repo, f"refs/heads/{branch}")
    if local is not None and not git.is_ancestor(repo, local, commit):
        raise GitError(f"the local {branch} moved while this run was committing; {commit[:12]} is on no branch")
    git.run(repo, ["update-ref", f"refs/heads/{branch}", commit, local or "0" * len(commit)])


def follow(repo: Path, branch: str, commit: str) -> str | None:
    """Bring the clone's checkout (the branch, or a detached HEAD) to `commit` when that loses nothing;
    a note when it was left as it was.

    A two-way `read-tree -m -u` touches only the paths that differ between the two commits (a full
    `status` or `merge` would stat every file of a 10,000-subscription tree) and, like checkout,
    refuses to overwrite local changes.
    """
    git_dir = Path(git.run(repo, ["rev-parse", "--absolute-git-dir"]).out.strip())
    note = finish_interrupted(repo, git_dir)
    if note is not None:
        return note
    head = git.symbolic_head(repo)
    current = git.resolve(repo, "HEAD")
    if current == commit:
        return None
    if current is None or not git.is_ancestor(repo, current, commit):
        return f"the checkout was left as it was; {commit[:12]} is on {branch}"
    if head is not None and head != f"refs/heads/{branch}":
        return f"the checkout is on {head.removeprefix('refs/heads/')} and was left as it was"
    record = git_dir / RECORD
    owners = [os.getpid()]

    def note_owner(pid: int) -> None:
        owners.append(pid)
        _write_record(record, owners, current, commit)

    _write_record(record, owners, current, commit)
    merged = git.run(repo, ["read-tree", "-m", "-u", current, commit], check=False, started=note_owner)
    if merged.code != 0:
        record.unlink(missing_ok=True)
        if "index.lock" in merged.err:
            return (f"the checkout is locked by {git_dir / 'index.lock'}, which vending did not leave (is another "
                    f"git process running there?), and was left as it was; {commit[:12]} is on {branch}")
        return (f"the checkout has local changes in the paths this commit changes and was left as it was; "
                f"{commit[:12]} is on {branch}")
    _move_head(repo, current, commit)
    record.unlink(missing_ok=True)
    return None


def _write_record(record: Path, owners: list[int], old: str, new: str) -> None:
    temporary = record.with_name(f"{RECORD}.tmp")
    temporary.write_text(json.dumps({"pids": owners, "from": old, "to": new}))
    temporary.replace(record)


def _move_head(repo: Path, old: str, new: str) -> None:
    head = git.symbolic_head(repo)
    if head is None:
        git.run(repo, ["update-ref", "--no-deref", "HEAD", new, old])
    else:
        git.run(repo, ["update-ref", head, new, old])


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    return True


def finish_interrupted(repo: Path, git_dir: Path) -> str | None:
    """Complete a follow a killed run left (see the module); a note when that is not safe to do."""
    record = git_dir / RECORD
    try:
        left = json.loads(record.read_text())
        owners, old, new = [int(p) for p in left["pids"]], str(left["from"]), str(left["to"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        record.unlink(missing_ok=True)
        return None
    if any(_alive(pid) for pid in owners):
        return "another vending run is bringing the checkout along; it was left to that run"
    # The record proves that locks left here were taken by vending's own git, now gone: the index's,
    # and that of the ref the follow moves last (a kill inside that update-ref leaves it).
    lock = git_dir / "index.lock"
    branch_ref = git.symbolic_head(repo)
    ref_locks = [git_dir / "HEAD.lock", *([git_dir / f"{branch_ref}.lock"] if branch_ref else [])]
    current = git.resolve(repo, "HEAD")
    if current == new and not lock.exists():
        for stale in ref_locks:
            stale.unlink(missing_ok=True)
        record.unlink(missing_ok=True)
        return None
    if current != old or not _only_follow_content(repo, old, new):
        return (f"a vending run was killed while bringing the checkout to {new[:12]}, and the checkout has "
                f"changed since; it was left as it was: check `git status` and remove {lock} if no git "
                "process is running")
    for stale in (lock, *ref_locks):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    git.run(repo, ["read-tree", "--reset", "-u", new])
    _move_head(repo, old, new)
    record.unlink(missing_ok=True)
    return None


def _only_follow_content(repo: Path, old: str, new: str) -> bool:
    """Whether every path that differs between `old` and `new` holds the old or the new content (or is
    absent where one of them lacks it), and no other path is changed in the index or the working tree: a
    half-done follow, and no change of anyone else (who may have removed the lock and gone on working;
    `read-tree --reset -u` would throw that work away)."""
    paths = [p for p in git.run(repo, ["diff", "--name-only", "-z", "--no-renames", old, new]).out.split("\0") if p]
    touched = set(paths)
    staged = git.run(repo, ["diff-index", "--cached", "--name-only", "-z", "--no-renames", old]).out
    unstaged = git.run(repo, ["diff-files", "--name-only", "-z", "--no-renames"]).out
    if any(p and p not in touched for p in (*staged.split("\0"), *unstaged.split("\0"))):
        return False
    object_format = object_format_of(repo)
    before, after = git.ls_tree(repo, old, paths), git.ls_tree(repo, new, paths)
    for path in paths:
        allowed = {entry[1] if entry else None for entry in (before.get(path), after.get(path))}
        try:
            content = read_file(repo, path)
        except UnsafePath:
            return False
        if (None if content is None else blob_id(content, object_format)) not in allowed:
            return False
    return True
