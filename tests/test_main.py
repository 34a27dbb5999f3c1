"""The entry point: a command loads only what it uses (start-up time is a target, issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PROBE = """
import json, sys
from vending.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith("vending"))}))
"""

HEAVY = ("vending.render", "vending.desired", "vending.gitops", "vending.azdo", "vending.schemadiff", "vending.release",
         "vending.plan", "vending.writer", "vending.records", "vending.fleet", "vending.apply", "vending.trunk")


def loaded(*args: str, cwd: Path = ROOT) -> tuple[int, list[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True,
                            cwd=cwd)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], report["modules"]


@pytest.mark.parametrize("args", [["--version"], ["validate", str(ROOT / "requests" / "payments-prod.yaml")]],
                         ids=lambda args: args[0])
def test_light_commands_load_no_rendering_git_or_azure_devops_code(args: list[str], tmp_path: Path) -> None:
    """Outside a repository; inside one, validate runs the repository's checks (below)."""
    code, modules = loaded(*args, cwd=tmp_path)
    assert code == 0
    assert [m for m in modules if m.startswith(HEAVY)] == []


def test_validate_in_a_repository_loads_its_checks_but_no_git_or_azure_devops_code() -> None:
    code, modules = loaded("validate", "requests/payments-prod.yaml")
    assert code == 0
    assert "vending.policy" in modules
    checks = ("vending.render", "vending.records", "vending.fleet")  # what the repository's checks read
    assert [m for m in modules if m.startswith(HEAVY) and not m.startswith(checks)] == []


def test_version_loads_no_validation() -> None:
    _, modules = loaded("--version")
    assert "vending.validation" not in modules and "vending.config" not in modules


def test_every_command_is_reachable() -> None:
    import click  # noqa: PLC0415

    from vending.main import COMMANDS, LazyGroup, cli  # noqa: PLC0415

    context = click.Context(cli)
    assert isinstance(cli, LazyGroup)
    for name in COMMANDS:
        assert cli.get_command(context, name) is not None, name
