from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vending.azdo.parameters import encode_for_pipeline

from ..azdo import agent
from ..conftest import RunCli

PARAMS: dict[str, Any] = {
    "schemaVersion": "2.0.0", "name": "payments-prod", "displayName": "' && rm -rf ~ && echo '$(System.AccessToken)",
    "workload": "Production", "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
    "managementGroup": "corp", "location": "uksouth", "requestedBy": "alice@contoso.com", "ticket": "",
    "tags": {"note": "100% $(x)"}, "budgets": {}, "network": {}, "roleAssignments": {}, "resourceProviders": [],
    "state": "present", "dryRun": False, "pool": {"vmImage": "ubuntu-latest"},
}


def env_for(params: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"VENDING_PARAMETERS": encode_for_pipeline(json.dumps(params)), **extra}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_BUILD", "VENDING_PARAMETERS"):
        monkeypatch.delenv(name, raising=False)


def test_writes_the_request_as_plain_data(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "request.json"
    result = run_cli("request", "from-pipeline", "--out", str(out), env=env_for(PARAMS))
    assert result.code == 0, result.err
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == {key: PARAMS[key] for key in (
        "schemaVersion", "name", "displayName", "workload", "billingScope", "managementGroup", "location",
        "requestedBy", "tags", "state")}
    assert "' && rm -rf ~ && echo '$(System.AccessToken)" in out.read_text(encoding="utf-8")
    assert f"{out}: request for payments-prod (schema 2.0.0)" in result.err


def test_standard_output_and_another_variable(run_cli: RunCli) -> None:
    result = run_cli("request", "from-pipeline", "--env", "MY_PARAMS", "--out", "-",
                     env={"MY_PARAMS": encode_for_pipeline(json.dumps(PARAMS))})
    assert result.code == 0
    assert json.loads(result.out)["name"] == "payments-prod"


def test_output_variables_under_azure_pipelines(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("request", "from-pipeline", "--out", str(tmp_path / "r.json"),
                     env=env_for(PARAMS, TF_BUILD="True"))
    variables = {c.properties["variable"]: c.message for c in agent.commands(result.err)}
    assert variables == {"subscription": "payments-prod", "schemaVersion": "2.0.0"}


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "the environment variable VENDING_PARAMETERS is not set"),
    ({"VENDING_PARAMETERS": json.dumps(PARAMS)}, "it contains '$', so it was not encoded by the template"),
    ({"VENDING_PARAMETERS": "{not json"}, "the parameters are not readable"),
    ({"VENDING_PARAMETERS": "[]"}, "expected a JSON object of parameters, found a list"),
    (env_for({**PARAMS, "name": "Payments_Prod", "workload": "Prod", "tags": "x"}),
     "<pipeline parameters>: error: /tags: parameter 'tags': expected a mapping"),
    (env_for({**PARAMS, "name": "Payments_Prod", "workload": "Prod"}),
     "<pipeline parameters>: error: /workload: expected one of \"Production\", \"DevTest\"; found \"Prod\""),
    (env_for({k: v for k, v in PARAMS.items() if k != "requestedBy"}),
     "/requestedBy: missing required property 'requestedBy'"),
])
def test_problems_exit_1_and_write_nothing(run_cli: RunCli, tmp_path: Path, env: dict[str, str],
                                           expected: str) -> None:
    out = tmp_path / "request.json"
    out.write_text("previous\n", encoding="utf-8")
    result = run_cli("request", "from-pipeline", "--out", str(out), env=env)
    assert result.code == 1
    assert expected in result.err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert list(tmp_path.iterdir()) == [out]
    assert "Traceback" not in result.err


def test_a_directory_is_not_a_request_file(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("request", "from-pipeline", "--out", str(tmp_path), env=env_for(PARAMS, TF_BUILD="True"))
    assert result.code == 2
    assert "vending: error: --out " in result.err and "is a directory" in result.err
    issues = [c for c in agent.commands(result.err) if c.name == "task.logissue"]
    assert [(c.properties, "is a directory" in c.message) for c in issues] == [({"type": "error"}, True)]
