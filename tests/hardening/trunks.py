"""Real trunks for the hardening tests: a bare repository seeded as `vending init` would leave it,
clones of it, and the checks that trunk and a clone are whole after whatever happened to them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..conftest import ROOT
from ..gitops.conftest import GIT_ENV, git, vending

MANY_RETRIES = "{attempts: 50, budgetSeconds: 240, initialDelaySeconds: 0.02}"
"""For many runs racing: every one must land."""
FEW_RETRIES = "{attempts: 4, budgetSeconds: 5, initialDelaySeconds: 0.05}"
"""For one run at a time: a refused push is not a race, so give up soon."""


def make_trunk(base: Path, push: str = MANY_RETRIES) -> Path:
    """A bare repository at `base/trunk.git` whose main holds vending.yaml (quick push retries) and the
    platform files it renders, so that `vending check` passes on it."""
    bare = base / "trunk.git"
    git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = base / "seed"
    git(base, "clone", "--quiet", str(bare), str(seed))
    config = (ROOT / "vending.yaml").read_text().replace('skipCi: "[skip ci]"', f'skipCi: "[skip ci]"\n  push: {push}')
    (seed / "vending.yaml").write_text(config)
    rendered = vending(seed, "render", "--all")
    assert rendered.returncode == 0, rendered.stderr
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "Start the GitOps repository")
    git(seed, "push", "--quiet", "origin", "main")
    return bare


def make_clone(bare: Path, target: Path, *, detached: bool = False) -> Path:
    git(target.parent, "clone", "--quiet", str(bare), str(target))
    if detached:
        git(target, "checkout", "--quiet", "--detach", "origin/main")
    return target


def tip(bare: Path) -> str:
    return git(bare, "rev-parse", "refs/heads/main").strip()


def fsck(repo: Path) -> None:
    """`git fsck --strict`: every object and ref sound (dangling objects are fine: a killed run leaves some)."""
    result = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-progress"], capture_output=True,
                            text=True, check=False, env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, f"git fsck --strict in {repo}:\n{result.stdout}{result.stderr}"
    assert "error" not in result.stderr.lower() and "missing" not in result.stdout, result.stdout + result.stderr


def assert_linear(bare: Path, old_tips: list[str]) -> None:
    """No merge on main, and every tip main ever had is still in its history (it was never forced)."""
    history = git(bare, "rev-list", "--parents", "main").splitlines()
    assert all(len(line.split()) <= 2 for line in history), "a merge commit on trunk"
    commits = {line.split()[0] for line in history}
    lost = [old for old in old_tips if old not in commits]
    assert not lost, f"trunk was rewound or forced: {lost} are no longer in its history"


def landings(bare: Path, name: str) -> list[str]:
    """The subjects of the commits on main that touched the request of `name`."""
    return git(bare, "log", "--format=%s", "main", "--", f"requests/{name}.json", f"requests/{name}.yaml").splitlines()


def locks(repo: Path) -> list[str]:
    """Lock files git left behind (a killed git holds them)."""
    git_dir = repo if repo.suffix == ".git" else repo / ".git"
    return sorted(str(path.relative_to(git_dir)) for path in git_dir.rglob("*.lock"))
