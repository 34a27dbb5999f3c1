"""vending apply against a real trunk that holds Rego policies and allow-lists: refusals land nothing."""

from __future__ import annotations

from pathlib import Path

from ..conftest import ROOT
from .conftest import Clone, git, request_file, vending

OWNER_TAG = """\
package main

deny contains {"msg": "every subscription names its owner", "field": "/tags/owner"} if not input.tags.owner

warn contains "Production without a budget" if {
	input.workload == "Production"
	not input.budgets.default
}
"""


def with_policy(clone: Clone, policy: str, allowed: str = "") -> None:
    """Put a policy module (and allow-lists) on trunk, as the platform team's reviewed change would."""
    seed = clone()
    (seed / "policy").mkdir()
    (seed / "policy" / "owner.rego").write_text(policy)
    if allowed:
        (seed / "vending.yaml").write_text((seed / "vending.yaml").read_text() + allowed)
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "Add the platform's policy")
    git(seed, "push", "--quiet", "origin", "main")


def test_apply_refuses_a_denied_request_at_its_field_and_lands_nothing(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    with_policy(clone, OWNER_TAG)
    before = git(trunk, "rev-parse", "main")
    work = clone(detached=True)
    request = request_file(tmp_path, "orders-dev", tags={"costCenter": "1"})
    result = vending(work, "apply", str(request))
    assert result.returncode == 1
    lines = request.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if '"tags"' in text)
    column = lines[line - 1].index("{") + 1
    assert f"{request}:{line}:{column}: error: /tags/owner: every subscription names its owner (data.main.deny)" \
        in result.stderr.splitlines()
    assert git(trunk, "rev-parse", "main") == before, "nothing landed"


def test_apply_prints_warnings_and_lands_an_accepted_request(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    with_policy(clone, OWNER_TAG)
    work = clone(detached=True)
    request = request_file(tmp_path, "orders-prod", workload="Production", tags={"owner": "orders"})
    result = vending(work, "apply", str(request))
    assert result.returncode == 0, result.stderr
    assert f"{request}:1:1: warning: Production without a budget (data.main.warn)" in result.stderr.splitlines()
    assert "requests/orders-prod.json" in git(trunk, "ls-tree", "-r", "--name-only", "main")


def test_apply_refuses_what_the_allow_lists_refuse(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    with_policy(clone, "package main\n", "allowed:\n  locations: [uksouth]\n"
                                         "  perWorkload:\n    Production:\n      roles: {deny: [Owner]}\n")
    before = git(trunk, "rev-parse", "main")
    work = clone(detached=True)
    moved = request_file(tmp_path, "far-dev", location="westeurope")
    result = vending(work, "apply", str(moved))
    assert result.returncode == 1
    assert "/location: location 'westeurope' is not allowed: allowed.locations allows only uksouth" in result.stderr
    owner = request_file(tmp_path, "owned-prod", workload="Production", roleAssignments={
        "admins": {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "definition": "Owner"}})
    result = vending(work, "apply", str(owner))
    assert result.returncode == 1
    assert "/roleAssignments/admins/definition: role 'Owner' is not allowed for Production subscriptions" \
        in result.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_a_policy_that_does_not_compile_stops_apply_with_exit_2(clone: Clone, trunk: Path) -> None:
    with_policy(clone, "package main\n\ndeny contains msg if {\n\tmsg := \n}\n")
    before = git(trunk, "rev-parse", "main")
    result = vending(clone(detached=True), "apply", str(ROOT / "requests" / "analytics-dev.yaml"))
    assert result.returncode == 2
    assert result.stderr.startswith("vending: error: policy/owner.rego:4:")
    assert git(trunk, "rev-parse", "main") == before
