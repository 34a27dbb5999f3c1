"""`vending azdo policies`: the branch policies of vending.yaml's owners, printed or applied to a loopback
Azure DevOps that checks every request as the service documents it."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, Run, RunCli
from .fake_policy_service import REQUIRED_REVIEWERS, FakePolicies, serving
from .fake_service import no_ambient_settings  # noqa: F401 - the autouse fixture, imported to apply here

PAT = "pat-7d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b"
BASIC = "Basic " + base64.b64encode(f":{PAT}".encode()).decode()
GOLDEN = ROOT / "tests" / "golden" / "default"
POLICIES = "generated/azure-repos/branch-policies.json"
REPOSITORY_ID = "2f3d2a4e-0000-4000-8000-0000000000aa"
PLATFORM, BOARD = "5b9f0c3e-1d2a-4c6b-8e7f-0a1b2c3d4e5f", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(GOLDEN, root)
    return root


@pytest.fixture
def service() -> Iterator[FakePolicies]:
    with serving(FakePolicies(authorization=BASIC)) as running:
        yield running


def committed(repo: Path) -> list[dict[str, Any]]:
    configurations: list[dict[str, Any]] = json.loads((repo / POLICIES).read_text(encoding="utf-8"))["configurations"]
    return configurations


def on_repository(configurations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "settings": {**c["settings"], "scope": [{**s, "repositoryId": REPOSITORY_ID}
                                                         for s in c["settings"]["scope"]]}} for c in configurations]


def policies(run_cli: RunCli, repo: Path, service: FakePolicies, *args: str, repository: str = "vending",
             env: dict[str, str] | None = None) -> Run:
    result = run_cli("azdo", "policies", "--repo", str(repo), "--organization", service.url, "--project",
                     service.project, "--repository", repository, *args,
                     env={"AZURE_DEVOPS_EXT_PAT": PAT} if env is None else env)
    assert PAT not in result.out + result.err and BASIC.split()[1] not in result.out + result.err
    assert "Traceback" not in result.err
    return result


def test_the_committed_file_says_who_reviews_which_paths(repo: Path) -> None:
    by_patterns = {tuple(c["settings"].get("filenamePatterns", [])): c for c in committed(repo)}
    assert list(by_patterns) == [(), ("/generated/*/nonproduction/*",), ("/generated/*/production/*",)]
    assert by_patterns[()]["settings"]["requiredReviewerIds"] == [PLATFORM]
    assert by_patterns[("/generated/*/production/*",)]["settings"]["requiredReviewerIds"] == sorted([PLATFORM, BOARD])
    for configuration in committed(repo):
        assert configuration["type"] == {"id": REQUIRED_REVIEWERS}
        assert configuration["isBlocking"] is True and configuration["isEnabled"] is True
        assert configuration["settings"]["scope"] == [
            {"repositoryId": None, "refName": "refs/heads/main", "matchKind": "Exact"}]


def test_dry_run_prints_exactly_the_configurations_and_sends_nothing(run_cli: RunCli, repo: Path) -> None:
    result = run_cli("azdo", "policies", "--repo", str(repo), "--dry-run")
    assert result.code == 0, result.err
    assert json.loads(result.out) == committed(repo)
    assert "repositoryId is set to the id of --repository" in result.err
    with_id = run_cli("azdo", "policies", "--repo", str(repo), "--dry-run", "--repository", REPOSITORY_ID.upper())
    assert json.loads(with_id.out) == on_repository(committed(repo))


def test_applying_sends_exactly_those_and_a_second_run_sends_nothing(run_cli: RunCli, repo: Path,
                                                                     service: FakePolicies) -> None:
    first = policies(run_cli, repo, service)
    assert first.code == 0, first.err
    assert service.problems == []
    assert [r.json() for r in service.sent("POST")] == on_repository(committed(repo))
    assert service.sent("PUT") == []
    assert first.out.splitlines() == [
        f"create: policy {100 + i} (required reviewers, {paths}) on refs/heads/main of repository {REPOSITORY_ID}"
        for i, paths in enumerate(["every path", "/generated/*/nonproduction/*", "/generated/*/production/*"])]

    service.received.clear()
    second = policies(run_cli, repo, service, repository=REPOSITORY_ID)
    assert second.code == 0, second.err
    assert [r.method for r in service.received] == ["GET"]  # an id is not looked up; nothing is sent
    assert [line.split(":")[0] for line in second.out.splitlines()] == ["unchanged"] * 3
    assert sorted(service.configurations) == [100, 101, 102]


def test_ours_are_updated_in_place_and_others_left_alone(run_cli: RunCli, repo: Path,
                                                         service: FakePolicies) -> None:
    wanted = on_repository(committed(repo))
    stale = json.loads(json.dumps(wanted[2]))
    stale["settings"]["requiredReviewerIds"] = [PLATFORM]  # the change board was added to vending.yaml since
    someone_elses = json.loads(json.dumps(wanted[2]))
    someone_elses["settings"]["filenamePatterns"] = ["/docs/*"]
    other_branch = json.loads(json.dumps(wanted[0]))
    other_branch["settings"]["scope"][0]["refName"] = "refs/heads/release"
    for configuration_id, body in ((7, someone_elses), (8, stale), (9, other_branch)):
        service.configurations[configuration_id] = service.stored(configuration_id, body)
    service.page_size = 1  # every configuration on a page of its own: the pages are followed

    result = policies(run_cli, repo, service)
    assert result.code == 0, result.err
    assert service.problems == []
    [put] = service.sent("PUT")
    assert put.path.split("?")[0].endswith("/_apis/policy/configurations/8") and put.json() == wanted[2]
    assert [r.json() for r in service.sent("POST")] == wanted[:2]
    assert service.configurations[7]["settings"]["filenamePatterns"] == ["/docs/*"]
    assert service.configurations[9]["settings"]["scope"][0]["refName"] == "refs/heads/release"
    assert service.configurations[8]["revision"] == 2
    assert sum("continuationToken" in r.path for r in service.sent("GET")) == 2  # pages 2 and 3 of 3


@pytest.mark.parametrize(("status", "message", "expected"), [
    (403, "TF401027: You need the Git 'EditPolicies' permission to perform this action.",
     "may not change the branch policies of project 'Fabrikam Fiber' at {url} (403): TF401027: You need the Git "
     "'EditPolicies' permission to perform this action.; it needs the 'Edit policies' permission on the "
     "repository"),
    (401, "", "Azure DevOps refused the credentials from AZURE_DEVOPS_EXT_PAT (401)"),
    (500, "Internal error", "Azure DevOps failed (500) for project 'Fabrikam Fiber' at {url}: Internal error; "
                            "try again later"),
    (400, "Invalid policy configuration.", "Azure DevOps refused the branch policies of project 'Fabrikam Fiber' "
                                           "at {url} (400): Invalid policy configuration."),
])
def test_service_errors_are_exit_4_with_a_sentence(run_cli: RunCli, repo: Path, service: FakePolicies,
                                                   status: int, message: str, expected: str) -> None:
    service.answer = (status, {"Content-Type": "application/json"}, json.dumps({"message": message}).encode())
    result = policies(run_cli, repo, service)
    assert result.code == 4
    assert expected.format(url=service.url) in result.err
    assert result.out == ""


def test_an_unknown_repository_is_named(run_cli: RunCli, repo: Path, service: FakePolicies) -> None:
    result = policies(run_cli, repo, service, repository="vendng")
    assert result.code == 4
    assert "not found (404)" in result.err and "TF401019" in result.err
    assert "check --organization, --project and --repository" in result.err
    assert service.sent("POST", "PUT") == []


@pytest.mark.parametrize(("change", "args", "expected"), [
    (None, ("--organization", "https://dev.azure.com/fabrikam"), "--project, --repository needed"),
    ("stale", ("--dry-run",), f"{POLICIES} differs from what vending.yaml renders: run vending render --all"),
    ("no azureRepos", ("--dry-run",), "vending.yaml has no azureRepos or no owners"),
    (None, ("--organization", "https://dev.azure.com/fabrikam", "--project", "p", "--repository", "r"),
     "no Azure DevOps credentials: set AZURE_DEVOPS_EXT_PAT to a personal access token with the Code (Read, "
     "write & manage) scope"),
])
def test_usage_and_configuration_errors_are_exit_2(run_cli: RunCli, repo: Path, change: str | None,
                                                   args: tuple[str, ...], expected: str) -> None:
    if change == "stale":
        (repo / POLICIES).write_text((repo / POLICIES).read_text().replace('"isBlocking": true', '"isBlocking": false'))
    elif change == "no azureRepos":
        config = (repo / "vending.yaml").read_text()
        start, end = config.index("azureRepos:"), config.index("cd:")
        (repo / "vending.yaml").write_text(config[:start] + config[end:])
    result = run_cli("azdo", "policies", "--repo", str(repo), *args)
    assert result.code == 2, result.out + result.err
    assert expected in result.err
    assert "Traceback" not in result.err

