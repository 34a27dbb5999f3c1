from __future__ import annotations

from pathlib import Path

from ..conftest import ROOT, RunCli


def test_the_project_repository_is_in_sync(run_cli: RunCli) -> None:
    result = run_cli("check", "--repo", str(ROOT))
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("generated files match the ")


def test_a_hand_edit_is_caught_with_its_diff(run_cli: RunCli, gitops_repo: Path) -> None:
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    target = gitops_repo / "generated" / "terraform" / "production" / "payments-prod" / "main.tf.json"
    target.write_text(target.read_text().replace('"amount": 5000', '"amount": 9000'))
    result = run_cli("check", "--repo", str(gitops_repo))
    assert result.code == 1
    assert '-      "amount": 9000,\n+      "amount": 5000,' in result.out.replace("          ", "      ")
    assert "run vending render --all and commit the result" in result.err


def test_an_unrendered_request_and_a_stray_file_are_caught(run_cli: RunCli, gitops_repo: Path) -> None:
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    stray = gitops_repo / "generated" / "terraform" / "production" / "ghost" / "main.tf.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}\n")
    (gitops_repo / "interface" / "crossplane" / "definition.yaml").unlink()
    result = run_cli("check", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "--- a/generated/terraform/production/ghost/main.tf.json" in result.out
    assert "+++ b/interface/crossplane/definition.yaml" in result.out
