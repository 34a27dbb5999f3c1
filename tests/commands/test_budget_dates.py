"""Budget dates through the CLI: what Azure's Budgets API accepts, recorded when vended, rendered the same
in both targets."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from vending.budgets import latest_start, period_start, start_refusal

from ..conftest import RunCli


def request(name: str = "costs-dev", schema: str = "2.0.0", **fields: Any) -> dict[str, Any]:
    return {"schemaVersion": schema, "name": name, "displayName": "Costs", "workload": "DevTest",
            "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
            "managementGroup": "corp", "location": "uksouth", "requestedBy": "a@contoso.com", **fields}


def budget(grain: str = "Monthly", **fields: Any) -> dict[str, Any]:
    return {"amount": 10, "timeGrain": grain, **fields,
            "notifications": {"n": {"threshold": 90, "contactEmails": ["a@contoso.com"]}}}


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


@pytest.mark.parametrize(("grain", "today", "start"), [
    ("Monthly", "2026-12-31", "2026-12-01"),
    ("Quarterly", "2026-12-31", "2026-10-01"),
    ("Quarterly", "2026-01-01", "2026-01-01"),
    ("Quarterly", "2026-06-30", "2026-04-01"),
    ("Annually", "2026-07-04", "2026-01-01"),
])
def test_the_default_start_is_the_first_day_of_the_current_calendar_period(grain: str, today: str,
                                                                          start: str) -> None:
    assert period_start(grain, datetime.date.fromisoformat(today)).isoformat() == start


def test_azure_s_window_for_an_explicit_start() -> None:
    today = datetime.date(2026, 12, 15)
    assert latest_start(today) == datetime.date(2027, 12, 1)
    assert start_refusal(datetime.date(2027, 12, 1), "Monthly", today) is None
    assert start_refusal(datetime.date(2026, 12, 1), "Monthly", today) is None
    assert start_refusal(datetime.date(2026, 10, 1), "Quarterly", today) is None
    assert start_refusal(datetime.date(2026, 1, 1), "Annually", today) is None
    assert "in the past" in (start_refusal(datetime.date(2026, 11, 1), "Monthly", today) or "")
    assert "in the past" in (start_refusal(datetime.date(2026, 9, 1), "Quarterly", today) or "")
    assert "in the past" in (start_refusal(datetime.date(2025, 12, 1), "Annually", today) or "")
    assert "twelve months ahead" in (start_refusal(datetime.date(2028, 1, 1), "Monthly", today) or "")
    assert "(2017-06-01)" in (start_refusal(datetime.date(2017, 5, 1), "Annually", datetime.date(2017, 6, 2)) or "")


@pytest.mark.parametrize(("schema", "field", "value", "pointer"), [
    ("1.1.0", "budget", {"amount": 5, "timeGrain": "BillingQuarter", "thresholds": [80],
                         "contactEmails": ["a@contoso.com"]}, "/budget/timeGrain"),
    ("2.0.0", "budgets", {"ok": budget(), "wd": budget("BillingAnnual")}, "/budgets/wd/timeGrain"),
])
def test_billing_period_grains_are_refused(run_cli: RunCli, tmp_path: Path, schema: str, field: str, value: Any,
                                           pointer: str) -> None:
    path = write(tmp_path / "wd.json", request(schema=schema, **{field: value}))
    result = run_cli("validate", str(path))
    assert result.code == 1
    line = next(line for line in result.err.splitlines() if pointer in line)
    assert line.startswith(f"{path}:") and ": error: " + pointer + ": timeGrain Billing" in line
    assert "only for Web Direct" in line and "EA, MCA or MPA" in line


def test_render_of_a_new_request_records_it_and_dry_run_shows_the_record(run_cli: RunCli, gitops_repo: Path,
                                                                         tmp_path: Path) -> None:
    path = write(tmp_path / "costs-dev.json", request(budgets={"m": budget(endDate="2027-06-30")}))
    dry = run_cli("render", str(path), "--dry-run", "--repo", str(gitops_repo), env={"VENDING_TODAY": "2026-03-31"})
    assert dry.code == 0, dry.err
    assert "would be added: records/costs-dev.json" in dry.out
    assert '+      "startDate": "2026-03-01"' in dry.out
    assert '+          "time_period_end": "2027-06-30T23:59:59Z",' in dry.out
    assert not (gitops_repo / "records" / "costs-dev.json").exists()

    done = run_cli("render", str(path), "--repo", str(gitops_repo), env={"VENDING_TODAY": "2026-03-31"})
    assert done.code == 0, done.err
    assert (gitops_repo / "records" / "costs-dev.json").read_text() == \
        '{\n  "budgets": {\n    "m": {\n      "startDate": "2026-03-01"\n    }\n  }\n}\n'
    later = run_cli("render", str(path), "--repo", str(gitops_repo), env={"VENDING_TODAY": "2026-09-01"})
    assert later.out.strip() == "nothing to change"


def test_a_record_in_another_shape_is_refused(run_cli: RunCli, gitops_repo: Path) -> None:
    record = gitops_repo / "records" / "payments-prod.json"
    record.write_text('{"budgets": {"default": {"startDate": "2026-12-15"}}}\n')
    result = run_cli("check", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "records/payments-prod.json: error: /budgets/default: must be {\"startDate\": \"YYYY-MM-01\"}" in result.err


def test_vending_today_must_be_a_date(run_cli: RunCli, gitops_repo: Path) -> None:
    result = run_cli("render", str(gitops_repo / "requests" / "payments-prod.yaml"), "--repo", str(gitops_repo),
                     env={"VENDING_TODAY": "tomorrow"})
    assert result.code == 2 and "VENDING_TODAY='tomorrow' is not a date" in result.err


def test_the_configured_start_date_is_ignored_with_a_warning(run_cli: RunCli, gitops_repo: Path) -> None:
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text().replace('budgets:\n', 'budgets:\n  startDate: "2026-01-01"\n'))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 0, result.err
    assert "vending.yaml:38:14: warning: /budgets/startDate: budgets.startDate is no longer used" in result.err
    root = json.loads((gitops_repo / "generated/terraform/production/payments-prod/main.tf.json").read_text())
    recorded = json.loads((gitops_repo / "records/payments-prod.json").read_text())["budgets"]["default"]["startDate"]
    assert root["module"]["subscription"]["budgets"]["default"]["time_period_start"] == f"{recorded}T00:00:00Z"
    assert recorded != "2026-01-01", "the recorded date, not the configured one"
