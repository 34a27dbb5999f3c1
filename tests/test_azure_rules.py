"""What the AVM module v0.1.1 refuses, vending refuses first (or normalizes), through the real CLI; and
the converse against the module stub: each of those values, put into a rendered call, is refused by it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from vending.upgrade import role_assignment_key

from .avm_stub import module_call, plan_errors, stub_missing_reason
from .conftest import MAXIMAL_REQUEST, RunCli

CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
PRINCIPAL = "0f1e2d3c-4b5a-4968-8776-655443322110"


def request(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(MAXIMAL_REQUEST)
    doc.update(changes)
    return doc


def write(directory: Path, doc: dict[str, Any], name: str | None = None) -> Path:
    path = directory / f"{name or doc['name']}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def rendered(run_cli: RunCli, repo: Path, doc: dict[str, Any]) -> dict[str, Any]:
    path = write(repo / "requests", doc)
    result = run_cli("render", str(path), "--target", "terraform", "--repo", str(repo))
    assert result.code == 0, result.err
    env = "production" if doc["workload"] == "Production" else "nonproduction"
    root: dict[str, Any] = json.loads((repo / "generated" / "terraform" / env / doc["name"] / "main.tf.json")
                                      .read_text(encoding="utf-8"))
    return root


def refused(run_cli: RunCli, where: Path, doc: dict[str, Any], *, render: bool = False) -> str:
    path = write(where / "requests" if render else where, doc)
    result = run_cli(*(("render", str(path), "--repo", str(where)) if render else ("validate", str(path))))
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    return result.err


@pytest.mark.parametrize(("changes", "pointer", "message"), [
    ({"displayName": "Payments <prod>"}, "/displayName", "must not contain <, >"),
    ({"displayName": "a;b|c"}, "/displayName", "must not contain ;, |"),
    ({"displayName": "Cafe\u0301"}, "/displayName", "not in Unicode normalization form C"),
    ({"tags": {"cost\x01center": "1"}}, "/tags/cost\x01center", "contains a control character"),
    ({"tags": {"owner": "line one\nline two"}}, "/tags/owner", "must be one line"),
    ({"tags": {"owner": "Jose\u0301"}}, "/tags/owner", "not in Unicode normalization form C"),
    ({"billingScope": "/providers/Microsoft.Billing/billingAccounts/e\u0301/customers/c1"}, "/billingScope",
     "Terraform would send '/providers/Microsoft.Billing/billingAccounts/\u00e9/customers/c1' instead"),
    ({"billingScope": "/providers/Microsoft.Billing/billingAccounts/1/customers/a\nb"}, "/billingScope",
     "must not contain line breaks or control characters"),
    ({"roleAssignments": {"x": {"principalId": PRINCIPAL, "definition": "contributor"}}},
     "/roleAssignments/x/definition", "did you mean 'Contributor'?"),
    ({"roleAssignments": {"x": {"principalId": PRINCIPAL, "definition": "Contributor "}}},
     "/roleAssignments/x/definition", "did you mean 'Contributor'?"),
    ({"roleAssignments": {"x": {"principalId": PRINCIPAL, "definition": "Azure Arc VMware Administrator role"}}},
     "/roleAssignments/x/definition", "did you mean 'Azure Arc VMware Administrator role '?"),
    ({"roleAssignments": {"x": {"principalId": PRINCIPAL,
                                "definition": f"/providers/microsoft.authorization/roleDefinitions/{CONTRIBUTOR}"}}},
     "/roleAssignments/x/definition",
     f"did you mean /providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}?"),
    ({"roleAssignments": {"x": {"principalId": PRINCIPAL, "definition":
                                f"/subscriptions/1/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"}}},
     "/roleAssignments/x/definition", "use exactly /providers/Microsoft.Authorization/roleDefinitions/<guid>"),
    ({"roleAssignments": {"a": {"principalId": PRINCIPAL, "definition": "Contributor"},
                          "b": {"principalId": PRINCIPAL.upper(),
                                "definition": f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"}}},
     "/roleAssignments/b", "the same role assignment as /roleAssignments/a"),
    ({"resourceProviders": ["Microsoft.Web", "microsoft.web"]}, "/resourceProviders/1",
     "already listed at /resourceProviders/0"),
])
def test_what_the_module_refuses_is_refused_at_validate(run_cli: RunCli, tmp_path: Path, changes: dict[str, Any],
                                                       pointer: str, message: str) -> None:
    err = refused(run_cli, tmp_path, request(**changes))
    line = next((line for line in err.splitlines() if f"error: {pointer}:" in line), "")
    assert message in line, err


def test_equal_to_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    doc = request()
    doc["budgets"]["monthly"]["notifications"]["actual"]["operator"] = "EqualTo"
    err = refused(run_cli, tmp_path, doc)
    assert "error: /budgets/monthly/notifications/actual/operator: operator 'EqualTo' is not supported" in err


def test_guid_case_is_normalized_and_1x_keys_stay_stable(run_cli: RunCli, gitops_repo: Path) -> None:
    doc = request(roleAssignments={"deployer": {
        "principalId": PRINCIPAL.upper(),
        "definition": f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR.upper()}"}})
    sent = rendered(run_cli, gitops_repo, doc)["module"]["subscription"]["role_assignments"]["deployer"]
    assert (sent["principal_id"], sent["definition"]) == \
        (PRINCIPAL, f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}")
    legacy = {"schemaVersion": "1.1", "name": "legacy-dev", "displayName": "Legacy", "workload": "DevTest",
              "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
              "managementGroup": "corp", "location": "uksouth", "requestedBy": "a@contoso.com",
              "roleAssignments": [{"principalId": PRINCIPAL.upper(), "role": "Reader"}]}
    assignments = rendered(run_cli, gitops_repo, legacy)["module"]["subscription"]["role_assignments"]
    assert assignments == {role_assignment_key(PRINCIPAL, "Reader"): {
        "principal_id": PRINCIPAL, "definition": "Reader", "relative_scope": "", "definition_lookup_enabled": True}}


def test_custom_roles_must_be_allowed_in_vending_yaml(run_cli: RunCli, gitops_repo: Path) -> None:
    doc = request(roleAssignments={"app": {"principalId": PRINCIPAL, "definition": "Payments Operator"}})
    err = refused(run_cli, gitops_repo, doc, render=True)
    assert "/roleAssignments/app/definition: 'Payments Operator' is neither a built-in role nor a custom role" in err
    assert "add the custom role to roles.custom in vending.yaml" in err
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text() + "roles:\n  custom: [Payments Operator]\n")
    assert rendered(run_cli, gitops_repo, doc)["module"]["subscription"]["role_assignments"]["app"]["definition"] \
        == "Payments Operator"


@pytest.mark.parametrize("name", ["Payments Operator ", " Payments Operator", "Payments\\nOperator", "Pay\\tments"])
def test_custom_role_names_are_held_to_what_they_become(run_cli: RunCli, gitops_repo: Path, name: str) -> None:
    """A custom role name is matched exactly at apply: surrounding spaces or control characters in
    vending.yaml would allow a name no role has (and put raw text into generated files)."""
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text() + f'roles:\n  custom: ["{name}"]\n')
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.err
    assert "vending.yaml:" in result.err and "/roles/custom/0" in result.err
    assert not (gitops_repo / "generated").exists()


def test_1x_exact_duplicates_stay_a_warning(run_cli: RunCli, tmp_path: Path) -> None:
    doc: dict[str, Any] = {"schemaVersion": "1.1", "name": "legacy-dev", "displayName": "Legacy",
           "workload": "DevTest", "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
           "managementGroup": "corp", "location": "uksouth", "requestedBy": "a@contoso.com",
           "roleAssignments": [{"principalId": PRINCIPAL, "role": "Reader"},
                               {"principalId": PRINCIPAL.upper(), "role": "Reader"}]}
    result = run_cli("validate", str(write(tmp_path, doc)))
    assert result.code == 0 and "warning: /roleAssignments/1: the same role assignment is listed at index 0" \
        in result.err
    doc["roleAssignments"][1]["role"] = "/providers/Microsoft.Authorization/roleDefinitions/" \
                                        "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # Reader, by id
    err = refused(run_cli, tmp_path, doc)
    assert "error: /roleAssignments/1: this is the same role assignment as /roleAssignments/0" in err


def test_resource_providers_merge_with_the_baseline_case_insensitively(run_cli: RunCli, gitops_repo: Path) -> None:
    module = rendered(run_cli, gitops_repo, request(resourceProviders=["microsoft.network", "Microsoft.Web"]))
    assert sorted(module["module"]["subscription"]["subscription_register_resource_providers_and_features"]) == \
        ["Microsoft.Insights", "Microsoft.Network", "Microsoft.Security", "Microsoft.Web"]


def test_derived_names_are_checked_against_azure(run_cli: RunCli, gitops_repo: Path) -> None:
    long_name = "a" * 50 + "-prod"
    err = refused(run_cli, gitops_repo, request(name=long_name, location="northeurope"), render=True)
    assert f"error: /name: the virtual network would be named 'vnet-{long_name}-northeurope' (72 characters, " \
           "from network.virtualNetworkName 'vnet-{name}-{location}' in vending.yaml), which Azure refuses: " \
           "virtual network names are 2-64 characters" in err
    assert not (gitops_repo / "generated").exists()


@pytest.mark.parametrize(("template", "message"), [
    ("vnet-{name.__len__}", "{name.__len__} is not a placeholder"),
    ("vnet-{name:>300000000}", "{name:>300000000} is not a placeholder"),
    ("vnet-{0}", "{0} is not a placeholder"),
    ("vnet-{{name}}", "braces only around a placeholder"),
    ("vnet/{name}", "which Azure refuses: virtual network names"),
])
def test_name_templates_are_a_small_safe_syntax(run_cli: RunCli, gitops_repo: Path, template: str,
                                                message: str) -> None:
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text().replace('"vnet-{name}-{location}"', json.dumps(template)))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.out + result.err
    assert "vending.yaml:" in result.err and "/network/virtualNetworkName" in result.err and message in result.err


def test_environment_placeholder(run_cli: RunCli, gitops_repo: Path) -> None:
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text().replace('"rg-{name}-network"', '"rg-{environment}-{name}"'))
    root = rendered(run_cli, gitops_repo, request())
    assert root["module"]["subscription"]["resource_groups"]["network"]["name"] == "rg-production-maximal-prod"


def test_provider_subscription_telemetry_and_hub_gateways(run_cli: RunCli, gitops_repo: Path) -> None:
    root = rendered(run_cli, gitops_repo, request())
    assert root["provider"]["azurerm"]["subscription_id"] == "00000000-0000-0000-0000-000000000001"
    call = root["module"]["subscription"]
    assert (call["enable_telemetry"], call["disable_telemetry"]) == (False, True)
    spoke = call["virtual_networks"]["primary"]
    assert (spoke["hub_peering_options_tohub"], spoke["hub_peering_options_fromhub"]) == (
        {"use_remote_gateways": True, "allow_gateway_transit": False},
        {"use_remote_gateways": False, "allow_gateway_transit": True}), "uksouth's hub has a gateway"
    own_space = {**request()["network"], "addressSpace": ["10.51.0.0/24"]}  # the fleet's space is shared
    north = rendered(run_cli, gitops_repo, request(name="north-prod", location="northeurope", network=own_space))
    spoke = north["module"]["subscription"]["virtual_networks"]["primary"]
    assert spoke["hub_peering_options_tohub"]["use_remote_gateways"] is False, "a hub given by id has no gateway"
    assert spoke["hub_peering_options_fromhub"]["allow_gateway_transit"] is False


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  subscriptionId: 00000000-0000-0000-0000-000000000001", "",
     "/terraform/subscriptionId: missing required property 'subscriptionId'"),
    ("      allowGatewayTransit: true", "      allowGatewayTransit: false",
     "useRemoteGateways needs allowGatewayTransit"),
    ("00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub-northeurope",
     "0000000A-0000-0000-0000-000000000001/resourceGroups/rg-hub-northeurope",
     "is not a virtual network id the AVM module accepts"),
    ("config: {features: {}}", "config: {features: {}, subscription_id: x}", "set the platform subscription as"),
])
def test_platform_settings_are_checked_at_load(run_cli: RunCli, gitops_repo: Path, old: str, new: str,
                                               message: str) -> None:
    config = gitops_repo / "vending.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new, 1))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2 and message in result.err and "vending.yaml" in result.err, result.err


@pytest.mark.skipif(stub_missing_reason() is not None, reason=stub_missing_reason() or "")
@pytest.mark.slow
def test_the_module_refuses_each_value_vending_refuses(run_cli: RunCli, gitops_repo: Path, tmp_path: Path) -> None:
    """The converse, against the module itself: each refused value, forced into a valid rendered call."""
    base = module_call(rendered(run_cli, gitops_repo, request()))
    cases: dict[str, tuple[str, Any]] = {
        "principal": ("role_assignments", {"x": {"principal_id": PRINCIPAL.upper(), "definition": "Reader"}}),
        "display": ("subscription_display_name", "a<b"),
        "tagname": ("subscription_tags", {"a\x01": "x"}),
        "tagvalue": ("subscription_tags", {"a": "x\ny"}),
        "operator": ("budgets", {"b": {**base["budgets"]["monthly"], "notifications": {"n": {
            **base["budgets"]["monthly"]["notifications"]["actual"], "operator": "EqualTo"}}}}),
        "vnetname": ("virtual_networks", {"primary": {**base["virtual_networks"]["primary"], "name": "v" * 65}}),
        "roleid": ("role_assignments", {"x": {"principal_id": PRINCIPAL, "definition":
                                              f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR.upper()}"}}),
        "rolename": ("role_assignments", {"x": {"principal_id": PRINCIPAL, "definition": "contributor",
                                                "definition_lookup_enabled": True}}),
        "scope": ("subscription_billing_scope", "/providers/Microsoft.Billing/billingAccounts/1/customers/a\nb"),
    }
    messages = {
        "principal": "All letters must be lowercase", "display": "cannot contain the characters `<`, `>`, `;`, or `|`",
        "tagname": "Tag name must contain neither", "tagvalue": "Tag values must be between 0-256 characters",
        "operator": "Operator must be one of GreaterThan or GreaterThanOrEqualTo",
        "vnetname": "Virtual network name must consist of", "roleid": "to be a scopeless role definition ID",
        "rolename": "either supply the role assignment definition resource id or a valid role assignment definition",
        "scope": "A valid billing scope starts with",
    }
    calls = {name: {**base, argument: value} for name, (argument, value) in cases.items()}
    errors = " ".join(plan_errors(calls, tmp_path / "all").split())
    # An error in the module's own variables stops Terraform before it evaluates the submodules: those run alone.
    for name in [name for name, message in messages.items() if message not in errors]:
        errors += " ".join(plan_errors({name: calls[name]}, tmp_path / name).split())
    missing = {name: message for name, message in messages.items() if message not in errors}
    assert missing == {}, f"the module does not refuse these:\n{errors}"
