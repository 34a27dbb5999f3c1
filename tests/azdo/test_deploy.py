"""The deploy pipeline's steps, run as an agent would, against real git and real Terraform.

The pipeline is the one `vending init` renders from the embedded vending.yaml. Its stages run in
order, each job in a fresh workspace: `checkout: self` is a clone of the origin (detached at an
older commit, as a run started by the vend pipeline's completion is), `publish`/`download` copy
the plans between jobs, and the Apply stage runs when its condition, the Plan step's output
variable, says so. The scripts run with bash as the agent runs them (`pipelines.run_bash`: macros
expanded, the step's `env:`).

What stands in for Azure: the roots are golden roots whose module source is
../shared/reference/avm-sub-vending-stub (the AVM module with its resources as `terraform_data`)
and whose azurerm backend is a local backend outside the workspaces, so the Plan and Apply jobs
share state as they share the storage account. `az` is not installed, so the AzureCLI@2 task's
own sign-in is not run: its inline script is run with bash and the environment the task gives a
script with `addSpnToEnvironment` (idToken, servicePrincipalId, tenantId), which the script turns
into ARM_USE_OIDC/ARM_OIDC_TOKEN for Terraform; the local backend and the stub need no sign-in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..avm_stub import STUB, stub_missing_reason
from ..conftest import ROOT, RunCli
from ..terraform_stub import offline_copy
from . import agent
from .pipelines import StepResult, run_bash

pytestmark = pytest.mark.skipif(stub_missing_reason() is not None, reason=str(stub_missing_reason()))

GOLDEN = ROOT / "tests" / "golden"
PROD, DEV = "generated/terraform/production", "generated/terraform/nonproduction"
ROOTS = {f"{PROD}/payments-prod": GOLDEN / "default" / PROD / "payments-prod",
         f"{PROD}/risk-models-prod": GOLDEN / "default" / PROD / "risk-models-prod",
         f"{DEV}/analytics-dev": GOLDEN / "default" / DEV / "analytics-dev"}
DECOMMISSION = """\
schemaVersion: "2.0"
name: analytics-dev
displayName: Analytics (Dev)
workload: DevTest
billingScope: /providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321
managementGroup: corp
location: uksouth
requestedBy: bob@contoso.com
state: absent
"""
FEDERATED = {"idToken": "federated-token", "servicePrincipalId": "11111111-1111-1111-1111-111111111111",
             "tenantId": "22222222-2222-2222-2222-222222222222"}

TERRAFORM_LOG = '''#!/bin/bash
# terraform, recording each call (the root and the arguments) before running it
printf '%s %s\\n' "${{PWD#{workspaces}/}}" "$*" >> {log}
exec {terraform} "$@"
'''


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout.strip()


@dataclass
class Outcome:
    """What one stage did."""

    ran: bool
    code: int = 0
    results: list[StepResult] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    """Output variables set by the steps, as `step.name`."""

    @property
    def log(self) -> str:
        return "\n".join(r.out + r.err for r in self.results)

    def issues(self, kind: str) -> list[str]:
        return [c.message for r in self.results for c in agent.commands(r.out + r.err)
                if c.name == "task.logissue" and c.properties.get("type") == kind]


@dataclass
class Project:
    """The Azure DevOps side: the origin repository, artifacts of the current run, agents' workspaces."""

    root: Path
    origin: Path
    pipeline: dict[str, Any]
    bin: Path
    tf_log: Path
    runs: int = 0

    def env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}:{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                "HOME": str(self.root / "home"), "TF_BUILD": "True", "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": str(self.root / "no-gitconfig"), "LANG": "C.UTF-8",
                "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": "/dev/null", **FEDERATED}

    def stage(self, name: str) -> dict[str, Any]:
        stage: dict[str, Any] = next(s for s in self.pipeline["stages"] if s["stage"] == name)
        return stage

    def run(self, checkout_at: str) -> dict[str, Outcome]:
        """One run of the pipeline, its `self` checkout at `checkout_at`; per stage what it did."""
        self.runs += 1
        artifacts = self.root / f"run{self.runs}" / "artifacts"
        outcomes: dict[str, Outcome] = {}
        for stage in self.pipeline["stages"]:
            depends = stage["dependsOn"]
            if depends and not self._condition(stage, outcomes[depends]):
                outcomes[stage["stage"]] = Outcome(ran=False)
                continue
            job = stage["jobs"][0]
            steps = job["strategy"]["runOnce"]["deploy"]["steps"] if "deployment" in job else job["steps"]
            outcomes[stage["stage"]] = self._job(f"run{self.runs}/{stage['stage']}", steps, artifacts, checkout_at)
        return outcomes

    def _condition(self, stage: dict[str, Any], before: Outcome) -> bool:
        plan_stage = stage["dependsOn"]
        assert stage["condition"] == (f"and(succeeded(), eq(dependencies.{plan_stage}.outputs"
                                      "['Plan.plan.changes'], 'true'))")
        return before.ran and before.code == 0 and before.variables.get("plan.changes") == "true"

    def _job(self, name: str, steps: list[dict[str, Any]], artifacts: Path, checkout_at: str) -> Outcome:
        workspace = self.root / name
        for sub in ("_temp", "a"):
            (workspace / sub).mkdir(parents=True)
        variables = {"Pipeline.Workspace": str(workspace), "Agent.TempDirectory": str(workspace / "_temp"),
                     "Build.SourcesDirectory": str(workspace / "s"),
                     "Build.ArtifactStagingDirectory": str(workspace / "a")}
        outcome = Outcome(ran=True)
        for step in steps:
            if "checkout" in step:
                assert step == {"checkout": "self", "fetchDepth": 0, "fetchTags": False, "clean": True,
                                "persistCredentials": True}
                git("clone", "-q", str(self.origin), str(workspace / "s"))
                git("-C", str(workspace / "s"), "checkout", "-q", "--detach", checkout_at)
            elif "download" in step:
                shutil.copytree(artifacts / step["artifact"], workspace / step["artifact"])
            elif "publish" in step:
                source = Path(step["publish"].replace("$(Pipeline.Workspace)", str(workspace)))
                shutil.copytree(source, artifacts / step["artifact"])
            else:
                script = step["bash"] if "bash" in step else step["inputs"]["inlineScript"]
                result = run_bash({"bash": script, "env": step.get("env", {})}, variables, set(), self.env(),
                                  workspace / "_temp")
                outcome.results.append(result)
                for command in agent.commands(result.out + result.err):
                    if command.name == "task.setvariable" and command.properties.get("isOutput") == "true":
                        outcome.variables[f"{step['name']}.{command.properties['variable']}"] = command.message
                if result.code != 0:
                    outcome.code = result.code
                    break
        return outcome

    def calls(self) -> list[str]:
        """The terraform calls since the last look, as `<root> <command>`."""
        lines = self.tf_log.read_text(encoding="utf-8").splitlines() if self.tf_log.exists() else []
        self.tf_log.unlink(missing_ok=True)
        return [_call(line) for line in lines]

    def marker(self, segment: str) -> str | None:
        found = git("-C", str(self.origin), "for-each-ref", "--format=%(objectname)",
                    f"refs/heads/vending/deployed/{segment}")
        return found or None

    def state(self, name: str) -> list[str]:
        path = self.root / "states" / f"{name}.tfstate"
        if not path.exists():
            return []
        return sorted(f"{r.get('module', '')} {r['type']}.{r['name']}"
                      for r in json.loads(path.read_text(encoding="utf-8"))["resources"])


