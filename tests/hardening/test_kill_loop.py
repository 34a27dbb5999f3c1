"""Kill `vending apply` at reproducible points, run it again, and prove nothing broke.

A `git` wrapper first on PATH counts the git commands vending runs (the seam is
`vending/gitops/git.py`) and SIGKILLs vending just before or just after the Nth of a kind. Three
points kill inside git itself, holding its locks: the trunk's and the clone's
`reference-transaction` hooks (a push, a ref update) and a smudge filter (the checkout follow)
kill the whole process group. After each kill the request is applied again, sometimes after
another clone moved trunk, and then: trunk and clone pass `git fsck --strict`, trunk's history is
linear and every tip it had is still in it (never forced), the request landed exactly once, no
lock is left, the clone's checkout is clean and at trunk's tip, and `vending check` passes there
(every third point: it renders the whole fleet).

`VENDING_KILL_POINTS` (default 30: each named point once) runs more, cycling through the points
with other clones and races.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import RunCli
from ..gitops.conftest import git, request_file
from .known import fixed_on_hardening
from .scale import KILL_POINTS
from .trunks import FEW_RETRIES, assert_linear, fsck, landings, locks, make_clone, make_trunk, tip

WRAPPER = """#!/bin/sh
# vending's git, counted: at the chosen command, SIGKILL vending (the parent) before or after it.
sub=$3
count="$VENDING_KILL_DIR/$sub"
n=$(( $(cat "$count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$count"
if [ "$sub" = "$VENDING_KILL_AT" ] && [ "$n" = "$VENDING_KILL_NTH" ]; then
  case "$VENDING_KILL_WHEN" in
    before) kill -9 "$PPID"; exit 137 ;;
    after) "$VENDING_REAL_GIT" "$@"; code=$?; kill -9 "$PPID"; exit "$code" ;;
    during) export VENDING_KILL_NOW=1 ;;
  esac
