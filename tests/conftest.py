from __future__ import annotations

import datetime
import io
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vending.config import Config, load_config
from vending.intake import Accepted
from vending.main import main
from vending.model import Request
from vending.records import dated, record_facts

from . import figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "requests"
SHARED = ROOT.parent / "shared"
VENDED_ON = datetime.date(2026, 1, 15)
"""The day the tests vend on (VENDING_TODAY): their budgets start on 2026-01-01, and the explicit
starts of the examples (2026-02-01, 2026-10-01) are within Azure's window on that day."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the slow tests first: started last, one of them would keep a worker busy while
    the others have nothing left to do. (xdist sends its groups first, largest first, then single tests in
    this order; a serial run keeps the order of the files.)"""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: its figures go to the controller
        output[figures.WORKER_OUTPUT] = figures.shares()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On xdist's controller, as each worker ends: add up the figures it gathered."""
    figures.add_shares(getattr(node, "workeroutput", {}).get(figures.WORKER_OUTPUT, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    figures.write(terminalreporter)


@dataclass
class Run:
    code: int
    out: str
    err: str


RunCli = Callable[..., Run]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run the real `vending` entry point in-process, with bytes on stdin, on the day `VENDED_ON` unless
    `env` sets another VENDING_TODAY."""

    def run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Run:
        out, err = io.BytesIO(), io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8")
        stderr = io.TextIOWrapper(err, encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(sys, "stderr", stderr)
        for key, value in {"VENDING_TODAY": VENDED_ON.isoformat(), **(env or {})}.items():
            monkeypatch.setenv(key, value)
        code = main(list(args))
        stdout.flush()
        stderr.flush()
        return Run(code, out.getvalue().decode(), err.getvalue().decode())

    return run


@pytest.fixture
def gitops_repo(tmp_path: Path) -> Path:
    """A GitOps repository tree (not yet a git repository): the project's vending.yaml, requests and records."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "vending.yaml", root / "vending.yaml")
    shutil.copytree(EXAMPLES, root / "requests")
    shutil.copytree(ROOT / "records", root / "records")
    return root


INJECTION = '${file("/etc/passwd")}'
TEMPLATE_DIRECTIVE = "%{ if true }yes%{ endif }"

MAXIMAL_REQUEST = {
    "schemaVersion": "2.0.0",
    "name": "maximal-prod",
    "displayName": f"Every field {INJECTION}",
    "workload": "Production",
    "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/billingProfiles/2/invoiceSections/3",
    "managementGroup": "corp",
    "location": "uksouth",
    "requestedBy": "max@contoso.com",
    "ticket": "CHG0000001",
    "tags": {"costCenter": INJECTION, "escaped": "$${already}", "directive": TEMPLATE_DIRECTIVE,
             "${key}": "a key with a template", "plain": "yes"},
    "budgets": {
        "monthly": {"amount": 1000.5, "timeGrain": "Monthly", "startDate": "2026-02-01", "endDate": "2027-01-31",
                    "notifications": {
                        "forecast": {"threshold": 90, "thresholdType": "Forecasted", "operator": "GreaterThanOrEqualTo",
                                     "contactEmails": ["a@contoso.com", "b@contoso.com"]},
                        "actual": {"threshold": 100, "contactEmails": ["a@contoso.com"]}}},
        "yearly": {"amount": 12000, "timeGrain": "Annually",
                   "notifications": {"actual": {"threshold": 110, "contactEmails": ["a@contoso.com"]}}},
    },
    "network": {"addressSpace": ["10.50.0.0/24", "10.50.1.0/24"], "hubPeering": True,
                "dnsServers": ["10.0.0.4"]},
    "roleAssignments": {
        "owners": {"principalId": "0f1e2d3c-4b5a-4968-8776-655443322110", "definition": "Owner",
                   "principalType": "Group"},
        "deployer": {"principalId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
                     "definition": "/providers/Microsoft.Authorization/roleDefinitions/"
                                   "b24988ac-6180-42a0-ab88-20f7382dd24c"},
    },
    "resourceProviders": ["Microsoft.ContainerService"],
}



def vended(accepted: Accepted, config: Config | None = None) -> Request:
    """The request as rendering sees it: vended on `VENDED_ON`, its budgets dated from that record."""
    record = record_facts(accepted, None, VENDED_ON)
    return dated(accepted, record, config or load_config(ROOT)).request
