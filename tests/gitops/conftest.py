"""Real git: a bare repository as trunk, seeded with the project's vending.yaml, and clones of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, ROOT, VENDED_ON

Clone = Callable[..., Path]

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(repo: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False,
                            env={**os.environ, **GIT_ENV})
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
    return result.stdout


def vending(cwd: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process, as a pipeline runs it, on the day `VENDED_ON` unless `env` says."""
    return subprocess.run([sys.executable, "-m", "vending", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=timeout,
                          env={**os.environ, "VENDING_TODAY": VENDED_ON.isoformat(), **(env or {})})


@pytest.fixture(scope="session")
def started_trunk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository whose main holds vending.yaml (fast retries for the tests) and the platform
    files it renders, so that `vending check` passes on it: made once per test process (each xdist
    worker has its own), copied for each test by `trunk`."""
    base = tmp_path_factory.mktemp("started-trunk")
    bare = base / "trunk.git"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))  # no user git config leaks in
        git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        seed = base / "seed"
        git(base, "clone", "--quiet", str(bare), str(seed))
        fast_retries = "\n  push: {attempts: 40, budgetSeconds: 120, initialDelaySeconds: 0.05}"
        config = (ROOT / "vending.yaml").read_text().replace('skipCi: "[skip ci]"',
                                                             'skipCi: "[skip ci]"' + fast_retries)
        (seed / "vending.yaml").write_text(config)
        rendered = vending(seed, "render", "--all")  # the platform files: trunk starts consistent
        assert rendered.returncode == 0, rendered.stderr
        git(seed, "add", ".")
        git(seed, "commit", "--quiet", "-m", "Start the GitOps repository")
        git(seed, "push", "--quiet", "origin", "main")
    return bare


@pytest.fixture
def trunk(started_trunk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A test's own copy of `started_trunk`."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no user git config leaks in
    bare = tmp_path / "trunk.git"
    shutil.copytree(started_trunk, bare, symlinks=True)
    return bare


@pytest.fixture
def clone(trunk: Path, tmp_path: Path) -> Clone:
    counter = iter(range(1000))

    def make(*, detached: bool = False) -> Path:
        target = tmp_path / f"clone{next(counter)}"
        git(tmp_path, "clone", "--quiet", str(trunk), str(target))
        if detached:
            git(target, "checkout", "--quiet", "--detach", "origin/main")
        return target

    return make


def request_file(directory: Path, name: str, *, workload: str = "DevTest", **fields: object) -> Path:
    """A valid 2.0 request named `name`, written to `directory/name.json`."""
    doc = {"schemaVersion": "2.0.0", "name": name, "displayName": f"App {name}", "workload": workload,
           "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
           "managementGroup": "corp", "location": "uksouth", "requestedBy": f"{name}@contoso.com", **fields}
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def example(name: str) -> Path:
    return next(EXAMPLES.glob(f"{name}.*"))