def _call(line: str) -> str:
    """`run1/Plan_Production/s/generated/terraform/production/x -chdir=... plan ...` -> `production/x plan`."""
    _, args = line.split(" ", 1)
    words = args.split()
    root = words[0].removeprefix("-chdir=").split("/generated/terraform/")[1]
    command = words[1]
    if command == "apply":
        command += " " + ("saved plan " + Path(words[-1]).name if words[-1].endswith("tfplan") else "WITHOUT A PLAN")
    if command == "plan":
        command += " -out" if any(w.startswith("-out=") for w in words) else " WITHOUT -out"
    return f"{root} {command}"


def deployable(source: Path, target: Path, states: Path, name: str) -> None:
    """A golden root that runs here: the module is the stub, the state a local file (for azurerm)."""
    offline_copy(source / "main.tf.json", target, STUB)
    document = json.loads((target / "main.tf.json").read_text(encoding="utf-8"))
    document["terraform"]["backend"] = {"local": {"path": str(states / f"{name}.tfstate")}}
    (target / "main.tf.json").write_text(json.dumps(document, indent=2), encoding="utf-8")


def failing_while(root: Path, flag: Path, *, at: str) -> None:
    """The root also creates something that fails while `flag` exists, when planned (`at="plan"`: a
    precondition) or when applied (`at="apply"`): an Azure outage or a missing quota for this root only."""
    document = json.loads((root / "main.tf.json").read_text(encoding="utf-8"))
    if at == "plan":
        document["locals"] = {"quota_left": f'${{!fileexists("{flag}")}}'}
        body: dict[str, Any] = {"lifecycle": {"precondition": [
            {"condition": "${local.quota_left}", "error_message": "no quota left in this region"}]}}
    else:
        body = {"provisioner": [{"local-exec": {"command": f"test ! -e {flag}"}}]}
    document["resource"] = {"terraform_data": {"outage": body}}
    (root / "main.tf.json").write_text(json.dumps(document, indent=2), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, run_cli: RunCli) -> Project:
    seed = tmp_path / "seed"
    started = run_cli("init", str(seed))
    assert started.code == 0, started.err
    pipeline = yaml.safe_load((seed / "interface/pipelines/deploy-subscriptions.yml").read_text(encoding="utf-8"))
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin))
    git("-C", str(seed), "init", "-q", "-b", "main")
    commit(seed, "vending init")
    git("-C", str(seed), "remote", "add", "origin", str(origin))
    git("-C", str(seed), "push", "-q", "origin", "main")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "home").mkdir()
    log = tmp_path / "terraform.log"
    wrapper = bin_dir / "terraform"
    wrapper.write_text(TERRAFORM_LOG.format(workspaces=tmp_path, log=log, terraform=shutil.which("terraform")),
                       encoding="utf-8")
    wrapper.chmod(0o755)
    return Project(tmp_path, origin, pipeline, bin_dir, log)


