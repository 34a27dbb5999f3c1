"""Finding 8 and part of 10: locks left by killed runs. A kill during the checkout follow leaves
`.git/index.lock`: the next run repairs it (it is vending's own) and brings the checkout to trunk's tip,
even when trunk already holds the change. A stale ref lock on a local trunk is reported by name at
once, never as "trunk moved"; a pre-push hook that prints "[rejected]" is not retried."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ..gitops.conftest import Clone, example, git, vending

REAL_GIT = shutil.which("git")


def _killing_git(tmp_path: Path) -> dict[str, str]:
    """A `git` on PATH that, for the follow's `read-tree -m -u`, takes the index lock as git does and then
    is killed together with the vending process that ran it."""
    assert REAL_GIT is not None
    bin_dir = tmp_path / "killing-bin"
    bin_dir.mkdir()
    script = bin_dir / "git"
    script.write_text(f"""#!/bin/sh
case " $* " in
  *" read-tree -m -u "*)
    gitdir=$("{REAL_GIT}" -C "$2" rev-parse --absolute-git-dir)
    : > "$gitdir/index.lock"
    kill -9 $PPID
    kill -9 $$ ;;
esac
exec "{REAL_GIT}" "$@"
""")
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("detached", [False, True])
def test_a_kill_during_the_follow_is_repaired_by_the_next_run(clone: Clone, trunk: Path, tmp_path: Path,
                                                             detached: bool) -> None:
    work = clone(detached=detached)
    killed = vending(work, "apply", str(example("analytics-dev")), env=_killing_git(tmp_path))
    assert killed.returncode == -9
    tip = git(trunk, "rev-parse", "main")
    assert git(work, "rev-parse", "HEAD") != tip, "the push landed, the follow did not"
    assert (work / ".git" / "index.lock").exists()

    again = vending(work, "apply", str(example("analytics-dev")), "--output", "json")
    assert again.returncode == 0, again.stderr
    assert '"action": "noop"' in again.stdout
    assert not (work / ".git" / "index.lock").exists(), "the lock vending left is gone"
    assert git(work, "rev-parse", "HEAD") == tip, "the checkout is at trunk's tip after a no-op rerun"
    assert git(work, "status", "--porcelain") == ""
    assert (work / "requests" / "analytics-dev.yaml").exists()


def test_a_lock_vending_did_not_leave_is_never_removed(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    (work / ".git" / "index.lock").write_text("")  # someone else's git is working here
    result = vending(work, "apply", str(example("analytics-dev")))
    assert result.returncode == 0, result.stderr
    assert (work / ".git" / "index.lock").exists()
    assert "index.lock, which vending did not leave" in result.stderr and "left as it was" in result.stderr


def test_a_stale_ref_lock_on_a_local_trunk_is_named_at_once(clone: Clone, trunk: Path) -> None:
    lock = trunk / "refs" / "heads" / "main.lock"
    lock.write_text("")  # what a push killed while updating the ref leaves
    old = time.time() - 120
    os.utime(lock, (old, old))
    before = git(trunk, "rev-parse", "main")
    result = vending(clone(), "apply", str(example("analytics-dev")))
    assert result.returncode == 3, result.stderr
    assert "main on origin is locked" in result.stderr and "main.lock exists" in result.stderr
    assert "delete" in result.stderr and "trunk moved" not in result.stderr
    assert "attempt" not in result.stderr, "reported at the first attempt, no retry budget burnt"
    assert git(trunk, "rev-parse", "main") == before


def test_a_pre_push_hook_saying_rejected_is_not_retried(clone: Clone, trunk: Path) -> None:
    work = clone()
    hook = work / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho ' ! [rejected] policy: no pushes on Fridays (fetch first)' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = vending(work, "apply", str(example("analytics-dev")))
    assert result.returncode == 3, result.stderr
    assert "refused the push to main" in result.stderr and "no pushes on Fridays" in result.stderr
    assert "trunk moved" not in result.stderr and "attempt" not in result.stderr
