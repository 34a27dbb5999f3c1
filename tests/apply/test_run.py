"""The shape of one run, seen from git: the clone is found once and trunk fetched once when nothing races."""

from __future__ import annotations

import json
from pathlib import Path

from ..gitops.conftest import Clone, example, vending


def git_commands(trace: Path) -> list[str]:
    """The git subcommands vending ran, from GIT_TRACE (`trace: built-in: git <subcommand> ...`)."""
    return [line.split("built-in: git ", 1)[1] for line in trace.read_text().splitlines() if "built-in: git " in line]


def test_one_apply_finds_the_clone_once_and_fetches_trunk_once(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    trace = tmp_path / "trace"
    result = vending(work, "apply", str(example("analytics-dev")), "--output", "json",
                     env={"GIT_TRACE": str(trace)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["attempts"] == 1
    ran = git_commands(trace)
    assert sum(1 for command in ran if command.startswith("rev-parse --show-toplevel")) == 1
    assert sum(1 for command in ran if command.startswith("fetch ")) == 1
    assert sum(1 for command in ran if command.startswith("push ")) == 1
