"""The smaller findings of 10: render honours the umask; Windows device names are refused as
subscription names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ..conftest import RunCli
from ..gitops.conftest import request_file


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_render_writes_files_honouring_the_umask(run_cli: RunCli, gitops_repo: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        result = run_cli("render", "--all", "--repo", str(gitops_repo))
    finally:
        os.umask(previous)
    assert result.code == 0, result.err
    written = sorted((gitops_repo / "generated").rglob("*.json"))
    assert written
    for path in [*written, gitops_repo / "CODEOWNERS"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


@pytest.mark.parametrize("name", ["con", "nul", "aux", "prn", "com1", "com9", "lpt1", "lpt9", "com0"])
def test_windows_device_names_are_refused(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    path = request_file(tmp_path, "placeholder")
    path.write_text(path.read_text().replace('"placeholder"', f'"{name}"'))
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert f"placeholder.json:3:11: error: /name: '{name}' is a device name Windows reserves" in result.err


@pytest.mark.parametrize("name", ["con-1", "console", "nul-dev", "com10", "lpt-9", "auxiliary"])
def test_names_that_only_start_like_a_device_are_fine(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    path = request_file(tmp_path, name)
    result = run_cli("validate", str(path))
    assert result.code == 0, result.err


@pytest.mark.parametrize(("old", "new", "pointer"), [
    ('skipCi: "[skip ci]"', 'skipCi: "[skip ci]\\n\\nRequested-By: mallory@contoso.com"', "/git/skipCi"),
    ("name: vending-bot", "name: \"bot <evil@x> \"", "/git/committer/name"),
    ("email: vending-bot@contoso.com", "email: \"a b@contoso.com\"", "/git/committer/email"),
])
def test_git_settings_are_held_to_what_they_become(run_cli: RunCli, gitops_repo: Path, old: str, new: str,
                                                   pointer: str) -> None:
    config = gitops_repo / "vending.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert f"error: {pointer}: " in result.err