def commit(repo: Path, message: str) -> str:
    git("-C", str(repo), "add", "-A")
    git("-C", str(repo), "-c", "user.name=vending-bot", "-c", "user.email=vending-bot@contoso.com", "commit", "-q",
        "-m", message)
    return git("-C", str(repo), "rev-parse", "HEAD")


def test_each_workload_deploys_in_its_own_environment_with_its_own_connection(project: Project) -> None:
    pipeline = project.pipeline
    assert pipeline["trigger"] == {"batch": True, "branches": {"include": ["main"]},
                                   "paths": {"include": ["generated/terraform"]}}
    assert pipeline["resources"]["pipelines"] == [
        {"pipeline": "vend", "source": "vend-subscription", "trigger": {"branches": {"include": ["main"]}}}]
    assert pipeline["lockBehavior"] == "sequential"
    assert [s["stage"] for s in pipeline["stages"]] == ["Plan_Production", "Apply_Production", "Plan_DevTest",
                                                        "Apply_DevTest"]
    for workload, environment, connection in [("Production", "vending-production", "sc-vending-production"),
                                              ("DevTest", "vending-devtest", "sc-vending-devtest")]:
        plan, apply = project.stage(f"Plan_{workload}"), project.stage(f"Apply_{workload}")
        assert plan["dependsOn"] == [] and apply["dependsOn"] == f"Plan_{workload}"
        assert apply["lockBehavior"] == "sequential"
        [deployment] = apply["jobs"]
        assert deployment["environment"] == environment
        tasks = [s for s in [*plan["jobs"][0]["steps"], *deployment["strategy"]["runOnce"]["deploy"]["steps"]]
                 if "task" in s]
        assert [(t["task"], t["inputs"]["azureSubscription"], t["inputs"]["addSpnToEnvironment"]) for t in tasks] \
            == [("AzureCLI@2", connection, True)] * 2
        for task in tasks:
            assert 'export ARM_USE_OIDC=true ARM_OIDC_TOKEN="$idToken"' in task["inputs"]["inlineScript"]
            assert "ARM_CLIENT_SECRET" not in json.dumps(task.get("env", {}))


