"""Flux and tofu-controller objects: one Terraform object per root, owned like the root, deploying it with the
root's own backend; a Kustomization per environment path, pruning as deletionPolicy says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from ...conftest import VENDED_ON, RunCli
from ..test_golden import GOLDEN
from .conftest import Copy

DEFAULT = GOLDEN / "default"


def _load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def _sync(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in _load(root / "generated/flux/sync.yaml")}


def test_one_terraform_object_per_root_with_the_roots_own_backend() -> None:
    roots = sorted(p.parent for p in (DEFAULT / "generated/terraform").glob("*/*/main.tf.json"))
    objects = sorted((DEFAULT / "generated/flux").glob("*/*.yaml"))
    assert [(p.parent.name, p.stem) for p in objects] == [(r.parent.name, r.name) for r in roots]
    for root in roots:
        environment, name = root.parent.name, root.name
        path = DEFAULT / "generated/flux" / environment / f"{name}.yaml"
        [document] = _load(path)
        spec = document["spec"]
        assert spec["path"] == f"./{root.relative_to(DEFAULT).as_posix()}"
        assert spec["sourceRef"] == {"kind": "GitRepository", "name": "vending"}
        # No Kubernetes backend over the root's azurerm one: the state is where a pipeline keeps it too.
        assert spec["backendConfig"] == {"disable": True}
        backend = json.loads((root / "main.tf.json").read_text())["terraform"]["backend"]["azurerm"]
        assert f"key {backend['key']}." in path.read_text(encoding="utf-8")
        assert backend["key"] == f"vending/{environment}/{name}.tfstate"
        workload = document["metadata"]["labels"]["vending.azure.com/workload"]
        assert {"Production": "production", "DevTest": "nonproduction"}[workload] == environment
        # vending.yaml: Production manual (no approvePlan: each plan waits for its approval), DevTest auto.
        assert spec.get("approvePlan") == ("auto" if workload == "DevTest" else None)
        assert spec["serviceAccountName"] == f"tf-runner-{environment}"
        assert spec["destroyResourcesOnDeletion"] is False  # deletionPolicy: orphan
        assert spec["runnerPodTemplate"]["metadata"]["labels"]["azure.workload.identity/use"] == "true"


def test_kustomizations_per_environment_path_prune_as_the_deletion_policy_says(golden_copy: Copy,
                                                                               run_cli: RunCli) -> None:
    sync = _sync(DEFAULT)
    for environment in ("production", "nonproduction"):
        crossplane = sync[("Kustomization", f"vending-crossplane-{environment}")]["spec"]
        assert crossplane["path"] == f"./generated/crossplane/{environment}"
        assert (DEFAULT / crossplane["path"]).is_dir()
        assert crossplane["prune"] is False  # orphan: what leaves Git stays in the cluster
        terraform = sync[("Kustomization", f"vending-terraform-{environment}")]["spec"]
        assert terraform["path"] == f"./generated/flux/{environment}" and terraform["prune"] is True
    repository = sync[("GitRepository", "vending")]["spec"]
    assert repository["ref"] == {"branch": "main"} and repository["provider"] == "azure"
    # The Kustomization of ./generated/flux applies sync.yaml only, not the per-environment objects again.
    assert yaml.safe_load((DEFAULT / "generated/flux/kustomization.yaml").read_text())["resources"] == ["sync.yaml"]
    itself = sync[("Kustomization", "vending")]["spec"]
    assert itself["path"] == "./generated/flux" and itself["prune"] is False

    root = golden_copy("default", ("deletionPolicy: orphan", "deletionPolicy: delete"))
    assert run_cli("render", "--all", "--repo", str(root)).code == 0
    deleting = _sync(root)
    assert all(deleting[("Kustomization", f"vending-crossplane-{env}")]["spec"]["prune"] is True
               for env in ("production", "nonproduction"))
    [document] = _load(root / "generated/flux/production/payments-prod.yaml")
    assert document["spec"]["destroyResourcesOnDeletion"] is True


def test_the_object_follows_its_root_through_decommission_and_removal(golden_copy: Copy, run_cli: RunCli) -> None:
    root = golden_copy()
    request = root / "requests/risk-models-prod.json"
    request.write_text(json.dumps({**json.loads(request.read_text(encoding="utf-8")), "state": "absent"}),
                       encoding="utf-8")
    rendered = run_cli("render", "--all", "--repo", str(root))
    assert rendered.code == 0, rendered.err
    # Decommissioned: the root keeps its removed block, and its Terraform object is what applies it.
    terraform = json.loads((root / "generated/terraform/production/risk-models-prod/main.tf.json").read_text())
    assert "removed" in terraform
    assert (root / "generated/flux/production/risk-models-prod.yaml").is_file()
    assert not (root / "generated/crossplane/production/risk-models-prod.yaml").exists()
    assert run_cli("check", "--repo", str(root)).code == 0

    request.unlink()
    (root / "records/risk-models-prod.json").unlink(missing_ok=True)
    assert run_cli("render", "--all", "--repo", str(root)).code == 0
    assert not (root / "generated/terraform/production/risk-models-prod").exists()
    assert not (root / "generated/flux/production/risk-models-prod.yaml").exists()


def test_turning_flux_off_removes_its_files_and_a_crossplane_render_keeps_them(golden_copy: Copy,
                                                                               run_cli: RunCli) -> None:
    root = golden_copy()
    before = sorted(p.relative_to(root).as_posix() for p in (root / "generated/flux").rglob("*"))
    assert run_cli("render", "--all", "--target", "crossplane", "--repo", str(root)).code == 0
    assert sorted(p.relative_to(root).as_posix() for p in (root / "generated/flux").rglob("*")) == before
    assert run_cli("check", "--repo", str(root)).code == 0

    config = (root / "vending.yaml").read_text(encoding="utf-8")
    start, end = config.index("  flux:\n"), config.index("  argocd:\n")
    (root / "vending.yaml").write_text(config[:start] + config[end:], encoding="utf-8")
    result = run_cli("render", "--all", "--repo", str(root))
    assert result.code == 0, result.err
    assert not [p for p in (root / "generated/flux").rglob("*") if p.is_file()]
    assert (root / "generated/argocd/crossplane.yaml").is_file()
    assert run_cli("check", "--repo", str(root)).code == 0


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo.parent)}
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env=env).stdout


def test_apply_commits_the_object_with_its_root_and_decommission_keeps_both(golden_copy: Copy,
                                                                            tmp_path: Path) -> None:
    seed = golden_copy()
    bare = tmp_path / "trunk.git"
    _git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    _git(seed, "init", "--quiet", "--initial-branch=main")
    _git(seed, "add", ".")
    _git(seed, "commit", "--quiet", "-m", "Start")
    _git(seed, "push", "--quiet", str(bare), "main")
    work = tmp_path / "work"
    _git(tmp_path, "clone", "--quiet", str(bare), str(work))
    request = {"schemaVersion": "2.0.0", "name": "sandbox-dev", "displayName": "Sandbox", "workload": "DevTest",
               "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
               "managementGroup": "corp", "location": "uksouth", "requestedBy": "sam@contoso.com"}
    (tmp_path / "sandbox-dev.json").write_text(json.dumps(request))

    def vending(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "vending", *args], cwd=work, capture_output=True, text=True,
                              check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                                "VENDING_TODAY": VENDED_ON.isoformat()})

    applied = vending("apply", str(tmp_path / "sandbox-dev.json"))
    assert applied.returncode == 0, applied.stderr
    changed = _git(bare, "show", "--name-only", "--format=", "main").split()
    assert "generated/flux/nonproduction/sandbox-dev.yaml" in changed
    assert "generated/terraform/nonproduction/sandbox-dev/main.tf.json" in changed
    decommissioned = vending("decommission", "sandbox-dev", "--confirm", "sandbox-dev",
                             "--requested-by", "sam@contoso.com")
    assert decommissioned.returncode == 0, decommissioned.stderr
    tree = _git(bare, "ls-tree", "-r", "--name-only", "main").split()
    assert "generated/flux/nonproduction/sandbox-dev.yaml" in tree
    assert "generated/crossplane/nonproduction/sandbox-dev.yaml" not in tree
    _git(work, "pull", "--quiet", "origin", "main")
    assert vending("check").returncode == 0
