"""The deploy pipeline as rendered: Microsoft's schema, no value of vending.yaml in script text, and
vending.yaml's deploy section held to what it becomes (exit 2 at file:line:col, nothing written)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from vending.azdo.deploy_template import DEPLOY_PATH, render_deploy_pipeline
from vending.config import config_from_bytes

from ..conftest import ROOT, RunCli
from .service_schema import VALIDATORS, errors_of

GOLDEN = ROOT / "tests" / "golden"
SENTINELS = {"branch": "trunk-x1", "vendPipeline": "Platform\\vend pipeline x2",
             "environments": {"Production": "env-prod-x3", "DevTest": "env-dev-x4"},
             "serviceConnections": {"Production": "sc-prod-x5", "DevTest": "sc-dev-x6"},
             "pool": {"name": "pool-x7"}, "terraformVersion": "1.11.4"}


def config_text(deploy: dict[str, Any] | None) -> str:
    """The repository's vending.yaml with `deploy` replaced (removed for None)."""
    text = (ROOT / "vending.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("\ndeploy:")
    tail = rest[rest.index("\nowners:"):]
    if deploy is None:
        return head + tail
    return head + "\ndeploy: " + json.dumps(deploy) + tail


def rendered(deploy: dict[str, Any] | None) -> str:
    return render_deploy_pipeline(config_from_bytes(config_text(deploy).encode(), "vending.yaml", ROOT))


def scripts(pipeline: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    for stage in pipeline["stages"]:
        for job in stage["jobs"]:
            steps = job["strategy"]["runOnce"]["deploy"]["steps"] if "deployment" in job else job["steps"]
            for step in steps:
                if "bash" in step:
                    yield step, step["bash"]
                elif step.get("task") == "AzureCLI@2":
                    yield step, step["inputs"]["inlineScript"]


@VALIDATORS
@pytest.mark.parametrize("source", ["repository", "golden-default", "golden-legacy-claim", "sentinels"])
def test_deploy_pipeline_is_valid_for_azure_pipelines(kind: type[Validator], source: str) -> None:
    if source == "sentinels":
        text = rendered(SENTINELS)
    else:
        root = ROOT if source == "repository" else GOLDEN / source.removeprefix("golden-")
        text = (root / DEPLOY_PATH).read_text(encoding="utf-8")
    assert errors_of(text, kind) == []


@pytest.mark.parametrize(("old", "new"), [
    ("lockBehavior: sequential", "lockBehavior: exclusive"),
    ("      - deployment: Apply\n", "      - deploy: Apply\n"),
    ("addSpnToEnvironment: true", "addSpnToEnvironment: maybe"),
])
def test_the_schema_check_catches_mistakes(old: str, new: str) -> None:
    text = rendered(None)
    broken = text.replace(old, new, 1)
    assert broken != text
    assert errors_of(broken, Draft202012Validator) != []


def test_values_of_vending_yaml_are_names_in_the_yaml_never_script_text() -> None:
    text = rendered(SENTINELS)
    assert text == rendered(SENTINELS) and text.endswith("\n") and not text.endswith("\n\n")
    pipeline = yaml.safe_load(text)
    found = list(scripts(pipeline))
    assert len(found) == 6  # per workload: changed roots, plan, apply
    for step, script in found:
        assert "${{" not in script and "$(" not in script, step["displayName"]
        assert not re.search(r"x[1-7]\b", script), f"a value of vending.yaml in {step['displayName']}"
    assert pipeline["pool"] == {"name": "pool-x7"}
    assert pipeline["resources"]["pipelines"][0]["source"] == "Platform\\vend pipeline x2"
    assert pipeline["trigger"]["branches"] == {"include": ["trunk-x1"]}
    stages = {s["stage"]: s for s in pipeline["stages"]}
    assert stages["Apply_Production"]["jobs"][0]["environment"] == "env-prod-x3"
    assert stages["Apply_DevTest"]["jobs"][0]["environment"] == "env-dev-x4"
    connections = {stage: {s["inputs"]["azureSubscription"] for s, _ in scripts({"stages": [stages[stage]]})
                           if "inputs" in s} for stage in stages}
    assert connections == {"Plan_Production": {"sc-prod-x5"}, "Apply_Production": {"sc-prod-x5"},
                           "Plan_DevTest": {"sc-dev-x6"}, "Apply_DevTest": {"sc-dev-x6"}}
    envs = [step.get("env", {}) for step, _ in found]
    assert all(env["VENDING_BRANCH"] == "trunk-x1" and env["TERRAFORM_VERSION"] == "1.11.4" for env in envs)
    assert "$" not in json.dumps(envs), "an env: value is macro-expanded by the agent"


def test_without_a_deploy_section_one_connection_serves_both_workloads() -> None:
    pipeline = yaml.safe_load(rendered(None))
    stages = {s["stage"]: s for s in pipeline["stages"]}
    assert {s["inputs"]["azureSubscription"] for s, _ in scripts(pipeline) if "inputs" in s} == {"vending-deploy"}
    assert stages["Apply_Production"]["jobs"][0]["environment"] == "vending-production"
    assert stages["Apply_DevTest"]["jobs"][0]["environment"] == "vending-devtest"
    assert yaml.safe_load(rendered({"serviceConnection": "sc-all", "serviceConnections": {"Production": "sc-p"}}))[
        "stages"][3]["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"][2]["inputs"]["azureSubscription"] == "sc-all"


@pytest.mark.parametrize(("deploy", "pointer", "message"), [
    ({"serviceConnections": {"Production": "$(System.AccessToken)"}}, "/deploy/serviceConnections/Production",
     "does not match"),
    ({"environments": {"Production": "vending", "DevTest": "Vending"}}, "/deploy/environments",
     "each workload needs its own Azure DevOps environment"),
    ({"environments": {"Production": "vending-devtest"}}, "/deploy/environments",
     "each workload needs its own Azure DevOps environment"),
    ({"branch": "-main"}, "/deploy/branch", "does not match"),
    ({"pool": {"vmImage": "ubuntu-latest", "name": "x"}}, "/deploy/pool", ""),
    ({"terraformVersion": "latest"}, "/deploy/terraformVersion", "does not match"),
    ({"environment": "x"}, "/deploy/environment", "unknown property"),
])
def test_a_bad_deploy_section_is_refused_where_it_is(run_cli: RunCli, tmp_path: Path, deploy: dict[str, Any],
                                                     pointer: str, message: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "requests", repo / "requests")
    shutil.copytree(ROOT / "records", repo / "records")
    (repo / "vending.yaml").write_text(config_text(deploy), encoding="utf-8")
    line = config_text(deploy).splitlines().index("deploy: " + json.dumps(deploy)) + 1
    result = run_cli("render", "--all", "--repo", str(repo))
    assert result.code == 2
    assert re.search(rf"vending\.yaml:{line}:\d+: error: {re.escape(pointer)}\b.*{re.escape(message)}", result.err), \
        result.err
    assert "Traceback" not in result.err
    assert not (repo / "generated").exists() and not (repo / "interface").exists()


def test_check_names_a_hand_edited_deploy_pipeline(run_cli: RunCli, gitops_repo: Path) -> None:
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    path = gitops_repo / DEPLOY_PATH
    path.write_text(path.read_text(encoding="utf-8").replace("lockBehavior: sequential\n", ""), encoding="utf-8")
    result = run_cli("check", "--repo", str(gitops_repo))
    assert result.code == 1
    assert f"+++ b/{DEPLOY_PATH}" in result.out + result.err and "+lockBehavior: sequential" in result.out
