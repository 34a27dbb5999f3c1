"""The same request is refused identically (same messages at the same file:line:col) by validate, trigger
(nothing sent), render, apply and the pre-commit hook's entry command: every one of them runs the checks of
`vending.policy.check_policy`, the repository's configuration and its Rego policy included."""

from __future__ import annotations

import base64
import json
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ..azdo.fake_service import FakeAzureDevOps, serving
from ..conftest import ROOT
from ..gitops.conftest import Clone, clone, git, request_file, started_trunk, trunk, vending

__all__ = ["clone", "started_trunk", "trunk"]  # the real-git fixtures

PAT = "pat-everywhere-the-same"
BASIC = "Basic " + base64.b64encode(f":{PAT}".encode()).decode()
POLICY = """\
    package main

    deny contains {"msg": "sandbox is retired", "field": "/managementGroup"} if {
        input.managementGroup == "sandbox"
    }
"""


@pytest.fixture
def service() -> Iterator[FakeAzureDevOps]:
    with serving(FakeAzureDevOps(authorization=BASIC)) as running:
        yield running


@pytest.fixture
def repository(clone: Clone, tmp_path: Path) -> Path:
    """A clone of a trunk whose policy refuses the sandbox group and where holder-dev holds 10.50.0.0/23, with
    requests under requests/ that break the policy and the repository's configuration (hub peering where
    the platform has no hub), and the fleet's address space."""
    work = clone()
    (work / "policy").mkdir()
    (work / "policy" / "main.rego").write_text(textwrap.dedent(POLICY))
    git(work, "add", "policy")
    git(work, "commit", "--quiet", "-m", "policy")
    git(work, "push", "--quiet", "origin", "main")
    (tmp_path / "holder").mkdir()
    holder = request_file(tmp_path / "holder", "holder-dev", network={"addressSpace": ["10.50.0.0/23"]})
    assert vending(work, "apply", str(holder)).returncode == 0
    (work / "requests").mkdir(exist_ok=True)
    request_file(work / "requests", "nohub-dev", managementGroup="sandbox", location="westeurope",
                 network={"addressSpace": ["10.60.0.0/24"], "hubPeering": True})
    request_file(work / "requests", "overlap-dev", network={"addressSpace": ["10.70.0.0/24", "10.50.1.0/24"]})
    return work


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    return sorted(line for line in (result.stdout + result.stderr).splitlines() if ": error: " in line)


def hook_entry(hook_id: str) -> list[str]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    entry = shlex.split(next(hook for hook in hooks if hook["id"] == hook_id)["entry"])
    assert entry[0] == "vending"
    return [sys.executable, "-m", "vending", *entry[1:]]


def refusals(repository: Path, service: FakeAzureDevOps, path: str) -> dict[str, subprocess.CompletedProcess[str]]:
    return {
        "validate": vending(repository, "validate", path),
        "trigger": vending(repository, "trigger", path, "--organization", service.url, "--project",
                           service.project, "--pipeline", str(service.pipeline_id),
                           env={"AZURE_DEVOPS_EXT_PAT": PAT}),
        "render": vending(repository, "render", path),
        "apply": vending(repository, "apply", path),
        "pre-commit": subprocess.run([*hook_entry("vending-validate"), path], cwd=repository, capture_output=True,
                                     text=True, check=False, timeout=120),
    }


def assert_identical(runs: dict[str, subprocess.CompletedProcess[str]]) -> list[str]:
    expected = errors(runs["validate"])
    assert expected
    for name, result in runs.items():
        assert result.returncode == 1, (name, result.stderr)
        assert errors(result) == expected, name
    return expected


def test_the_same_request_is_refused_identically_everywhere(repository: Path, trunk: Path,
                                                            service: FakeAzureDevOps) -> None:
    path = "requests/nohub-dev.json"
    before = git(trunk, "rev-parse", "main")
    runs = refusals(repository, service, path)
    text = (repository / path).read_text().splitlines()
    mg = next(n for n, line in enumerate(text, 1) if '"managementGroup"' in line)
    peering = next(n for n, line in enumerate(text, 1) if '"hubPeering"' in line)
    expected = assert_identical(runs)
    assert any(line.startswith(f"{path}:{mg}:") and "sandbox is retired (data.main.deny)" in line
               for line in expected), expected
    assert any(line.startswith(f"{path}:{peering}:") and "hub peering is requested in westeurope" in line
               for line in expected), expected
    assert service.received == [], "trigger sent nothing"
    assert git(trunk, "rev-parse", "main") == before, "apply committed nothing"
    assert git(repository, "status", "--porcelain", "--", "generated", "records") == "", "render wrote nothing"


def test_an_overlap_with_the_fleet_is_refused_identically_everywhere(repository: Path, trunk: Path,
                                                                     service: FakeAzureDevOps) -> None:
    path = "requests/overlap-dev.json"
    before = git(trunk, "rev-parse", "main")
    expected = assert_identical(refusals(repository, service, path))
    line = next(n for n, text in enumerate((repository / path).read_text().splitlines(), 1) if "10.50.1.0/24" in text)
    assert len(expected) == 1 and expected[0].startswith(f"{path}:{line}:"), expected
    assert "10.50.1.0/24 overlaps 10.50.0.0/23 of subscription 'holder-dev'" in expected[0]
    assert service.received == [], "trigger sent nothing"
    assert git(trunk, "rev-parse", "main") == before, "apply committed nothing"


def test_validate_outside_any_repository_checks_the_schema_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    request = request_file(outside, "nohub-dev", managementGroup="sandbox", location="westeurope",
                           network={"addressSpace": ["10.50.0.0/24"], "hubPeering": True})
    result = vending(outside, "validate", request.name)
    assert result.returncode == 0, result.stderr
    assert "nohub-dev.json: valid" in result.stdout


def test_validate_with_repo_names_the_repository(repository: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    request = request_file(outside, "nohub-dev", location="westeurope",
                           network={"addressSpace": ["10.50.0.0/24"], "hubPeering": True})
    result = vending(outside, "validate", str(request), "--repo", str(repository), "--output", "json")
    assert result.returncode == 1
    payload = json.loads(result.stdout)["results"][0]
    assert payload["valid"] is False and payload["schemaVersion"] == "2.0.0"
    assert "hub peering is requested in westeurope" in payload["errors"][0]["message"]
