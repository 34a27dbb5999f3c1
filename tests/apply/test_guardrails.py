"""Guardrails on change, through the real CLI against a real bare trunk: each risky update of an existing
subscription is refused with what it would do (exit 1, nothing committed), and lands when the run accepts
it by name, with a trailer per accepted change in the pushed commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT
from ..gitops.conftest import Clone, git, request_file, vending

NETWORK = {"addressSpace": ["10.30.0.0/24"], "hubPeering": True}
OTHER_BILLING = "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/9"

# kind, the fields that change it, the words of the refusal and the trailer
CASES = [
    ("location", {"location": "northeurope"},
     "location changes from uksouth to northeurope on an existing subscription: this replaces the virtual network "
     "rg-guarded-dev-network/vnet-guarded-dev-uksouth and its resource group",
     "location (replaces the virtual network rg-guarded-dev-network/vnet-guarded-dev-uksouth and its "
     "resource group)"),
    ("billingScope", {"billingScope": OTHER_BILLING},
     "billingScope changes from /providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2 to "
     f"{OTHER_BILLING} on an existing subscription: this ignored by the module after creation",
     "billingScope (ignored by the module after creation: the alias keeps its billing scope)"),
    ("managementGroup", {"managementGroup": "sandbox"},
     "managementGroup changes from corp to sandbox on an existing subscription: this moves the subscription out "
     "of corp's policy inheritance into sandbox's",
     "managementGroup (moves the subscription out of corp's policy inheritance into sandbox's)"),
    ("network", {"network": None},
     "network changes from a network to none on an existing subscription: this destroys the virtual network "
     "rg-guarded-dev-network/vnet-guarded-dev-uksouth, its resource group and peerings",
     "network (destroys the virtual network rg-guarded-dev-network/vnet-guarded-dev-uksouth, its resource "
     "group and peerings)"),
    ("addressSpace", {"network": {"addressSpace": ["10.31.0.0/24"], "hubPeering": True}},
     "addressSpace changes from 10.30.0.0/24 to 10.31.0.0/24 on an existing subscription: this re-addresses a "
     "virtual network peered with the hub",
     "addressSpace (re-addresses a virtual network peered with the hub: prefixes subnets use cannot be removed, "
     "and the hub's peering must be synced)"),
]


def _request(directory: Path, **changed: object) -> Path:
    fields: dict[str, object] = {"network": NETWORK, **changed}
    present = {key: value for key, value in fields.items() if value is not None}
    return request_file(directory, "guarded-dev", workload="DevTest", **present)


def _trailers(trunk: Path) -> list[str]:
    return git(trunk, "log", "-1", "--format=%(trailers:only,unfold)", "main").splitlines()


@pytest.fixture
def vended(clone: Clone, tmp_path: Path) -> Path:
    work = clone()
    first = vending(work, "apply", str(_request(tmp_path)))
    assert first.returncode == 0, first.stderr
    return work


@pytest.mark.parametrize(("kind", "fields", "refusal", "trailer"), CASES, ids=[case[0] for case in CASES])
def test_a_risky_change_is_refused_then_lands_when_accepted(vended: Path, trunk: Path, tmp_path: Path, kind: str,
                                                             fields: dict[str, object], refusal: str,
                                                             trailer: str) -> None:
    changed = _request(tmp_path, **fields)
    before = git(trunk, "rev-parse", "main")
    refused = vending(vended, "apply", str(changed))
    assert refused.returncode == 1, refused.stderr
    assert refusal in refused.stderr
    assert f"--accept-change {kind}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert git(trunk, "rev-parse", "main") == before, "nothing committed"
    assert git(vended, "status", "--porcelain") == "", "nothing written"

    accepted = vending(vended, "apply", str(changed), "--accept-change", kind, "--output", "json")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["action"] == "update"
    assert git(trunk, "rev-parse", "main").strip() == json.loads(accepted.stdout)["commit"]
    assert f"Vending-Accepted-Change: {trailer}" in _trailers(trunk), "the pushed commit says what was accepted"


def test_the_refusal_points_at_the_field(vended: Path, tmp_path: Path) -> None:
    changed = _request(tmp_path, managementGroup="sandbox")
    refused = vending(vended, "apply", str(changed))
    line = next(n for n, text in enumerate(changed.read_text().splitlines(), 1) if '"managementGroup"' in text)
    assert f"{changed}:{line}:" in refused.stderr
    assert "error: /managementGroup: managementGroup changes from corp to sandbox" in refused.stderr


def test_every_refused_change_is_named_at_once_and_each_must_be_accepted(vended: Path, trunk: Path,
                                                                         tmp_path: Path) -> None:
    changed = _request(tmp_path, location="northeurope", managementGroup="sandbox")
    refused = vending(vended, "apply", str(changed))
    assert "location changes" in refused.stderr and "managementGroup changes" in refused.stderr
    only_one = vending(vended, "apply", str(changed), "--accept-change", "location")
    assert only_one.returncode == 1
    assert "location changes" not in only_one.stderr and "managementGroup changes" in only_one.stderr
    both = vending(vended, "apply", str(changed), "--accept-change", "location", "--accept-change", "managementGroup")
    assert both.returncode == 0, both.stderr
    accepted = [line for line in _trailers(trunk) if line.startswith("Vending-Accepted-Change: ")]
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in accepted] == ["location", "managementGroup"]


def test_a_pipeline_accepts_through_the_environment(vended: Path, trunk: Path, tmp_path: Path) -> None:
    changed = _request(tmp_path, location="northeurope", managementGroup="sandbox")
    result = vending(vended, "apply", str(changed), env={"VENDING_ACCEPT_CHANGE": "location,managementGroup"})
    assert result.returncode == 0, result.stderr
    assert sum(line.startswith("Vending-Accepted-Change: ") for line in _trailers(trunk)) == 2

    wrong = vending(vended, "apply", str(changed), env={"VENDING_ACCEPT_CHANGE": "everything"})
    assert wrong.returncode == 2
    assert "VENDING_ACCEPT_CHANGE names 'everything', which no guardrail is" in wrong.stderr


def test_safe_updates_and_creates_need_no_acceptance(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    unnetworked = request_file(tmp_path, "plain-dev")
    assert vending(work, "apply", str(unnetworked)).returncode == 0
    moved = request_file(tmp_path, "plain-dev", location="northeurope", tags={"costCenter": "7"})
    result = vending(work, "apply", str(moved))
    assert result.returncode == 0, "without a network nothing is replaced by a new location: " + result.stderr
    assert not any(line.startswith("Vending-Accepted-Change") for line in _trailers(trunk))
    unpeered = request_file(tmp_path, "plain-dev", location="northeurope", network={"addressSpace": ["10.9.0.0/24"]})
    assert vending(work, "apply", str(unpeered)).returncode == 0, "adding a network replaces nothing"
    readdressed = request_file(tmp_path, "plain-dev", location="northeurope",
                               network={"addressSpace": ["10.9.0.0/24", "10.9.1.0/24"]})
    assert vending(work, "apply", str(readdressed)).returncode == 0, "a network without peering grows in place"


def test_the_pipeline_template_hands_its_accept_changes_parameter_to_both_applies() -> None:
    """The dry run and the vend accept the same changes: the approver sees the parameter on the run."""
    template = yaml.safe_load((ROOT / "interface" / "pipelines" / "vend-subscription.yml").read_text())
    assert {"name": "acceptChanges", "type": "string", "default": ""}.items() <= next(
        p for p in template["parameters"] if p["name"] == "acceptChanges").items()
    applies = [step for step in _steps(template) if "vending apply" in step.get("bash", "")]
    assert len(applies) == 2
    for step in applies:
        assert step["env"]["VENDING_ACCEPT_CHANGE"] == \
            "${{ replace(replace(parameters.acceptChanges, '%', '%25'), '$', '%24') }}"


def _steps(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "bash" in node else []
        return found + [step for value in node.values() for step in _steps(value)]
    if isinstance(node, list):
        return [step for value in node for step in _steps(value)]
    return []
