"""Finding 2: reads of repository content refuse symbolic links, special files and paths leaving the
repository, so a pull request cannot make `check` or `render --dry-run` print a file of the agent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..gitops.conftest import Clone, example, git, vending

SECRET = "fake-secret-7f3a9c1e-do-not-print"
PIPELINE = {"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": SECRET, "SYSTEM_ACCESSTOKEN": SECRET + "-job"}


def _commit_link(work: Path, relative: str, target: str) -> None:
    link = work / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    git(work, "add", relative)
    git(work, "commit", "--quiet", "-m", f"link {relative}")


@pytest.fixture
def outside_secret(tmp_path: Path) -> Path:
    secret_file = tmp_path / "outside" / "secret.txt"
    secret_file.parent.mkdir()
    secret_file.write_text(f'{{"password": "{SECRET}-in-a-file"}}\n')
    return secret_file


@pytest.mark.parametrize("target", ["outside", "/proc/self/environ"])
@pytest.mark.parametrize("command", [["check"], ["render", "--all", "--dry-run"]])
def test_a_committed_link_in_generated_is_refused_and_nothing_is_printed(
        clone: Clone, outside_secret: Path, target: str, command: list[str]) -> None:
    work = clone()
    pointed = str(outside_secret) if target == "outside" else target
    _commit_link(work, "generated/terraform/production/leak/main.tf.json", pointed)
    result = vending(work, *command, env=PIPELINE)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    assert "generated/terraform/production/leak/main.tf.json" in printed
    assert "is a symbolic link" in printed and "Traceback" not in printed
    assert SECRET not in printed and "fake-secret" not in printed
    assert "password" not in printed and "PATH=" not in printed


@pytest.mark.parametrize("relative", ["requests/leak.yaml", "vending.yaml", "generated/crossplane"])
def test_links_to_requests_configuration_and_directories_are_refused(
        clone: Clone, outside_secret: Path, relative: str) -> None:
    work = clone()
    if relative == "vending.yaml":
        (work / relative).unlink()
        git(work, "add", "-A")
    assert not (work / relative).exists()
    pointed = str(outside_secret.parent if relative == "generated/crossplane" else outside_secret)
    _commit_link(work, relative, pointed)
    for command in (["check"], ["render", "--all", "--dry-run"]):
        result = vending(work, *command, env=PIPELINE)
        printed = result.stdout + result.stderr
        assert result.returncode in (1, 2), printed
        assert f"{relative}: " in printed and "symbolic link" in printed, printed
        assert "fake-secret" not in printed and "Traceback" not in printed


def test_a_fifo_in_generated_is_refused_without_hanging(clone: Clone) -> None:
    work = clone()
    fifo = work / "generated" / "terraform" / "production" / "pipe" / "main.tf.json"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    result = vending(work, "check", timeout=60)
    assert result.returncode == 1
    assert "generated/terraform/production/pipe/main.tf.json: it is not a regular file" in result.stderr


def test_render_of_a_linked_request_file_inside_the_repository_is_refused(
        clone: Clone, outside_secret: Path) -> None:
    work = clone()
    (work / "requests").mkdir(exist_ok=True)
    (work / "requests" / "linked.yaml").symlink_to(outside_secret)
    result = vending(work, "render", "--dry-run", "requests/linked.yaml", env=PIPELINE)
    assert result.returncode == 1
    assert "requests/linked.yaml" in result.stderr and "symbolic link" in result.stderr
    assert "fake-secret" not in result.stdout + result.stderr


def test_a_plain_request_outside_the_repository_still_renders(clone: Clone) -> None:
    work = clone()
    result = vending(work, "render", "--dry-run", str(example("analytics-dev")))
    assert result.returncode == 0, result.stderr
