"""Issue 15 item 4: render and check give the same bytes from every directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT, VENDED_ON


def vending(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vending", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, "VENDING_TODAY": VENDED_ON.isoformat()})


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_render_and_check_do_not_depend_on_the_current_directory(tmp_path: Path) -> None:
    repo = tmp_path / "parent" / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".git", ".venv", "tests", "benchmarks", "docs",
                                                              "__pycache__", ".*_cache", "*.egg-info"))
    unrelated = tmp_path / "elsewhere"
    unrelated.mkdir()
    expected = snapshot(repo)
    places = [(repo, ()), (repo / "requests", ()), (repo.parent, ("--repo", "repo")),
              (unrelated, ("--repo", str(repo))), (repo / "generated", ("--repo", ".."))]
    for cwd, repo_args in places:
        checked = vending(cwd, "check", *repo_args)
        assert checked.returncode == 0, (cwd, checked.stdout, checked.stderr)
        rendered = vending(cwd, "render", "--all", *repo_args)
        assert rendered.returncode == 0, (cwd, rendered.stderr)
        assert rendered.stdout.strip() == "nothing to change", cwd
        assert snapshot(repo) == expected, cwd
    # A request named relative to a subdirectory renders what it renders from the root.
    from_sub = vending(repo / "requests", "render", "analytics-dev.yaml", "--dry-run")
    from_root = vending(repo, "render", "requests/analytics-dev.yaml", "--dry-run")
    assert from_sub.returncode == 0, from_sub.stderr
    assert from_sub.stdout == from_root.stdout
    assert from_sub.stdout.strip() == "nothing to change"
    assert snapshot(repo) == expected
