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


def _killing_git(tmp_path: Path, partial: str = "") -> dict[str, str]:
    """A `git` on PATH that, for the follow's `read-tree -m -u OLD NEW`, takes the index lock as git does,
    writes `partial` (a path) with its new content as a half-done checkout would, and then is killed
    together with the vending process that ran it."""
    assert REAL_GIT is not None
    bin_dir = tmp_path / "killing-bin"
    bin_dir.mkdir()
    script = bin_dir / "git"
    write = f'"{REAL_GIT}" -C "$2" show "$7:{partial}" > "$2/{partial}"' if partial else ":"
    script.write_text(f"""#!/bin/sh
case " $* " in
  *" read-tree -m -u "*)
    gitdir=$("{REAL_GIT}" -C "$2" rev-parse --absolute-git-dir)
    : > "$gitdir/index.lock"
    mkdir -p "$(dirname "$2/{partial or 'x'}")"
    {write}
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


def test_a_half_done_follow_is_finished_and_a_changed_file_is_never_overwritten(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    stored = "requests/analytics-dev.yaml"
    first, second = clone(), clone()
    for work in (first, second):
        tools = tmp_path / f"tools-{work.name}"
        tools.mkdir()
        killed = vending(work, "apply", str(example("analytics-dev")), env=_killing_git(tools, stored))
        assert killed.returncode in (-9, 0)
    tip = git(trunk, "rev-parse", "main")
    for work in (first, second):
        assert (work / stored).exists() and (work / ".git" / "index.lock").exists()
        assert git(work, "rev-parse", "HEAD") != tip

    finished = vending(first, "apply", str(example("analytics-dev")))
    assert finished.returncode == 0, finished.stderr
    assert git(first, "rev-parse", "HEAD") == tip and git(first, "status", "--porcelain") == ""

    (second / stored).write_text("# someone's own edit after the kill\n")
    kept = vending(second, "apply", str(example("analytics-dev")))
    assert kept.returncode == 0, kept.stderr
    assert "was killed while bringing the checkout" in kept.stderr
    assert (second / stored).read_text() == "# someone's own edit after the kill\n"
    assert (second / ".git" / "index.lock").exists(), "not vending's to remove any more"


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
