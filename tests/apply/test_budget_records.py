"""A budget's start is fixed on the day it is vended, recorded on trunk, and never moves afterwards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SHARED
from ..gitops.conftest import Clone, git, request_file, vending
from ..terraform_stub import offline_copy, terraform_missing_reason
from ..terraform_stub import terraform as run_terraform

MODULE_STUB = SHARED / "reference" / "avm-sub-vending-stub"


def budget(grain: str = "Monthly", **fields: Any) -> dict[str, Any]:
    return {"amount": 100, "timeGrain": grain, **fields,
            "notifications": {"actual": {"threshold": 100, "contactEmails": ["finops@contoso.com"]}}}


def on(day: str) -> dict[str, str]:
    return {"VENDING_TODAY": day}


def trunk_json(trunk: Path, path: str) -> Any:
    return json.loads(git(trunk, "show", f"main:{path}"))


def period(trunk: Path, name: str, key: str) -> tuple[str, str]:
    root = trunk_json(trunk, f"generated/terraform/nonproduction/{name}/main.tf.json")
    inputs = root["module"]["subscription"]["budgets"][key]
    return inputs["time_period_start"], inputs["time_period_end"]


def test_a_new_budget_starts_in_the_period_it_is_vended_in_and_never_moves(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    request = request_file(tmp_path, "costs-dev", budgets={
        "monthly": budget("Monthly"), "quarterly": budget("Quarterly"), "yearly": budget("Annually")})
    created = vending(work, "apply", str(request), "--output", "json", env=on("2026-08-17"))
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["action"] == "create"
    assert trunk_json(trunk, "records/costs-dev.json") == {"budgets": {
        "monthly": {"startDate": "2026-08-01"}, "quarterly": {"startDate": "2026-07-01"},
        "yearly": {"startDate": "2026-01-01"}}}
    assert git(trunk, "show", "main:records/costs-dev.json").endswith("}\n")
    assert period(trunk, "costs-dev", "monthly") == ("2026-08-01T00:00:00Z", "2030-12-31T23:59:59Z")
    composite = git(trunk, "show", "main:generated/crossplane/nonproduction/costs-dev.yaml")
    assert 'startDate: "2026-07-01"' in composite and 'endDate: "2030-12-31"' in composite

    # Months later the same request changes nothing, and a re-render keeps the recorded dates.
    again = vending(work, "apply", str(request), "--output", "json", env=on("2027-03-02"))
    assert json.loads(again.stdout)["action"] == "noop", again.stderr
    rendered = vending(work, "render", "--all", env=on("2027-03-02"))
    assert rendered.returncode == 0, rendered.stderr
    assert "nothing to change" in rendered.stdout
    assert vending(work, "render", "requests/costs-dev.json", env=on("2027-03-02")).stdout.strip() == \
        "nothing to change"


def test_a_budget_added_later_gets_its_own_date_and_a_removed_one_is_forgotten(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    first = request_file(tmp_path, "grow-dev", budgets={"base": budget()})
    assert vending(work, "apply", str(first), env=on("2026-05-20")).returncode == 0
    second = request_file(tmp_path, "grow-dev", budgets={"base": budget(), "extra": budget("Quarterly")})
    updated = vending(work, "apply", str(second), "--output", "json", env=on("2026-11-03"))
    assert json.loads(updated.stdout)["action"] == "update", updated.stderr
    assert trunk_json(trunk, "records/grow-dev.json") == {"budgets": {
        "base": {"startDate": "2026-05-01"}, "extra": {"startDate": "2026-10-01"}}}
    changed = set(git(trunk, "diff-tree", "--no-commit-id", "--name-only", "-r", "main").split())
    assert "records/grow-dev.json" in changed, "the record is committed with the change that needs it"

    # Azure deletes a removed budget; added again later it is a new budget with a new start.
    dropped = request_file(tmp_path, "grow-dev", budgets={"extra": budget("Quarterly")})
    assert vending(work, "apply", str(dropped), env=on("2026-12-09")).returncode == 0
    assert trunk_json(trunk, "records/grow-dev.json") == {"budgets": {"extra": {"startDate": "2026-10-01"}}}
    readded = request_file(tmp_path, "grow-dev", budgets={"base": budget(), "extra": budget("Quarterly")})
    assert vending(work, "apply", str(readded), env=on("2027-02-14")).returncode == 0
    assert trunk_json(trunk, "records/grow-dev.json")["budgets"]["base"] == {"startDate": "2027-02-01"}
    none = request_file(tmp_path, "grow-dev")
    assert vending(work, "apply", str(none), env=on("2027-02-14")).returncode == 0
    assert git(trunk, "ls-tree", "--name-only", "main", "records/").split() == ["records/_fleet.json"], \
        "no facts: no record (only the fleet index)"


def test_an_explicit_start_is_checked_against_azure_once_when_the_budget_is_created(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    past = request_file(tmp_path, "dated-dev", budgets={"q": budget("Quarterly", startDate="2026-03-01")})
    refused = vending(work, "apply", str(past), env=on("2026-04-10"))
    assert refused.returncode == 1
    assert (f"{past}:" in refused.stderr and "error: /budgets/q/startDate: startDate 2026-03-01 is in the past on "
            "2026-04-10 (UTC)" in refused.stderr), refused.stderr
    assert "not before the start of the current calendar quarter (2026-04-01)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert git(trunk, "ls-tree", "-r", "--name-only", "main", "requests", "records").split() == \
        ["records/_fleet.json"], "nothing landed (the fleet index is from the start)"

    ahead = request_file(tmp_path, "dated-dev", budgets={"q": budget("Monthly", startDate="2027-05-01")})
    too_far = vending(work, "apply", str(ahead), env=on("2026-04-10"))
    assert too_far.returncode == 1 and "more than twelve months ahead" in too_far.stderr
    assert "at most twelve months ahead (2027-04-01)" in too_far.stderr

    within = request_file(tmp_path, "dated-dev", budgets={"q": budget("Quarterly", startDate="2026-04-01")})
    assert vending(work, "apply", str(within), env=on("2026-04-10")).returncode == 0
    assert trunk_json(trunk, "records/dated-dev.json") == {"budgets": {"q": {"startDate": "2026-04-01"}}}
    # A year later the date is in the past, but the budget exists in Azure: it is not checked again.
    later = request_file(tmp_path, "dated-dev", displayName="Renamed",
                         budgets={"q": budget("Quarterly", startDate="2026-04-01")})
    updated = vending(work, "apply", str(later), env=on("2027-06-01"))
    assert updated.returncode == 0, updated.stderr
    assert period(trunk, "dated-dev", "q")[0] == "2026-04-01T00:00:00Z"
    moved = request_file(tmp_path, "dated-dev", budgets={"q": budget("Quarterly", startDate="2027-04-01")})
    refused_move = vending(work, "apply", str(moved), env=on("2027-06-01"))
    assert refused_move.returncode == 1
    assert ("/budgets/q/startDate: startDate 2027-04-01 differs from 2026-04-01, recorded in records/dated-dev.json"
            in refused_move.stderr), refused_move.stderr


@pytest.mark.xdist_group("processes")  # many processes at once: never beside each other
def test_runs_racing_on_different_days_keep_the_first_recorded_date(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    request = request_file(tmp_path, "raced-dev", budgets={"m": budget()})
    days = ["2026-01-20", "2026-02-20", "2026-03-20", "2026-04-20", "2026-05-20", "2026-06-20"]
    runs = [subprocess.Popen([sys.executable, "-m", "vending", "apply", str(request), "--output", "json"],
                             cwd=clone(detached=True), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "VENDING_TODAY": day}) for day in days]
    outcomes = []
    for day, process in zip(days, runs, strict=True):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{day}: {err}"
        outcomes.append((day, json.loads(out)))
    created = [day for day, outcome in outcomes if outcome["action"] == "create"]
    assert len(created) == 1 and all(o["action"] in ("create", "noop") for _, o in outcomes), outcomes
    winner = created[0][:8] + "01"
    assert trunk_json(trunk, "records/raced-dev.json") == {"budgets": {"m": {"startDate": winner}}}
    assert period(trunk, "raced-dev", "m")[0] == f"{winner}T00:00:00Z", "the files agree with the record"
    check = vending(clone(), "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_check_catches_a_hand_edit_and_restore_keeps_the_records(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(request_file(tmp_path, "kept-dev", budgets={"m": budget()})),
                   env=on("2026-09-09")).returncode == 0
    root = work / "generated/terraform/nonproduction/kept-dev/main.tf.json"
    root.write_text(root.read_text().replace("2026-09-01T00:00:00Z", "2026-01-01T00:00:00Z"))
    edited = vending(work, "check")
    assert edited.returncode == 1 and '+          "time_period_start": "2026-09-01T00:00:00Z"' in edited.stdout
    git(work, "checkout", "--", ".")

    record = work / "records/kept-dev.json"
    record.write_text(record.read_text().replace("2026-09-01", "2026-08-01"))
    moved = vending(work, "check")
    assert moved.returncode == 1 and "2026-08-01" in moved.stdout, "the files no longer match the record"
    git(work, "checkout", "--", ".")

    record.unlink()
    missing = vending(work, "check")
    assert missing.returncode == 1
    assert ("requests/kept-dev.json:" in missing.stderr and "/budgets/m: budget 'm' has no start date recorded in "
            "records/kept-dev.json" in missing.stderr), missing.stderr
    git(work, "checkout", "--", ".")

    shutil.rmtree(work / "generated")
    restored = vending(work, "render", "--all", env=on("2031-01-01"))
    assert restored.returncode == 0, restored.stderr
    assert git(work, "status", "--porcelain", "--untracked-files=all") == "", "records are inputs, never rewritten"


@pytest.mark.slow
def test_the_module_sends_azure_the_recorded_start_and_the_whole_last_day(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    reason = terraform_missing_reason()
    if reason or not MODULE_STUB.is_dir():
        pytest.skip(reason or f"{MODULE_STUB} is absent (the AVM module stub comes from ../shared)")
    work = clone()
    request = request_file(tmp_path, "sent-dev", budgets={
        "m": budget(endDate="2027-06-30"), "q": budget("Quarterly")})
    assert vending(work, "apply", str(request), env=on("2026-11-20")).returncode == 0
    root = offline_copy(work / "generated/terraform/nonproduction/sent-dev/main.tf.json", tmp_path / "tf",
                        MODULE_STUB)
    for step in (["init", "-backend=false", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        ran = run_terraform(root, *step)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    state = json.loads(run_terraform(root, "show", "-json").stdout)
    sent = {resource["values"]["input"]["name"]: resource["values"]["input"]["body"]["properties"]["timePeriod"]
            for module in state["values"]["root_module"]["child_modules"]
            for child in module.get("child_modules", [])
            for resource in child["resources"] if resource["address"].endswith("terraform_data.budget")}
    assert sent == {"m": {"startDate": "2026-11-01T00:00:00Z", "endDate": "2027-06-30T23:59:59Z"},
                    "q": {"startDate": "2026-10-01T00:00:00Z", "endDate": "2030-12-31T23:59:59Z"}}
