"""Bugs the hardening tests found outside issue 10's list, each pinned through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import RunCli


def test_check_and_render_all_with_repo_work_from_any_directory(run_cli: RunCli, gitops_repo: Path,
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The headers of generated files name `requests/<name>`: run from elsewhere with --repo, `check` used
    to render bare file names and call a consistent repository out of date (and `render --all` rewrote it)."""
    monkeypatch.chdir(gitops_repo)
    assert run_cli("render", "--all").code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    check = run_cli("check", "--repo", str(gitops_repo))
    assert check.code == 0, check.out + check.err
    again = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert again.code == 0 and "nothing to change" in again.out, again.out
