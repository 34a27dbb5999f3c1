"""Finding 7 and part of 10: git runs aimed at the repository vending was asked to use, whatever the
caller's environment says, and git's own refusals are reported as what they are."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vending.gitops.git import REDIRECTING, scrubbed

from ..gitops.conftest import Clone, example, git, vending


def _state(repo: Path) -> tuple[str, str, str, str]:
    index = repo / ".git" / "index"
    return (git(repo, "rev-parse", "HEAD"), git(repo, "for-each-ref"), git(repo, "status", "--porcelain"),
            hashlib.sha256(index.read_bytes()).hexdigest() if index.exists() else "")


def test_every_repository_local_variable_git_knows_is_dropped(tmp_path: Path) -> None:
    listed = subprocess.run(["git", "rev-parse", "--local-env-vars"], capture_output=True, text=True, check=True,
                            cwd=tmp_path).stdout.split()
    assert listed and set(listed) <= REDIRECTING
    env = {name: "x" for name in listed} | {"GIT_CONFIG_KEY_0": "core.hooksPath", "GIT_CONFIG_VALUE_0": "/evil",
                                           "GIT_NAMESPACE": "other", "HOME": "/home/me", "GIT_SSH_COMMAND": "ssh"}
    assert scrubbed(env) == {"HOME": "/home/me", "GIT_SSH_COMMAND": "ssh"}


def test_a_callers_git_dir_does_not_redirect_apply(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    victim = clone()
    (victim / "unstaged.txt").write_text("the victim's own work\n")
    before = _state(victim)
    hijack = {"GIT_DIR": str(victim / ".git"), "GIT_WORK_TREE": str(victim),
              "GIT_INDEX_FILE": str(victim / ".git" / "index"),
              "GIT_OBJECT_DIRECTORY": str(victim / ".git" / "objects"),
              "GIT_NAMESPACE": "hijacked", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "remote.origin.url",
              "GIT_CONFIG_VALUE_0": str(tmp_path / "nowhere.git")}
    result = vending(tmp_path, "apply", "--repo", str(work), str(example("analytics-dev")), "--output", "json",
                     env=hijack)
    assert result.returncode == 0, result.stderr
    assert _state(victim) == before, "the victim's HEAD, refs, index and worktree are untouched"
    assert "requests/analytics-dev.yaml" in git(trunk, "ls-tree", "-r", "--name-only", "main")
    assert git(work, "rev-parse", "HEAD") == git(trunk, "rev-parse", "main"), "the asked-for clone followed"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("chown") is None,
                    reason="needs root to give the clone to another user")
def test_dubious_ownership_is_reported_with_the_safe_directory_fix(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    subprocess.run(["chown", "-R", "65534:65534", str(work)], check=True)
    result = vending(tmp_path, "apply", "--repo", str(work), str(example("analytics-dev")))
    assert result.returncode == 3, result.stderr
    assert "dubious ownership" in result.stderr
    assert f"git config --global --add safe.directory {work}" in result.stderr
    assert "not inside a git repository" not in result.stderr
