"""`cd` and `azureRepos` in vending.yaml are checked like the rest: file, line, column, pointer; exit 2."""

from __future__ import annotations

import pytest

from ...conftest import RunCli
from .conftest import Copy


@pytest.mark.parametrize(("edit", "where", "message"), [
    (("approvePlan: {Production: manual, DevTest: auto}", "approvePlan: {Production: never, DevTest: auto}"),
     ":60:33:", "/cd/flux/terraform/approvePlan/Production"),
    (("git: {provider: azure}", "git: {serviceAccountName: source-reader}"),
     ":58:", "/cd/flux/git/serviceAccountName: serviceAccountName signs in with a workload identity"),
    (("targets: [terraform, crossplane]", "targets: [terraform]"), ":63:", "/cd/argocd: cd.argocd deploys"),
    (('"@contoso/cloud-change-board": 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', ""), ":48:",
     "/owners/Production/1: '@contoso/cloud-change-board' has no identity id in azureRepos.reviewers"),
    (('"@contoso/platform-team": 5b9f0c3e-1d2a-4c6b-8e7f-0a1b2c3d4e5f', '"@contoso/platform-team": team'),
     ":53:", "/azureRepos/reviewers/@contoso~1platform-team"),
    (("branch: main}\n  flux", "branch: refs/heads/main}\n  flux"), ":56:", "/cd/repository/branch"),
    (("https://dev.azure.com/contoso", "https://contoso:s3cr3t@dev.azure.com/contoso"), ":56:",
     "/cd/repository/url: the repository URL carries a password"),
])
def test_mistakes_are_located_and_nothing_is_written(golden_copy: Copy, run_cli: RunCli, edit: tuple[str, str],
                                                    where: str, message: str) -> None:
    root = golden_copy("default", edit)
    before = sorted(p for p in root.rglob("*"))
    result = run_cli("render", "--all", "--repo", str(root))
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    line = next(line for line in result.err.splitlines() if message in line)
    assert line.startswith(f"{root / 'vending.yaml'}{where}"), line
    assert sorted(p for p in root.rglob("*")) == before
