"""Land a commit on trunk: push without force, and on rejection start again from the new tip.

The principle of Flux's image automation, which never forces and, when a push fails, ends the
reconcile and is requeued to compute the change again on a fresh clone of the new tip; here
inside one run: a bounded number of attempts with exponential backoff and jitter inside a time
budget, each on a freshly fetched tip, for which the caller's function builds the commit again
(another run may have taken the name meanwhile). A tip that already holds the change (the
function gives no commit) ends as success.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vending.errors import GitError, UsageError
from vending.gitops import git
from vending.gitops.commit import Commit, write_commit

# The status git reports for the pushed ref (`push --porcelain`): flag, from:to, summary. Only this line
# says why the ref was refused; hook output on stderr is free text (a hook may print "[rejected]").
_REF_STATUS = re.compile(r"^(.)\t[^\t]*:([^\t]*)\t(.*)$", re.MULTILINE)
# The remote was busy updating the ref (another push holds its lock): worth another attempt.
BUSY = ("failed to update ref", "cannot lock ref", "failed to lock", "incorrect old value", "reference already exists")
TRANSIENT = ("Could not read from remote", "unable to access", "Connection", "timed out", "early EOF",
             "the remote end hung up")
_LOCK = re.compile(r"Unable to create '([^']+\.lock)': File exists")
STALE_LOCK_SECONDS = 5.0
"""A push holds a ref's lock for milliseconds; one older than this was left by a git process that died."""


CommitOn = Callable[[str | None], Commit | None]
"""The commit that puts the change on a tip of trunk (None: an empty trunk), or None when that tip
already holds it."""


@dataclass(frozen=True)
class Clone:
    """The clone a run works in and the trunk it lands on."""

    repo: Path
    """The clone's top level."""
    remote: str | None
    """The remote that holds trunk (None: the clone has none; only without pushing)."""
    branch: str
    push: bool


def open_clone(start: Path, remote: str, branch: str, *, push: bool) -> Clone:
    repo = git.top_level(start)
    git.check_branch_name(repo, branch)
    has_remote = git.has_remote(repo, remote)
    if push and not has_remote:
        raise UsageError(f"the clone has no remote {remote!r} to push to; pass --remote NAME, or --no-push "
                         "to commit locally")
    return Clone(repo=repo, remote=remote if has_remote else None, branch=branch, push=push)


@dataclass(frozen=True)
class Landed:
    commit: str | None
    """The commit now on trunk (or on the local branch without pushing); None: the tip held the change."""
    attempts: int
    tip: str | None
    """The trunk tip the last attempt built on."""


@dataclass
class RetryBudget:
    """How long a run keeps trying to push: `git.push` in vending.yaml."""

    attempts: int
    seconds: float
    initial_delay: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped at 10 s."""
        return random.uniform(0.5, 1.5) * min(10.0, self.initial_delay * 2.0 ** (attempt - 1))

    def wait_or_give_up(self, attempt: int, why: str) -> None:
        delay = self.delay(attempt)
        elapsed = self.clock() - self.started
        if attempt >= self.attempts or elapsed + delay > self.seconds:
            raise GitError(
                f"could not land the change on trunk after {attempt} attempt(s) in {elapsed:.1f} s: {why}. "
                "Nothing was pushed and nothing is lost; run vending apply again")
        self.sleep(delay)


def try_push(repo: Path, remote: str, commit: str, branch: str) -> str | None:
    """None when pushed; the reason when the push was refused in a way worth retrying."""
    result = git.run(repo, ["push", "--porcelain", remote, f"{commit}:refs/heads/{branch}"], check=False)
    if result.code == 0:
        return None
    lock = _LOCK.search(result.err)
    if lock is not None:
        _refuse_stale_lock(repo, remote, branch, lock.group(1))
    status = next((m for m in _REF_STATUS.finditer(result.out) if m.group(2) == f"refs/heads/{branch}"), None)
    if status is not None and status.group(1) == "!":
        summary = status.group(3)
        if summary.startswith("[rejected]"):
            return "trunk moved while this run was pushing"
        if summary.startswith("[remote rejected]") and any(marker in summary for marker in BUSY):
            held = f" ({lock.group(1)} exists)" if lock else ""
            return f"another push was updating {branch} on {remote}{held}"
        said = f": {result.err.strip()}" if result.err.strip() else ""
        raise GitError(f"{remote} refused the push to {branch} {summary}{said}")
    if status is None and "failed to push some refs" not in result.err and any(t in result.err for t in TRANSIENT):
        return result.err.strip()[-200:]
    raise GitError(f"{remote} refused the push to {branch}: {result.err.strip() or result.out.strip()}")


def _refuse_stale_lock(repo: Path, remote: str, branch: str, lock: str) -> None:
    """Stop at once, naming the lock, when a ref lock of a trunk on this machine was left by a dead process:
    no retry can succeed until someone removes it."""
    url = git.run(repo, ["remote", "get-url", remote], check=False).out.strip()
    local = url.startswith("file://") or (url != "" and "://" not in url and not re.match(r"^[^/]+:", url))
    if not local:
        return
    try:
        age = time.time() - Path(lock).stat().st_mtime
    except OSError:
        return
    if age >= STALE_LOCK_SECONDS:
        raise GitError(
            f"{branch} on {remote} is locked: {lock} exists and is {age:.0f} s old, so no push holds it (a git "
            f"process killed while pushing leaves it behind). Nothing was pushed. Make sure nothing is writing to "
            f"{url}, delete {lock}, and run vending again")


def land(clone: Clone, tip: str | None, commit_on: CommitOn, budget: RetryBudget) -> Landed:
    """Write the commit `commit_on` gives for `tip` (trunk's tip, just read) and push it; when the push is
    refused because trunk moved (or the remote was busy), fetch the new tip and do it again, within `budget`."""
    attempt = 1
    while True:
        change = commit_on(tip)
        if change is None:
            return Landed(commit=None, attempts=attempt, tip=tip)
        commit = write_commit(clone.repo, tip, change)
        if not clone.push:
            return Landed(commit=commit, attempts=attempt, tip=tip)
        assert clone.remote is not None  # open_clone: pushing needs a remote
        refused = try_push(clone.repo, clone.remote, commit, clone.branch)
        if refused is None:
            return Landed(commit=commit, attempts=attempt, tip=tip)
        budget.wait_or_give_up(attempt, refused)
        attempt += 1
        tip = base_commit(clone)


def base_commit(clone: Clone) -> str | None:
    """The commit to build on: the remote's tip (fetched now), or, without pushing, the local branch
    when it already holds that tip (so local commits stack up)."""
    repo, remote, branch = clone.repo, clone.remote, clone.branch
    remote_tip = git.fetch(repo, remote, branch) if remote else None
    if clone.push:
        return remote_tip
    local = git.resolve(repo, f"refs/heads/{branch}")
    if local is None:
        return remote_tip or git.resolve(repo, "HEAD")
    if remote_tip is None or git.is_ancestor(repo, remote_tip, local):
        return local
    if git.is_ancestor(repo, local, remote_tip):
        return remote_tip
    raise GitError(f"the local {branch} has diverged from {remote}/{branch}; a commit made on it would be on no "
                   f"branch: rebase or reset the local {branch} first")
