"""The reporter under an Azure Pipelines agent: issues, output variables, no secrets, no smuggled commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .azdo import agent
from .conftest import EXAMPLES, RunCli

PIPELINE = {"TF_BUILD": "True"}
HOSTILE = b"""schemaVersion: "2"
name: "x##vso[task.setvariable variable=evil]1"
displayName: "##[error]fake"
workload: Production
billingScope: /providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2
managementGroup: corp
location: uksouth
requestedBy: alice@contoso.com
ticket: "pat-secret-value-42!"
"""


@pytest.fixture(autouse=True)
def _not_in_a_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_BUILD", "AZURE_DEVOPS_EXT_PAT", "SYSTEM_ACCESSTOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_no_logging_commands_outside_a_pipeline(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE)
    result = run_cli("validate", str(bad))
    assert result.code == 1
    assert not any(line.startswith("##vso[") for line in result.err.splitlines())
    assert "x##vso[task.setvariable variable=evil]1" in result.err  # people see the value as written


def test_errors_become_located_issues_and_results_output_variables(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b'schemaVersion: "1.1"\nname: Payments_Prod\n')
    result = run_cli("validate", str(bad), env=PIPELINE)
    assert result.code == 1
    issues = [c for c in agent.commands(result.err) if c.name == "task.logissue"]
    name = next(c for c in issues if c.message.startswith("/name:"))
    assert name.properties == {"type": "error", "sourcepath": str(bad), "linenumber": "2", "columnnumber": "7"}
    assert f"{bad}:2:7: error: /name:" in result.err  # the plain line is still there for people
    variables = {c.properties["variable"]: c.message for c in agent.commands(result.err)
                 if c.name == "task.setvariable"}
    assert variables == {"valid": "false", "schemaVersion": "1.1.0"}
    assert all(c.properties.get("isoutput") == "true" for c in agent.commands(result.err)
               if c.name == "task.setvariable")


def test_valid_request_sets_valid_and_its_resolved_version(run_cli: RunCli) -> None:
    result = run_cli("validate", str(EXAMPLES / "payments-prod.yaml"), "--output", "json", env=PIPELINE)
    assert result.code == 0
    commands = agent.commands(result.err)
    assert [c.properties["type"] for c in commands if c.name == "task.logissue"] == ["warning"]  # deprecated 1.0
    variables = {c.properties["variable"]: c.message for c in commands if c.name == "task.setvariable"}
    assert variables == {"valid": "true", "schemaVersion": "1.0.0"}
    assert result.out.startswith("{")  # standard output stays JSON


def test_request_values_cannot_smuggle_commands_and_secrets_are_masked(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE)
    result = run_cli("validate", str(bad), env={**PIPELINE, "AZURE_DEVOPS_EXT_PAT": "pat-secret-value-42"})
    assert result.code == 1
    assert "/ticket:" in result.err and "/name:" in result.err
    assert {c.name for c in agent.commands(result.err)} == {"task.logissue", "task.setvariable"}
    assert "evil" not in {c.properties.get("variable") for c in agent.commands(result.err)}
    assert not any(line.startswith("##[") for line in result.err.splitlines())
    assert "pat-secret-value-42" not in result.err + result.out
    assert "***" in result.err



def test_json_output_is_lossless_yet_carries_no_commands(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE)
    result = run_cli("validate", str(bad), "--output", "json", env=PIPELINE)
    assert agent.commands(result.out) == [] and "##" not in result.out
    messages = [e["message"] for e in json.loads(result.out)["results"][0]["errors"]]
    assert any('"x##vso[task.setvariable variable=evil]1"' in m for m in messages)