fi
exec "$VENDING_REAL_GIT" "$@"
"""
# Inside git, holding its locks: kill the whole process group (vending, git and git's children).
KILL_GROUP = 'kill -9 -"$(cut -d" " -f5 /proc/$$/stat)"'
REF_HOOK = f"""#!/bin/sh
if [ "$1" = prepared ] && [ -n "$VENDING_KILL_NOW" ]; then {KILL_GROUP}; fi
cat > /dev/null
"""
SMUDGE = f"""#!/bin/sh
if [ -n "$VENDING_KILL_NOW" ]; then {KILL_GROUP}; fi
exec cat
"""


@dataclass(frozen=True)
class Point:
    when: str
    command: str
    nth: int = 1

    def __str__(self) -> str:
        return f"{self.when}-{self.command}-{self.nth}"


# The git commands of one `vending apply` that creates a subscription, in order (24 in all; its blobs are
# written by one hash-object): find the clone,
# fetch trunk, read its tip (config, stored request, record, the subscription's tree), build and write the
# commit, push, follow.
BEFORE = [Point("before", c, n) for c, n in [
    ("rev-parse", 1), ("check-ref-format", 1), ("remote", 1), ("fetch", 1), ("rev-parse", 2), ("rev-parse", 3),
    ("cat-file", 1), ("cat-file", 2), ("ls-tree", 1), ("ls-tree", 2), ("read-tree", 1), ("hash-object", 1),
    ("ls-tree", 3), ("update-index", 1), ("write-tree", 1), ("commit-tree", 1), ("push", 1),
    ("symbolic-ref", 1), ("rev-parse", 4), ("merge-base", 1), ("read-tree", 2), ("update-ref", 1)]]
AFTER = [Point("after", c, n) for c, n in [("fetch", 1), ("commit-tree", 1), ("push", 1), ("read-tree", 2),
                                            ("update-ref", 1)]]
DURING = [Point("during", "push"), Point("during", "read-tree", 2), Point("during", "update-ref")]
POINTS = BEFORE + AFTER + DURING

# Once the push landed, the rerun finds trunk holding the request (a no-op) and leaves the checkout
# behind trunk, or half-moved (finding 10, "after a no-op rerun the checkout can stay behind").
BEHIND_AFTER_NOOP = {"before-symbolic-ref-1", "before-rev-parse-4", "before-merge-base-1", "before-read-tree-2",
                     "after-push-1", "before-update-ref-1", "after-read-tree-2"}
# Killed inside git: its lock stays, and the rerun does not recover from it (finding 8).
STALE_LOCK = {"during-read-tree-2", "during-update-ref-1"}
REMOTE_LOCK = "during-push-1"
"""Killed inside the receiving git: the lock on trunk is not vending's to remove (another pusher may hold
it), so the rerun names it and the operator removes it."""


def marks_of(point: Point) -> list[pytest.MarkDecorator]:
    if str(point) in STALE_LOCK:
        return fixed_on_hardening(8)
    if str(point) in BEHIND_AFTER_NOOP:
        return fixed_on_hardening(10)
    return []


pytestmark = pytest.mark.xdist_group("processes")  # kills processes: never beside each other
RUNS = KILL_POINTS
CASES = [pytest.param(index, POINTS[index % len(POINTS)], marks=marks_of(POINTS[index % len(POINTS)]),
                      id=f"{index:02d}-{POINTS[index % len(POINTS)]}") for index in range(RUNS)]


@dataclass
class Rig:
    base: Path
    bare: Path
    clones: list[Path]
    wrapper: Path
    tips: list[str]


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Rig:
    """One trunk for all points (each point vends its own name), three clones (on main, detached, on
    main) with the kill hooks and filter, and a fourth that moves trunk between a kill and the rerun."""
    base = tmp_path_factory.mktemp("kill")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        bare = make_trunk(base, FEW_RETRIES)
        clones = [make_clone(bare, base / f"clone{i}", detached=i == 1) for i in range(4)]
    _executable(bare / "hooks" / "reference-transaction", REF_HOOK)
    for clone in clones[:3]:
        _executable(clone / ".git" / "hooks" / "reference-transaction", REF_HOOK)
        _executable(clone / ".git" / "smudge-kill", SMUDGE)
        git(clone, "config", "filter.kill.smudge", ".git/smudge-kill")
        (clone / ".git" / "info" / "attributes").write_text("* filter=kill\n")
    wrapper = base / "bin"
    wrapper.mkdir()
    _executable(wrapper / "git", WRAPPER)
    return Rig(base, bare, clones, wrapper, [tip(bare)])


def _kill(rig: Rig, clone: Path, request: Path, point: Point, counts: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(rig.base), "PATH": f"{rig.wrapper}{os.pathsep}{os.environ['PATH']}",
           "VENDING_REAL_GIT": shutil.which("git") or "git", "VENDING_KILL_DIR": str(counts),
           "VENDING_KILL_AT": point.command, "VENDING_KILL_NTH": str(point.nth), "VENDING_KILL_WHEN": point.when}
    env.pop("VENDING_KILL_NOW", None)
    return subprocess.run([sys.executable, "-m", "vending", "apply", str(request)], cwd=clone, capture_output=True,
                          text=True, check=False, timeout=120, env=env, start_new_session=True)


def _restore(rig: Rig, clone: Path) -> None:
    """After a failed point, leave nothing that would fail the next ones for the same reason."""
    for repo, git_dir in ((rig.bare, rig.bare), (clone, clone / ".git")):
        for lock in locks(repo):
            (git_dir / lock).unlink()
    git(clone, "fetch", "--quiet", "origin")
    git(clone, "reset", "--quiet", "--hard", "origin/main")


@pytest.mark.slow
@pytest.mark.parametrize(("index", "point"), CASES)
def test_killed_at_a_point_the_rerun_recovers(index: int, point: Point, rig: Rig, run_cli: RunCli,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(rig.base))
    monkeypatch.delenv("TF_BUILD", raising=False)
    clone = rig.clones[index % 3]
    name = f"killed{index:03d}-dev"
    request = request_file(tmp_path, name)
    counts = tmp_path / "counts"
    counts.mkdir()
    try:
        killed = _kill(rig, clone, request, point, counts)
        assert killed.returncode == -signal.SIGKILL, \
            f"{point} was never reached (exit {killed.returncode}): {killed.stderr[-2000:]}"
        if index % 4 == 3 and point.command != "push":  # trunk moves before the rerun
            other = request_file(tmp_path, f"other{index:03d}-dev")
            assert run_cli("apply", str(other), "--repo", str(rig.clones[3])).code == 0

        rerun = run_cli("apply", str(request), "--repo", str(clone), "--output", "json")
        if str(point) == REMOTE_LOCK:
            assert "refs/heads/main.lock" in locks(rig.bare)
            assert rerun.code == 3 and "refs/heads/main.lock" in rerun.err and "trunk moved" not in rerun.err, rerun.err
            for lock in locks(rig.bare):
                (rig.bare / lock).unlink()  # what the message asks the operator to do
            rerun = run_cli("apply", str(request), "--repo", str(clone), "--output", "json")
        assert rerun.code == 0, f"the rerun after {point} failed: {rerun.err}"
        assert json.loads(rerun.out)["action"] in ("create", "noop")

        fsck(rig.bare)
        fsck(clone)
        assert_linear(rig.bare, rig.tips)
        rig.tips.append(tip(rig.bare))
        assert landings(rig.bare, name) == [f"vend: create subscription {name} [skip ci]"]
        assert locks(rig.bare) == [] and locks(clone) == [], "a lock was left behind"
        assert git(clone, "status", "--porcelain") == "", "the checkout is not clean"
        assert git(clone, "rev-parse", "HEAD").strip() == tip(rig.bare), "the checkout is not at trunk's tip"
        if index % 3 == 2:  # the whole fleet is rendered: every third point is enough to catch a bad tree
            check = run_cli("check", "--repo", str(clone))
            assert check.code == 0, check.out + check.err
    except BaseException:
        _restore(rig, clone)
        raise