def test_a_failed_root_is_retried_by_the_next_run_and_the_others_deploy_regardless(project: Project,
                                                                                  run_cli: RunCli) -> None:
    seed = project.root / "seed"
    states = project.root / "states"
    no_quota, outage = project.root / "no-quota", project.root / "outage"
    for path, source in ROOTS.items():
        deployable(source, seed / path, states, Path(path).name)
    failing_while(seed / PROD / "risk-models-prod", no_quota, at="plan")
    failing_while(seed / DEV / "analytics-dev", outage, at="apply")
    before = git("-C", str(seed), "rev-parse", "HEAD")
    first = commit(seed, "vend: create three subscriptions [skip ci]")
    git("-C", str(seed), "push", "-q", "origin", "main")

    # Run 1, started by the vend run, which checked out the commit before its vend commit landed.
    no_quota.touch()
    outage.touch()
    run = project.run(checkout_at=before)
    plan = run["Plan_Production"]
    assert plan.code == 0 and plan.issues("error") == [
        "terraform plan failed in generated/terraform/production/risk-models-prod"]
    assert "no quota left in this region" in plan.log
    assert [c.properties for r in plan.results for c in agent.commands(r.out) if c.name == "task.complete"] == [
        {"result": "SucceededWithIssues"}]  # so that the other root's plan still goes to its apply
    assert run["Apply_Production"].code == 1  # and the run fails at the end
    assert "generated/terraform/production/payments-prod: applied" in run["Apply_Production"].log
    assert project.state("payments-prod"), "the healthy root was applied despite its neighbour's failure"
    assert run["Apply_DevTest"].code == 1 and run["Apply_DevTest"].issues("error") == [
        "terraform apply failed in generated/terraform/nonproduction/analytics-dev: it is planned again by the "
        "next run"]
    assert project.marker("production") is None and project.marker("nonproduction") is None, \
        "the markers stay where they were, so that the failed roots are retried"
    assert project.calls() == [
        "production/payments-prod init", "production/payments-prod plan -out",
        "production/risk-models-prod init", "production/risk-models-prod plan -out",
        "production/payments-prod init", "production/payments-prod apply saved plan tfplan",
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev plan -out",
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev apply saved plan tfplan"]

    # Run 2, queued again with nothing new on trunk: the outage is over and the failed roots deploy.
    no_quota.unlink()
    outage.unlink()
    run = project.run(checkout_at=first)
    assert "generated/terraform/production/payments-prod: no changes" in run["Plan_Production"].log
    assert run["Apply_Production"].code == 0 and run["Apply_DevTest"].code == 0
    assert project.marker("production") == first and project.marker("nonproduction") == first
    assert project.calls() == [
        "production/payments-prod init", "production/payments-prod plan -out",
        "production/risk-models-prod init", "production/risk-models-prod plan -out",
        "production/risk-models-prod init", "production/risk-models-prod apply saved plan tfplan",
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev plan -out",
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev apply saved plan tfplan"]
    assert "terraform_data.outage" in " ".join(project.state("risk-models-prod"))

    # Run 3, nothing new: nothing is planned, no apply asks for approval.
    run = project.run(checkout_at=first)
    assert not run["Apply_Production"].ran and not run["Apply_DevTest"].ran and project.calls() == []

    # Run 4: analytics-dev is decommissioned (its root becomes a removed block): planned and applied under
    # DevTest's approvals; Production has nothing to do and its marker moves on without an apply.
    analytics = seed / DEV / "analytics-dev"
    request = project.root / "analytics-dev.yaml"
    request.write_text(DECOMMISSION, encoding="utf-8")
    rendered = run_cli("render", str(request), "--target", "terraform", "--repo", str(seed))
    assert rendered.code == 0, rendered.err
    assert json.loads((analytics / "main.tf.json").read_text(encoding="utf-8"))["removed"] == [
        {"from": "module.subscription", "lifecycle": {"destroy": False}}]  # deletionPolicy: orphan
    deployable(analytics, analytics, states, "analytics-dev")
    assert project.state("analytics-dev")
    third = commit(seed, "vend: decommission subscription analytics-dev [skip ci]")
    git("-C", str(seed), "push", "-q", "origin", "main")
    run = project.run(checkout_at=third)
    assert not run["Apply_Production"].ran and project.marker("production") == third
    assert run["Apply_DevTest"].code == 0 and project.marker("nonproduction") == third
    assert project.calls() == [
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev plan -out",
        "nonproduction/analytics-dev init", "nonproduction/analytics-dev apply saved plan tfplan"]
    assert project.state("analytics-dev") == []
    summary = (project.root / "run4/Plan_DevTest/plans/summary.md").read_text(encoding="utf-8")
    assert "- `generated/terraform/nonproduction/analytics-dev`: Plan: 0 to add, 0 to change," in summary
    uploaded = [c.message for r in run["Plan_DevTest"].results for c in agent.commands(r.out)
                if c.name == "task.uploadsummary"]
    assert uploaded == [str(project.root / "run4/Plan_DevTest/plans/summary.md")]
