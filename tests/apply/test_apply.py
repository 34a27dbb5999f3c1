"""vending apply against real git: a bare repository as trunk, clones as the agents' checkouts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..conftest import RunCli
from ..gitops.conftest import Clone, example, git, request_file, vending


def files_at(repo: Path, ref: str) -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", ref).split())


def test_create_commits_the_request_and_its_files_with_an_audit_trail(clone: Clone, trunk: Path) -> None:
    work = clone()
    result = vending(work, "apply", str(example("payments-prod")), "--output", "json")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {"subscription": "payments-prod", "action": "create", "commit": outcome["commit"],
                       "attempts": 1}
    commit = outcome["commit"]
    assert git(trunk, "rev-parse", "main").strip() == commit
    assert git(trunk, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "main").strip() == \
        "alice <alice@contoso.com>|vending-bot <vending-bot@contoso.com>"
    text = git(trunk, "log", "-1", "--format=%B", "main")
    assert text.startswith("vend: create subscription payments-prod [skip ci]\n")
    trailers = git(trunk, "log", "-1", "--format=%(trailers:only,unfold)", "main")
    for line in ("Vending-Request: payments-prod", "Vending-Schema-Pinned: 1.0.0", "Vending-Schema-Resolved: 1.0.0",
                 "Vending-Schema-Model: 2.1.0", "Requested-By: alice@contoso.com", "Change-Ticket: CHG0012345"):
        assert line in trailers
    changed = set(git(trunk, "diff-tree", "--no-commit-id", "--name-only", "-r", "main").split())
    assert changed == {"requests/payments-prod.yaml", "records/payments-prod.json", "records/_fleet.json",
                       "generated/addresses.json",
                       "generated/terraform/production/payments-prod/main.tf.json",
                       "generated/crossplane/production/payments-prod.yaml"}
    assert git(trunk, "show", "main:requests/payments-prod.yaml") == example("payments-prod").read_text(), \
        "stored exactly as submitted, comments and pin included"
    assert git(work, "rev-parse", "HEAD").strip() == commit, "the clean checkout follows"


def test_the_same_request_twice_is_a_noop(clone: Clone, trunk: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(example("analytics-dev"))).returncode == 0
    before = git(trunk, "rev-parse", "main")
    again = vending(work, "apply", str(example("analytics-dev")), "--output", "json")
    assert again.returncode == 0
    assert json.loads(again.stdout) == {"subscription": "analytics-dev", "action": "noop", "commit": None,
                                        "attempts": 1}
    assert git(trunk, "rev-parse", "main") == before


def test_an_update_is_an_update_commit_of_the_same_subscription(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    first = request_file(tmp_path, "orders-dev", tags={"costCenter": "1"})
    assert vending(work, "apply", str(first)).returncode == 0
    yaml_version = tmp_path / "orders-dev.yaml"
    yaml_version.write_text(first.read_text().replace('"1"', '"2"'))
    result = vending(work, "apply", str(yaml_version), "--output", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "update"
    assert git(trunk, "log", "-1", "--format=%s", "main").startswith("vend: update subscription orders-dev")
    stored = {p for p in files_at(trunk, "main") if p.startswith("requests/")}
    assert stored == {"requests/orders-dev.yaml"}, "the JSON form it replaced is gone"
    assert '"costCenter": "2"' in git(trunk, "show", "main:generated/terraform/nonproduction/orders-dev/main.tf.json")


def test_the_workload_of_a_subscription_never_changes(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    """Azure fixes it at creation, and the state lives under the environment's key: moving the root
    would abandon its state and create everything again."""
    work = clone()
    assert vending(work, "apply", str(request_file(tmp_path, "moving-app"))).returncode == 0
    before = git(trunk, "rev-parse", "main")
    moved = vending(work, "apply", str(request_file(tmp_path, "moving-app", workload="Production")))
    assert moved.returncode == 1
    assert "moving-app is a DevTest subscription; its workload cannot change" in moved.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_pipeline_run_trailers_under_azure_devops(clone: Clone, trunk: Path) -> None:
    env = {"TF_BUILD": "True", "BUILD_BUILDID": "4711", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
           "SYSTEM_TEAMPROJECT": "Platform", "BUILD_DEFINITIONNAME": "vend\nInjected-Trailer: x"}
    result = vending(clone(), "apply", str(example("risk-models-prod")), env=env)
    assert result.returncode == 0, result.stderr
    trailers = git(trunk, "log", "-1", "--format=%(trailers:only,unfold)", "main")
    assert "Build-Id: 4711" in trailers
    assert "Team-Project: Platform" in trailers
    assert "Pipeline-Run: https://dev.azure.com/contoso/Platform/_build/results?buildId=4711" in trailers
    assert "Pipeline: vend Injected-Trailer: x" in trailers, "a variable cannot add a trailer line"
    assert "##vso[task.setvariable variable=commit;isoutput=true]" in result.stdout + result.stderr


def test_a_detached_checkout_as_on_an_agent(clone: Clone, trunk: Path) -> None:
    work = clone(detached=True)
    result = vending(work, "apply", str(example("payments-prod")), "--output", "json")
    assert result.returncode == 0, result.stderr
    commit = json.loads(result.stdout)["commit"]
    assert git(trunk, "rev-parse", "main").strip() == commit
    assert git(work, "rev-parse", "HEAD").strip() == commit
    assert git(work, "symbolic-ref", "--quiet", "HEAD", check=False) == "", "still detached"


def test_no_push_on_an_agent_checkout_without_local_branches(clone: Clone, trunk: Path) -> None:
    """Azure DevOps agents check out a detached commit and have no local branches."""
    work = clone(detached=True)
    git(work, "branch", "-D", "main")
    result = vending(work, "apply", str(example("analytics-dev")), "--no-push", "--output", "json")
    assert result.returncode == 0, result.stderr
    commit = json.loads(result.stdout)["commit"]
    assert git(work, "rev-parse", "HEAD").strip() == commit == git(work, "rev-parse", "main").strip()


def test_no_push_refuses_a_diverged_local_branch(clone: Clone, trunk: Path) -> None:
    other = clone()
    git(other, "commit", "--quiet", "--allow-empty", "-m", "someone else")
    git(other, "push", "--quiet", "origin", "main")
    work = clone()
    git(work, "reset", "--quiet", "--hard", "HEAD~1")
    git(work, "commit", "--quiet", "--allow-empty", "-m", "mine")
    result = vending(work, "apply", str(example("analytics-dev")), "--no-push")
    assert result.returncode == 3 and "the local main has diverged from origin/main" in result.stderr


def test_no_push_commits_locally_and_moves_the_checkout(clone: Clone, trunk: Path) -> None:
    work = clone(detached=True)
    before = git(trunk, "rev-parse", "main")
    result = vending(work, "apply", str(example("analytics-dev")), "--no-push", "--output", "json")
    assert result.returncode == 0, result.stderr
    commit = json.loads(result.stdout)["commit"]
    assert git(trunk, "rev-parse", "main") == before, "nothing pushed"
    assert git(work, "rev-parse", "HEAD").strip() == commit
    assert git(work, "rev-parse", "refs/heads/main").strip() == commit
    assert "generated/terraform/nonproduction/analytics-dev/main.tf.json" in \
        git(work, "diff", "--name-only", "origin/main", "HEAD")
    second = vending(work, "apply", str(example("payments-prod")), "--no-push", "--output", "json")
    assert git(work, "rev-parse", "HEAD~1").strip() == commit, "local commits stack up"
    assert json.loads(second.stdout)["action"] == "create"


def test_local_changes_in_the_checkout_are_never_touched(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    (work / "vending.yaml").write_text((work / "vending.yaml").read_text() + "# my local edit\n")
    result = vending(work, "apply", str(request_file(tmp_path, "local-dev")))
    assert result.returncode == 0, result.stderr
    assert (work / "vending.yaml").read_text().endswith("# my local edit\n"), "kept, as checkout keeps it"
    assert git(work, "rev-parse", "HEAD") == git(trunk, "rev-parse", "main"), "the rest followed trunk"
    generated = work / "generated" / "terraform" / "nonproduction" / "local-dev" / "main.tf.json"
    generated.write_text("my edit of a file the next commit changes\n")
    update = vending(work, "apply", str(request_file(tmp_path, "local-dev", displayName="Renamed")))
    assert update.returncode == 0, update.stderr
    assert "local changes in the paths this commit changes" in update.stderr
    assert generated.read_text() == "my edit of a file the next commit changes\n"
    assert "Renamed" in git(trunk, "show", "main:generated/terraform/nonproduction/local-dev/main.tf.json")


def test_invalid_requests_change_nothing(clone: Clone, trunk: Path, run_cli: RunCli, tmp_path: Path) -> None:
    work = clone()
    before = git(trunk, "rev-parse", "main")
    bad = tmp_path / "bad.yaml"
    bad.write_text('schemaVersion: "2"\nname: Bad\n')
    result = run_cli("apply", str(bad), "--repo", str(work))
    assert result.code == 1
    assert f"{bad}:2:7: error: /name:" in result.err
    hub = request_file(tmp_path, "westeurope-app", location="westeurope", network={
        "addressSpace": ["10.9.0.0/24"], "hubPeering": True})
    refused = run_cli("apply", str(hub), "--repo", str(work))
    assert refused.code == 1 and "no hub network there" in refused.err
    assert git(trunk, "rev-parse", "main") == before
    assert git(work, "status", "--porcelain") == ""


def test_usage_errors(clone: Clone, run_cli: RunCli, tmp_path: Path) -> None:
    work = clone()
    request = str(example("analytics-dev"))
    no_remote = run_cli("apply", request, "--repo", str(work), "--remote", "upstream")
    assert no_remote.code == 2 and "no remote 'upstream'" in no_remote.err
    outside = run_cli("apply", request, "--repo", str(tmp_path))
    assert outside.code == 2 and "not inside a git repository" in outside.err
    assert run_cli("apply", request, "--repo", str(tmp_path / "nowhere")).code == 2
    assert run_cli("apply", request, "--repo", str(work), "--branch", "").code == 2
    assert run_cli("apply", request, "--repo", str(work), "--branch", "a..b").code == 2
    missing = run_cli("apply", request, "--repo", str(work), "--branch", "nope")
    assert missing.code == 2 and "there is no branch 'nope' to vend onto on origin" in missing.err


def test_a_refusing_remote_fails_clearly(clone: Clone, trunk: Path) -> None:
    hook = trunk / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'TF402455: Pushes to this branch are not permitted' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = vending(clone(), "apply", str(example("analytics-dev")))
    assert result.returncode == 3
    assert "refused the push to main" in result.stderr and "TF402455" in result.stderr


def test_a_busy_remote_exhausts_the_retry_budget(clone: Clone, trunk: Path) -> None:
    work = clone()
    config = work / "vending.yaml"
    text = config.read_text().replace("attempts: 40", "attempts: 3")
    config.write_text(text)
    git(work, "commit", "--quiet", "-am", "three attempts")
    git(work, "push", "--quiet", "origin", "main")
    (trunk / "refs" / "heads" / "main.lock").write_text("")  # another push holds the ref (a fresh lock)
    result = vending(work, "apply", str(example("analytics-dev")))
    assert result.returncode == 3
    assert "after 3 attempt(s)" in result.stderr and "nothing is lost" in result.stderr
    assert "another push was updating main" in result.stderr


def test_sha256_repositories(tmp_path: Path) -> None:
    bare = tmp_path / "sha256.git"
    git(tmp_path, "init", "--quiet", "--bare", "--object-format=sha256", "--initial-branch=main", str(bare))
    seed = tmp_path / "sha256-seed"  # cloning an empty sha256 repository would make a sha1 one
    git(tmp_path, "init", "--quiet", "--object-format=sha256", "--initial-branch=main", str(seed))
    git(seed, "remote", "add", "origin", str(bare))
    assert vending(seed, "init", ".").returncode == 0
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "--set-upstream", "origin", "main")
    applied = vending(seed, "apply", str(request_file(tmp_path, "hashed-dev")))
    assert applied.returncode == 0, applied.stderr
    gone = vending(seed, "decommission", "hashed-dev", "--confirm", "hashed-dev", "--requested-by", "a@b.io")
    assert gone.returncode == 0, gone.stderr
    assert len(git(bare, "rev-parse", "main").strip()) == 64


def test_signed_commits_with_an_ssh_key(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    key = tmp_path / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vending", "-f", str(key)], check=True)
    work = clone()
    config = work / "vending.yaml"
    config.write_text(config.read_text().replace(
        "git:\n", f"git:\n  signing: {{format: ssh, key: {key}}}\n"))
    git(work, "commit", "--quiet", "-am", "Sign vending commits")
    git(work, "push", "--quiet", "origin", "main")
    result = vending(work, "apply", str(example("analytics-dev")))
    assert result.returncode == 0, result.stderr
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"vending-bot@contoso.com {(tmp_path / 'signing_key.pub').read_text()}")
    verified = subprocess.run(
        ["git", "-C", str(trunk), "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", "main"],
        capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stderr
    assert 'Good "git" signature for vending-bot@contoso.com' in verified.stderr


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-config"))
