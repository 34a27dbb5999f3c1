"""The entry point: a command loads only what it uses (start-up time is a target, issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys

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


def loaded(*args: str) -> tuple[int, list[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], report["modules"]


@pytest.mark.parametrize("args", [["--version"], ["validate", "requests/payments-prod.yaml"]], ids=" ".join)
def test_light_commands_load_no_rendering_git_or_azure_devops_code(args: list[str]) -> None:
    code, modules = loaded(*args)
    assert code == 0
    assert [m for m in modules if m.startswith(HEAVY)] == []


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
