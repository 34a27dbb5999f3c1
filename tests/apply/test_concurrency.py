"""Many runs, one trunk: nothing lost, nothing overwritten, nothing half-done."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..gitops.conftest import Clone, git, request_file, vending

pytestmark = pytest.mark.xdist_group("processes")  # many processes at once: never beside each other


def start(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "vending", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def _push_barrier(tmp_path: Path, parties: int) -> dict[str, str]:
    """A `git` on PATH that holds each run's first push until `parties` runs have reached theirs, so
    that all of them derived their change from the same tip: a real race, whatever the machine's load."""
    real = shutil.which("git")
    assert real is not None
    bin_dir, arrived = tmp_path / "barrier-bin", tmp_path / "barrier"
    bin_dir.mkdir()
    arrived.mkdir()
    script = bin_dir / "git"
    script.write_text(f"""#!/bin/sh
case " $* " in
  *" push "*)
    if [ ! -e "{arrived}/$PPID" ]; then
      : > "{arrived}/$PPID"
      waited=0
      while [ "$(ls "{arrived}" | wc -l)" -lt {parties} ] && [ $waited -lt 600 ]; do
        sleep 0.1; waited=$((waited + 1))
      done
    fi ;;
esac
exec "{real}" "$@"
""")
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.slow
def test_twenty_runs_at_once_all_land_on_a_linear_history(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    names = [f"team{index:02d}-dev" for index in range(20)]
    runs = []
    for name in names:
        work = clone(detached=True)
        runs.append((name, start(work, "apply", str(request_file(tmp_path, name)), "--output", "json")))
    outcomes = {}
    for name, process in runs:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {err}"
        outcomes[name] = json.loads(out)
    assert all(outcome["action"] == "create" for outcome in outcomes.values())
    assert max(outcome["attempts"] for outcome in outcomes.values()) > 1, "they really raced"
    history = git(trunk, "rev-list", "--parents", "main").splitlines()
    assert len(history) == 21
    assert all(len(line.split()) <= 2 for line in history), "no merge commits: linear"
    subjects = git(trunk, "log", "--format=%s", "main").splitlines()[:-1]
    assert sorted(subject.split()[3] for subject in subjects) == names
    stored = set(git(trunk, "ls-tree", "-r", "--name-only", "main", "requests").split())
    assert stored == {f"requests/{name}.json" for name in names}
    check = vending(clone(), "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_two_runs_racing_for_one_name_one_wins(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = request_file(tmp_path / "a", "contested-dev", displayName="Team A")
    second = request_file(tmp_path / "b", "contested-dev", displayName="Team B")
    env = _push_barrier(tmp_path, parties=2)
    runs = [start(clone(), "apply", str(first), env=env), start(clone(), "apply", str(second), env=env)]
    results = [(p.wait(timeout=120), p.stdout.read() if p.stdout else "", p.stderr.read() if p.stderr else "")
               for p in runs]
    assert len(list((tmp_path / "barrier").iterdir())) == 2, "both runs reached the push barrier"
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1)
    assert "contested-dev was changed on main by another run while this one was in flight" in loser
    assert "Traceback" not in loser
    assert len(git(trunk, "log", "--format=%s", "main", "--", "requests/contested-dev.json").splitlines()) == 1


def test_killed_at_any_point_the_rerun_lands_once(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    request = request_file(tmp_path, "survivor-dev")
    rng = random.Random(20261126)
    for _ in range(6):
        process = start(work, "apply", str(request))
        time.sleep(rng.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        git(work, "fsck", "--no-dangling")  # fails the test on any broken object or ref
        git(trunk, "fsck", "--no-dangling")
        interrupted_follow = (work / ".git" / "vending-follow").exists()
        assert interrupted_follow or git(work, "status", "--porcelain") == "", \
            "the checkout is only ever fast-forwarded (or a follow was cut short, which the next run finishes)"
    final = vending(work, "apply", str(request), "--output", "json")
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)["action"] in ("create", "noop")
    assert git(trunk, "log", "--format=%s", "main", "--", "requests/survivor-dev.json").splitlines() == [
        "vend: create subscription survivor-dev [skip ci]"]
    assert git(work, "status", "--porcelain") == ""
    git(work, "fsck")
