"""The allow-lists of vending.yaml (`allowed`), through the real CLI: each refused at the request's field."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import RunCli

OWNER_ID = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def allow(repo: Path, text: str) -> None:
    config = repo / "vending.yaml"
    config.write_text(config.read_text() + text)


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def test_a_management_group_outside_the_list_is_refused_at_its_field(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  managementGroups: [corp, online]\n")
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert errors(result.err) == [
        "requests/analytics-dev.yaml:7:18: error: /managementGroup: management group 'sandbox' is not allowed: "
        "allowed.managementGroups allows only corp, online in vending.yaml; choose another or ask the platform team"]
    assert not (gitops_repo / "generated").exists()


def test_management_groups_compare_without_case_as_azure_does(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  managementGroups: [CORP, Sandbox]\n")
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0


def test_a_denied_location_is_refused(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  locations: {deny: [westeurope]}\n")
    result = run_cli("check", "--repo", str(gitops_repo))
    assert result.code == 1
    assert errors(result.err) == [
        "requests/analytics-dev.yaml:8:11: error: /location: location 'westeurope' is not allowed: "
        "allowed.locations denies it (westeurope) in vending.yaml; choose another or ask the platform team"]


def test_owner_is_denied_in_production_only_by_name_and_by_id(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  perWorkload:\n    Production:\n      roles: {deny: [Owner]}\n")
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0, "analytics-dev (DevTest) has Owner"
    prod = gitops_repo / "requests" / "payments-prod.yaml"
    prod.write_text(prod.read_text().replace("role: Contributor", "role: Owner"))
    risk = gitops_repo / "requests" / "risk-models-prod.json"
    text = risk.read_text()
    assert '"definition": "Contributor"' in text
    risk.write_text(text.replace('"definition": "Contributor"', f'"definition": "{OWNER_ID}"'))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    found = errors(result.err)
    assert len(found) == 2
    assert found[0].startswith("requests/payments-prod.yaml:") and "/roleAssignments/0/role: role 'Owner' is not " \
        "allowed for Production subscriptions: allowed.perWorkload.Production.roles denies it (Owner)" in found[0]
    assert found[1].startswith("requests/risk-models-prod.json:") and f"role '{OWNER_ID}' is not allowed" in found[1]
    line, column = (int(part) for part in found[0].split(":")[1:3])
    assert prod.read_text().splitlines()[line - 1][column - 1:] == "Owner"


def test_a_role_allow_list_refuses_every_other_role(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  roles: [Reader, Contributor]\n")
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert [line.split(": error: ")[0] for line in errors(result.err)] == ["requests/analytics-dev.yaml:23:11"]
    assert "role 'Owner' is not allowed: allowed.roles allows only Reader, Contributor" in result.err


def test_shared_and_workload_lists_both_apply(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  locations: [uksouth, westeurope, northeurope]\n"
                       "  perWorkload:\n    DevTest:\n      locations: [uksouth]\n")
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "location 'westeurope' is not allowed for DevTest subscriptions: allowed.perWorkload.DevTest.locations " \
           "allows only uksouth" in result.err
    assert len(errors(result.err)) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("allowed:\n  roles: {deny: [Ownr]}\n", "vending.yaml:{line}:18: error: /allowed/roles/deny/0: 'Ownr' is neither "
                                            "a built-in role nor a custom role"),
    ("allowed:\n  roles: {deny: [owner]}\n", "vending.yaml:{line}:18: error: /allowed/roles/deny/0: there is no "
                                             "built-in role 'owner'; did you mean 'Owner'?"),
    ("allowed:\n  locations: {allow: [uksouth], deny: [uksouth]}\n",
     "vending.yaml:{line}:14: error: /allowed/locations: 'uksouth' is both allowed and denied"),
    ("allowed:\n  locations: uksouth\n", "vending.yaml:{line}:14: error: /allowed/locations:"),
    ("allowed:\n  perWorkload: {Prod: {roles: [Reader]}}\n",
     "vending.yaml:{line}:17: error: /allowed/perWorkload/Prod: unknown property"),
    ("policy:\n  namespaces: [main, 'not a package']\n", "vending.yaml:{line}:22: error: /policy/namespaces/1"),
])
def test_allow_lists_that_no_request_could_match_are_configuration_errors(
        run_cli: RunCli, gitops_repo: Path, text: str, expected: str) -> None:
    line = len((gitops_repo / "vending.yaml").read_text().splitlines()) + 2
    allow(gitops_repo, text)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert any(found.startswith(str(gitops_repo / expected.format(line=line)))
               for found in result.err.splitlines()), result.err


def test_a_decommission_is_never_held_back_by_the_lists(run_cli: RunCli, gitops_repo: Path) -> None:
    allow(gitops_repo, "allowed:\n  managementGroups: [corp]\n")
    risk = gitops_repo / "requests" / "risk-models-prod.json"
    risk.write_text(risk.read_text().replace('"managementGroup": "corp"', '"managementGroup": "legacy"')
                    .replace('"schemaVersion": "2",', '"schemaVersion": "2",\n  "state": "absent",'))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert [line.split(":")[0] for line in errors(result.err)] == ["requests/analytics-dev.yaml"]
