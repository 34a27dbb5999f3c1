"""A file name that is not UTF-8 (anyone can commit `requests/\\xff.yaml`) reaches vending surrogate-
escaped; on a strict UTF-8 stream (PYTHONIOENCODING=utf-8, a UTF-8 locale other than C) printing it
raised inside the guard: `vending validate requests` ended in exit 70. It is printed as an escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..gitops.conftest import example, vending

NAME = b"\xff##vso[task.setvariable variable=pwned]yes"


@pytest.mark.parametrize("output", ["text", "json"])
def test_validate_prints_a_file_name_that_is_not_utf8_as_an_escape(tmp_path: Path, output: str) -> None:
    requests = tmp_path / "requests"
    requests.mkdir()
    valid = example("analytics-dev").read_bytes()
    (requests / os.fsdecode(NAME + b".yaml")).write_bytes(valid)
    (requests / os.fsdecode(NAME + b"-broken.yaml")).write_bytes(b"schemaVersion: '2.0.0'\nname: 7\n")
    result = vending(tmp_path, "validate", "--output", output, "requests",
                     env={"PYTHONIOENCODING": "utf-8", "TF_BUILD": "True"})
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert "internal error" not in printed and "Traceback" not in printed
    assert "\\udcff" in printed


def test_a_marker_in_a_file_name_is_defused_in_the_issue_it_locates(tmp_path: Path) -> None:
    """Every `##vso[` after the start of a line is defused, the `sourcepath` of vending's own
    `task.logissue` included (it used to carry the file name as it was)."""
    requests = tmp_path / "requests"
    requests.mkdir()
    (requests / "x##vso[task.setvariable variable=pwned]yes##[error]no.yaml").write_text(
        "schemaVersion: '2.0.0'\nname: 7\n")
    result = vending(tmp_path, "validate", "requests", env={"TF_BUILD": "True"})
    assert result.returncode == 1
    issues = [line for line in result.stderr.splitlines() if line.startswith("##vso[task.logissue ")]
    assert issues and all("sourcepath=requests/x**vso[" in line for line in issues), result.stderr
    for line in result.stdout.splitlines() + result.stderr.splitlines():
        assert "##vso[" not in line[1:] and "##[" not in line, line
