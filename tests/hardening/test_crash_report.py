"""The exit-70 crash report: a bug's message may carry a secret or a file name that is not UTF-8 (a
surrogate escape). The report file was written unmasked, and a surrogate made the report itself raise:
Python then printed the raw traceback past the guard, the secret and `##vso[` with it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import vending.commands.validate

from ..conftest import RunCli

SECRET = "fake-secret-91d2c4e8-do-not-print"
MESSAGE = f"boom {SECRET} \udcff ##vso[task.setvariable variable=pwned]yes"


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """`vending validate` raising a bug; the crash log's directory."""

    def bug(sources: tuple[str, ...]) -> list[str]:
        raise RuntimeError(MESSAGE)

    monkeypatch.setattr(vending.commands.validate, "expand", bug)
    logs = tmp_path / "tmp"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    return logs


def test_a_bug_is_exit_70_with_a_masked_report_even_with_text_that_is_not_unicode(
        run_cli: RunCli, crashing: Path) -> None:
    result = run_cli("validate", "x", env={"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": SECRET})
    assert result.code == 70
    assert "internal error" in result.err and "Please report it with that file" in result.err
    assert SECRET not in result.err and "##vso[" not in result.err
    (log,) = crashing.glob("vending-crash-*.log")
    report = log.read_text(encoding="utf-8")
    assert "RuntimeError: boom ***" in report and SECRET not in report


def test_a_report_that_cannot_be_saved_is_printed_behind_the_guard(
        run_cli: RunCli, crashing: Path) -> None:
    crashing.rmdir()
    result = run_cli("validate", "x", env={"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": SECRET})
    assert result.code == 70
    assert "the details could not be saved" in result.err and "RuntimeError: boom ***" in result.err
    assert SECRET not in result.err and "##vso[" not in result.err
