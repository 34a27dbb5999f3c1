"""Deletion is a product choice: orphan by default, delete on request, never silent."""

from __future__ import annotations

import json
from pathlib import Path

from ..gitops.conftest import Clone, example, git, request_file, vending


def test_decommission_orphans_by_default_and_keeps_the_record(clone: Clone, trunk: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(example("payments-prod"))).returncode == 0
    result = vending(work, "decommission", "payments-prod", "--confirm", "payments-prod",
                     "--requested-by", "bob@contoso.com", "--ticket", "CHG0099999", "--output", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "decommission"
    assert git(trunk, "log", "-1", "--format=%an <%ae>", "main").strip() == "bob <bob@contoso.com>"
    body = git(trunk, "log", "-1", "--format=%B", "main")
    assert body.startswith("vend: decommission subscription payments-prod [skip ci]")
    assert "Deletion policy orphan: Azure keeps the subscription" in body
    assert "Change-Ticket: CHG0099999" in body
    stored = git(trunk, "show", "main:requests/payments-prod.yaml")
    assert "state: absent" in stored and "Decommissioned with vending decommission" in stored
    root = json.loads(git(trunk, "show", "main:generated/terraform/production/payments-prod/main.tf.json"))
    assert root["removed"] == [{"from": "module.subscription", "lifecycle": {"destroy": False}}]
    assert "module" not in root
    assert "generated/crossplane/production/payments-prod.yaml" not in git(trunk, "ls-tree", "-r", "--name-only",
                                                                            "main")
    again = vending(work, "decommission", "payments-prod", "--confirm", "payments-prod",
                    "--requested-by", "bob@contoso.com", "--output", "json")
    assert json.loads(again.stdout)["action"] == "noop"
    reuse = vending(work, "apply", str(example("payments-prod")))
    assert reuse.returncode == 1 and "names are never reused" in reuse.stderr
    assert vending(clone(), "check").returncode == 0


def _switch_to_delete(work: Path) -> None:
    """Trunk's vending.yaml with deletionPolicy delete, its tree rendered again and pushed."""
    config = work / "vending.yaml"
    config.write_text(config.read_text().replace("deletionPolicy: orphan", "deletionPolicy: delete"))
    assert vending(work, "render", "--all").returncode == 0
    git(work, "commit", "--quiet", "-am", "Delete decommissioned subscriptions")
    git(work, "push", "--quiet", "origin", "main")


def test_delete_policy_and_state_absent_through_apply(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    _switch_to_delete(work)
    assert vending(work, "apply", str(request_file(tmp_path, "sandbox-dev"))).returncode == 0
    absent = request_file(tmp_path, "sandbox-dev", state="absent")
    result = vending(work, "apply", str(absent), "--output", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "decommission"
    assert "Deletion policy delete: the subscription is cancelled" in git(trunk, "log", "-1", "--format=%B", "main")
    root = json.loads(git(trunk, "show", "main:generated/terraform/nonproduction/sandbox-dev/main.tf.json"))
    assert root["removed"] == [{"from": "module.subscription", "lifecycle": {"destroy": True}}]


def test_no_ticket_is_borrowed_from_the_original_request(clone: Clone, trunk: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(example("payments-prod"))).returncode == 0
    assert vending(work, "decommission", "payments-prod", "--confirm", "payments-prod",
                   "--requested-by", "bob@contoso.com").returncode == 0
    body = git(trunk, "log", "-1", "--format=%B", "main")
    assert "CHG0012345" not in body and "Requested by bob@contoso.com." in body


def test_a_stored_request_under_another_name_is_not_decommissioned(clone: Clone, trunk: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(example("payments-prod"))).returncode == 0
    (work / "requests" / "old-payments.yaml").write_text((work / "requests" / "payments-prod.yaml").read_text())
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "a copy by hand")
    git(work, "push", "--quiet", "origin", "main")
    before = git(trunk, "rev-parse", "main")
    result = vending(work, "decommission", "old-payments", "--confirm", "old-payments", "--requested-by", "b@c.io")
    assert result.returncode == 1
    assert "requests/old-payments.yaml holds the request of 'payments-prod', not 'old-payments'" in result.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_never_by_accident(clone: Clone, trunk: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(example("analytics-dev"))).returncode == 0
    before = git(trunk, "rev-parse", "main")
    mismatch = vending(work, "decommission", "analytics-dev", "--confirm", "analytics", "--requested-by",
                       "bob@contoso.com")
    assert mismatch.returncode == 2 and "does not match" in mismatch.stderr
    nobody = vending(work, "decommission", "analytics-dev", "--confirm", "analytics-dev")
    assert nobody.returncode == 2 and "--requested-by EMAIL is required" in nobody.stderr
    sneaky = vending(work, "decommission", "analytics-dev", "--confirm", "analytics-dev",
                     "--requested-by", "bob@contoso.com\nForged: trailer")
    assert sneaky.returncode == 2
    trailing = vending(work, "decommission", "analytics-dev", "--confirm", "analytics-dev",
                       "--requested-by", "bob@contoso.com\n")
    assert trailing.returncode == 2, "held to the schema's e-mail rule, which matches the whole value"
    bad_ticket = vending(work, "decommission", "analytics-dev", "--confirm", "analytics-dev",
                         "--requested-by", "bob@contoso.com", "--ticket", "CHG 1")
    assert bad_ticket.returncode == 2 and "is not a change ticket id" in bad_ticket.stderr
    missing = vending(work, "decommission", "ghost-dev", "--confirm", "ghost-dev", "--requested-by", "b@c.io")
    assert missing.returncode == 1 and "there is no subscription ghost-dev on trunk" in missing.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_delete_is_refused_where_the_cancel_cannot_succeed(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    """A subscription with a virtual network holds NetworkWatcherRG, which Terraform does not manage: the
    module's cancel would retry until it times out. Refused at decommission time, nothing committed."""
    work = clone()
    _switch_to_delete(work)
    assert vending(work, "apply", str(example("payments-prod"))).returncode == 0
    before = git(trunk, "rev-parse", "main")
    result = vending(work, "decommission", "payments-prod", "--confirm", "payments-prod",
                     "--requested-by", "bob@contoso.com")
    assert result.returncode == 1, result.stderr
    assert "payments-prod cannot be deleted by deletionPolicy delete: it has (or had) a virtual network" \
        in result.stderr
    assert "NetworkWatcherRG" in result.stderr and "Traceback" not in result.stderr
    absent = request_file(tmp_path, "payments-prod", workload="Production", state="absent",
                          network={"addressSpace": ["10.20.0.0/24"]})
    assert vending(work, "apply", str(absent)).returncode == 1
    assert git(trunk, "rev-parse", "main") == before, "nothing committed"


def test_delete_is_refused_when_an_earlier_version_had_a_network(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    """Removing the network in an update leaves NetworkWatcherRG in Azure: the history of the stored request
    counts, not only its last version."""
    work = clone()
    _switch_to_delete(work)
    networked = request_file(tmp_path, "spoke-dev", network={"addressSpace": ["10.30.0.0/24"]})
    assert vending(work, "apply", str(networked)).returncode == 0
    removed = vending(work, "apply", str(request_file(tmp_path, "spoke-dev")), "--accept-change", "network")
    assert removed.returncode == 0, removed.stderr
    before = git(trunk, "rev-parse", "main")
    result = vending(work, "decommission", "spoke-dev", "--confirm", "spoke-dev", "--requested-by", "bob@contoso.com")
    assert result.returncode == 1, result.stderr
    assert "it has (or had) a virtual network" in result.stderr and "Traceback" not in result.stderr
    assert git(trunk, "rev-parse", "main") == before, "nothing committed"
    never = request_file(tmp_path, "plain-dev")
    assert vending(work, "apply", str(never)).returncode == 0
    gone = vending(work, "decommission", "plain-dev", "--confirm", "plain-dev", "--requested-by", "bob@contoso.com")
    assert gone.returncode == 0, gone.stderr
