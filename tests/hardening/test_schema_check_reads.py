"""`vending schema check` runs in CI on a pull request's checkout like `check` does, so its reads of the
release lock, schema files, CHANGELOG.md, stored requests and the derived interface files refuse links
and special files too: a link to a file of the agent was read and quoted in a YAML error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..gitops.conftest import Clone, git, vending

SECRET = "fake-secret-5be1d0a2-do-not-print"
PIPELINE = {"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": SECRET, "SYSTEM_ACCESSTOKEN": SECRET + "-job"}
OUTSIDE_LINE = "token: unmasked-file-secret-0c9e: quoted by yaml\n"


@pytest.fixture
def released(clone: Clone) -> Path:
    """A clone holding the released request schemas and the changelog: `schema check` passes on it."""
    work = clone()
    shutil.copytree(ROOT / "interface" / "request", work / "interface" / "request")
    shutil.copy(ROOT / "CHANGELOG.md", work / "CHANGELOG.md")
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "Release the request schemas")
    result = vending(work, "schema", "check", env=PIPELINE)
    assert result.returncode == 0, result.stdout + result.stderr
    return work


def _replace_with_link(work: Path, relative: str, target: Path) -> None:
    path = work / relative
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize("relative", [
    "interface/pipelines/vend-subscription.yml", "interface/crossplane/definition.yaml", "CHANGELOG.md",
    "requests/leak.yaml", "interface/request/releases.json", "interface/request/2.0.0.schema.json",
    "interface/request/9.9.9.schema.json"])
def test_a_link_in_what_schema_check_reads_is_refused_unread(released: Path, tmp_path: Path, relative: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(OUTSIDE_LINE)
    _replace_with_link(released, relative, outside)
    result = vending(released, "schema", "check", env=PIPELINE, timeout=60)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert (f"{relative}: {relative} is a symbolic link" in printed
            or f"{relative}: it is a symbolic link" in printed), printed
    assert "unmasked-file-secret" not in printed and "fake-secret" not in printed and "Traceback" not in printed


@pytest.mark.parametrize("directory", ["requests", "interface/pipelines"])
def test_a_linked_directory_is_refused(released: Path, tmp_path: Path, directory: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("leak.yaml", "vend-subscription.yml"):
        (outside / name).write_text(OUTSIDE_LINE)
    _replace_with_link(released, directory, outside)
    result = vending(released, "schema", "check", env=PIPELINE, timeout=60)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert f"{directory} is a symbolic link" in printed, printed
    assert "unmasked-file-secret" not in printed


def test_a_fifo_among_the_stored_requests_is_refused_without_hanging(released: Path) -> None:
    (released / "requests").mkdir(exist_ok=True)
    os.mkfifo(released / "requests" / "pipe.yaml")
    result = vending(released, "schema", "check", env=PIPELINE, timeout=60)
    assert result.returncode == 1
    assert "requests/pipe.yaml: it is not a regular file" in result.stderr


@pytest.mark.parametrize("argument", ["requests", "requests/"])
def test_validate_refuses_a_requests_directory_that_is_a_link(clone: Clone, tmp_path: Path, argument: str) -> None:
    """CI runs `vending validate requests` on the checkout; a pull request replacing requests/ by a link
    made it read files outside and quote their values in schema errors."""
    work = clone()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.yaml").write_text('schemaVersion: "2.0.0"\nname: UNMASKED-FILE-SECRET-0c9e\n')
    _replace_with_link(work, "requests", outside)
    result = vending(work, "validate", argument, env=PIPELINE, timeout=60)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert "requests: it is a symbolic link" in printed, printed
    assert "UNMASKED-FILE-SECRET" not in printed and "Traceback" not in printed
