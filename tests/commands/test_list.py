"""`vending list` on a repository with a known history (tests/commands/fleet_history.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..conftest import RunCli
from .fleet_history import History, git, request


def _names(run_cli: RunCli, repo: Path, *args: str) -> list[str]:
    result = run_cli("list", "--repo", str(repo), "--output", "json", *args)
    assert result.code == 0, result.err
    return [s["name"] for s in json.loads(result.out)["subscriptions"]]


def test_json_has_the_fields_of_the_issue_with_the_last_change_from_git(run_cli: RunCli, history: History) -> None:
    result = run_cli("list", "--repo", str(history.repo), "--output", "json")
    assert result.code == 0, result.err
    subscriptions = json.loads(result.out)["subscriptions"]
    assert [s["name"] for s in subscriptions] == ["app-four", "app-one", "app-two"]
    assert subscriptions[1] == {
        "name": "app-one", "workload": "DevTest", "environment": "nonproduction", "state": "present",
        "schemaPinned": "1.1", "schemaResolved": "1.1.0", "requestedBy": "app-one@contoso.com",
        "ticket": "CHG0000001", "managementGroup": "online", "location": "westeurope",
        "lastCommit": history.commits["update-one"], "lastChanged": "2026-01-20T12:00:00Z"}
    four = subscriptions[0]
    assert (four["state"], four["environment"], four["lastCommit"], four["lastChanged"]) == (
        "absent", "production", history.commits["decommission-four"], "2026-01-22T09:00:00Z")
    assert subscriptions[2]["ticket"] == "CHG0000002" and subscriptions[2]["schemaPinned"] == "1.0"


def test_filters_by_workload_state_and_pinned_version(run_cli: RunCli, history: History) -> None:
    assert _names(run_cli, history.repo, "--workload", "Production") == ["app-four", "app-two"]
    assert _names(run_cli, history.repo, "--state", "absent") == ["app-four"]
    assert _names(run_cli, history.repo, "--state", "present", "--workload", "Production") == ["app-two"]
    assert _names(run_cli, history.repo, "--pinned", "1") == ["app-one", "app-two"]
    assert _names(run_cli, history.repo, "--pinned", "1.0") == ["app-two"]
    assert _names(run_cli, history.repo, "--pinned", "1.0.0") == ["app-two"]
    assert _names(run_cli, history.repo, "--pinned", "2.1.0") == ["app-four"]
    assert _names(run_cli, history.repo, "--pinned", "3") == []


def test_ref_reads_an_earlier_commit(run_cli: RunCli, history: History) -> None:
    assert _names(run_cli, history.repo, "--ref", history.commits["create-three"]) == [
        "app-one", "app-three", "app-two"]
    result = run_cli("list", "--repo", str(history.repo), "--ref", history.commits["create-one"], "--output", "json")
    (one,) = json.loads(result.out)["subscriptions"]
    assert (one["ticket"], one["lastCommit"]) == (None, history.commits["create-one"])


def test_text_is_an_aligned_table(run_cli: RunCli, history: History) -> None:
    result = run_cli("list", "--repo", str(history.repo))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "WORKLOAD", "ENVIRONMENT", "STATE", "SCHEMA", "REQUESTED", "BY", "TICKET",
                                "MANAGEMENT", "GROUP", "LOCATION", "LAST", "CHANGE"]
    assert len(lines) == 4
    column = lines[0].index("SCHEMA")
    assert [line[column:].split()[0] for line in lines[1:]] == ["2.1.0", "1.1", "1.0"]
    assert lines[2].endswith(f"2026-01-20 {history.commits['update-one'][:12]} app-one@contoso.com")


def test_working_tree_sees_an_uncommitted_request(run_cli: RunCli, history: History, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(history.repo, copy)
    request(copy / "requests", "app-five", "2")
    assert "app-five" not in _names(run_cli, copy)
    result = run_cli("list", "--repo", str(copy), "--working-tree", "--output", "json")
    five = next(s for s in json.loads(result.out)["subscriptions"] if s["name"] == "app-five")
    assert (five["lastCommit"], five["lastChanged"]) == (None, None)


def test_a_working_tree_outside_git_has_no_last_change(run_cli: RunCli, gitops_repo: Path) -> None:
    result = run_cli("list", "--repo", str(gitops_repo), "--working-tree", "--output", "json")
    assert result.code == 0, result.err
    assert {s["lastCommit"] for s in json.loads(result.out)["subscriptions"]} == {None}


def test_an_invalid_stored_request_is_named_with_its_line(run_cli: RunCli, history: History, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "--quiet", str(history.repo), str(copy))
    (copy / "requests" / "app-two.json").write_text('{"schemaVersion": "1.0",\n "name": 5}\n')
    git(copy, "commit", "--quiet", "-am", "break it")
    result = run_cli("list", "--repo", str(copy))
    assert result.code == 1
    assert "requests/app-two.json:2:" in result.err and "Traceback" not in result.err
    assert result.out == ""


def test_bad_arguments_are_usage_errors(run_cli: RunCli, history: History) -> None:
    result = run_cli("list", "--repo", str(history.repo), "--ref", "no-such-branch")
    assert result.code == 2 and "--ref 'no-such-branch' names no commit" in result.err
    result = run_cli("list", "--repo", str(history.repo), "--ref", "HEAD", "--working-tree")
    assert result.code == 2 and "not both" in result.err
    result = run_cli("list", "--repo", str(history.repo), "--workload", "Prod")
    assert result.code == 2


def test_a_link_committed_as_a_request_is_refused_not_followed(run_cli: RunCli, history: History,
                                                                tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "--quiet", str(history.repo), str(copy))
    (copy / "requests" / "evil.yaml").symlink_to("/etc/passwd")
    git(copy, "add", ".")
    git(copy, "commit", "--quiet", "-m", "a link")
    for command in (("list",), ("report", "--output", "json")):
        result = run_cli(*command, "--repo", str(copy))
        assert result.code == 1, command
        assert "requests/evil.yaml: error: not a plain file (mode 120000)" in result.err
        assert "root:" not in result.out + result.err
