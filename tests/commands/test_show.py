"""`vending show NAME` on a repository with a known history (tests/commands/fleet_history.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conftest import RunCli
from .fleet_history import DISPLAY_ONE, RUN_LINK, History


def _show(run_cli: RunCli, history: History, *args: str) -> dict[str, Any]:
    result = run_cli("show", *args, "--repo", str(history.repo), "--output", "json")
    assert result.code == 0, result.err
    shown: dict[str, Any] = json.loads(result.out)
    return shown


def test_history_comes_from_the_trailers_of_the_vend_commits(run_cli: RunCli, history: History) -> None:
    shown = _show(run_cli, history, "app-one")
    assert shown["history"] == [
        {"commit": history.commits["update-one"], "date": "2026-01-20T12:00:00Z", "action": "update",
         "requestedBy": "app-one@contoso.com", "ticket": "CHG0000001", "run": None},
        {"commit": history.commits["create-one"], "date": "2026-01-06T10:30:00Z", "action": "create",
         "requestedBy": "app-one@contoso.com", "ticket": None, "run": RUN_LINK},
    ]


def test_the_request_as_stored_and_the_files_it_owns(run_cli: RunCli, history: History) -> None:
    shown = _show(run_cli, history, "app-one")
    assert shown["path"] == "requests/app-one.json"
    assert shown["request"] == json.loads((history.repo / "requests" / "app-one.json").read_text())
    assert shown["files"] == ["generated/crossplane/nonproduction/app-one.yaml",
                              "generated/terraform/nonproduction/app-one/main.tf.json", "requests/app-one.json"]
    assert shown["subscription"]["schemaPinned"] == "1.1"


def test_a_decommission_and_a_revert_are_in_the_history(run_cli: RunCli, history: History) -> None:
    four = _show(run_cli, history, "app-four")
    assert [(h["action"], h["requestedBy"], h["ticket"]) for h in four["history"]] == [
        ("decommission", "ops@contoso.com", "CHG0000004"), ("create", "app-four@contoso.com", None)]
    assert four["path"] == "requests/app-four.yaml"
    three = _show(run_cli, history, "app-three", "--ref", history.commits["revert-three"] + "^")
    assert [h["action"] for h in three["history"]] == ["create"]


def test_text_shows_the_stored_file_and_the_history(run_cli: RunCli, history: History) -> None:
    result = run_cli("show", "app-one", "--repo", str(history.repo))
    assert result.code == 0, result.err
    assert f'    "displayName": {json.dumps(DISPLAY_ONE)},' in result.out
    assert "files:\n  generated/crossplane/nonproduction/app-one.yaml\n" in result.out
    history_lines = result.out.split("history:\n", 1)[1].splitlines()
    assert history_lines[0].split() == ["DATE", "COMMIT", "ACTION", "REQUESTED", "BY", "TICKET", "RUN"]
    assert history_lines[1].split() == ["2026-01-20T12:00:00Z", history.commits["update-one"][:12], "update",
                                        "app-one@contoso.com", "CHG0000001", "-"]


def test_an_unknown_or_malformed_name_is_a_clear_error(run_cli: RunCli, history: History) -> None:
    result = run_cli("show", "app-three", "--repo", str(history.repo))
    assert result.code == 1 and "there is no subscription app-three in commit" in result.err
    result = run_cli("show", "../vending", "--repo", str(history.repo))
    assert result.code == 2 and "is not a subscription name" in result.err
    assert result.out == ""


def test_working_tree_shows_a_request_not_yet_committed(run_cli: RunCli, gitops_repo: Path) -> None:
    result = run_cli("show", "payments-prod", "--repo", str(gitops_repo), "--working-tree", "--output", "json")
    assert result.code == 0, result.err
    shown = json.loads(result.out)
    assert shown["history"] == [] and shown["files"] == ["records/payments-prod.json", "requests/payments-prod.yaml"]
