"""Both targets create the same Azure resources for the same request.

For every rendered subscription of the repository and of each golden case, the Azure resources
are derived twice: from the Terraform root's module inputs, read with the AVM module's own
defaults (taken from the module's variables in ../shared), and from the resources the Crossplane
Composition composes for the composite (go-templating run by Go). Each side is normalized to
(Azure resource type, identity) -> key properties, and the two must be equal.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .. import gotemplate
from ..conftest import MAXIMAL_REQUEST, ROOT, SHARED, RunCli
from ..crossplane_sim import compose

SUBSCRIPTION_ID = "11111111-2222-4333-8444-555555555555"
SCOPE = f"/subscriptions/{SUBSCRIPTION_ID}"
STUB = SHARED / "reference" / "avm-sub-vending-stub"
REPOS = [ROOT, *sorted(p for p in (ROOT / "tests" / "golden").iterdir() if p.is_dir())]
ROLE_ID = re.compile(r"^(/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-f-]{36})$")
Resources = dict[tuple[str, str], dict[str, Any]]

pytestmark = [
    pytest.mark.skipif(gotemplate.missing() is not None, reason=f"real Go templates: {gotemplate.missing()}"),
    pytest.mark.skipif(not STUB.is_dir(), reason=f"{STUB} is absent: the module's variables come from ../shared"),
]


def subscriptions() -> Iterator[tuple[str, Path, Path, Path]]:
    """(id, Terraform root, composite, composition) of every subscription rendered for both targets."""
    for repo in REPOS:
        for composite in sorted((repo / "generated" / "crossplane").glob("*/*.yaml")):
            root = repo / "generated" / "terraform" / composite.parent.name / composite.stem / "main.tf.json"
            label = f"{repo.name}/{composite.parent.name}/{composite.stem}"
            yield label, root, composite, repo / "interface" / "crossplane" / "composition.yaml"


def module_peering_defaults() -> dict[str, dict[str, bool]]:
    """The module's defaults of both hub peerings' boolean options, read from its variables."""
    text = (STUB / "variables.virtual-network.tf").read_text()
    defaults = {}
    for direction in ("tohub", "fromhub"):
        block = re.search(rf"hub_peering_options_{direction} = optional\(object\(\{{(.*?)\}}\)", text, re.S)
        assert block, direction
        defaults[direction] = {name: value == "true" for name, value in
                               re.findall(r"(\w+)\s*=\s*optional\(bool,\s*(true|false)\)", block.group(1))}
    return defaults


def unescaped(value: Any) -> Any:
    """Module inputs as Azure receives them (Terraform's `$${` and `%%{` escapes undone)."""
    if isinstance(value, str):
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, dict):
        return {unescaped(k): unescaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unescaped(v) for v in value]
    return value


def role(definition: str) -> str:
    match = ROLE_ID.match(definition)
    return f"id:{match.group(2)}" if match else f"name:{definition}"


def peering(options: dict[str, Any], remote: str) -> dict[str, Any]:
    return {"remote": remote, **{k: options[k] for k in
                                 ("allow_forwarded_traffic", "allow_gateway_transit",
                                  "allow_virtual_network_access", "use_remote_gateways")}}


def from_terraform(root: Path) -> Resources:
    inputs = unescaped(json.loads(root.read_text())["module"]["subscription"])
    found: Resources = {
        ("Microsoft.Subscription/aliases", inputs["subscription_alias_name"]): {
            "displayName": inputs["subscription_display_name"], "workload": inputs["subscription_workload"],
            "billingScope": inputs["subscription_billing_scope"], "tags": inputs["subscription_tags"]},
        ("Microsoft.Management/managementGroups/subscriptions", inputs["subscription_management_group_id"]): {},
    }
    for ra in inputs["role_assignments"].values() if inputs["role_assignment_enabled"] else []:
        found["Microsoft.Authorization/roleAssignments", f"{ra['principal_id']} {role(ra['definition'])}"] = {
            "scope": SCOPE + ra["relative_scope"], "principalType": ra.get("principal_type")}
    for budget in inputs["budgets"].values() if inputs["budget_enabled"] else []:
        found["Microsoft.Consumption/budgets", budget["name"]] = {
            "amount": budget["amount"], "timeGrain": budget["time_grain"],
            "period": (budget["time_period_start"], budget["time_period_end"]),
            "notifications": sorted((n["operator"], n["threshold"], n["threshold_type"], tuple(n["contact_emails"]))
                                    for n in budget["notifications"].values() if n["enabled"])}
    if inputs["subscription_register_resource_providers_enabled"]:
        for namespace in inputs["subscription_register_resource_providers_and_features"]:
            found["Microsoft.Resources/providers", namespace] = {}
    if inputs["virtual_network_enabled"]:
        defaults = module_peering_defaults()
        groups = inputs["resource_groups"] if inputs["resource_group_creation_enabled"] else {}
        for group in groups.values():
            found["Microsoft.Resources/resourceGroups", group["name"]] = {"location": group["location"]}
        for vnet in inputs["virtual_networks"].values():
            group = groups[vnet["resource_group_key"]]["name"]
            spoke = f"{SCOPE}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{vnet['name']}"
            found["Microsoft.Network/virtualNetworks", spoke] = {
                "location": vnet.get("location", inputs["location"]), "addressSpace": vnet["address_space"],
                "dnsServers": vnet.get("dns_servers", [])}
            if vnet.get("hub_peering_enabled"):
                hub = vnet["hub_network_resource_id"]
                direction = vnet.get("hub_peering_direction", "both")
                if direction in ("both", "tohub"):
                    name = vnet.get("hub_peering_name_tohub") or f"peer-{uuid.uuid5(uuid.NAMESPACE_URL, hub)}"
                    options = {**defaults["tohub"], **vnet.get("hub_peering_options_tohub", {})}
                    found["Microsoft.Network/virtualNetworks/virtualNetworkPeerings", f"{spoke}/{name}"] = \
                        peering(options, hub)
                if direction in ("both", "fromhub"):
                    name = vnet.get("hub_peering_name_fromhub") or f"peer-{uuid.uuid5(uuid.NAMESPACE_URL, spoke)}"
                    options = {**defaults["fromhub"], **vnet.get("hub_peering_options_fromhub", {})}
                    found["Microsoft.Network/virtualNetworks/virtualNetworkPeerings", f"{hub}/{name}"] = \
                        peering(options, spoke)
    return found


def _snake(options: dict[str, Any]) -> dict[str, Any]:
    return {re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), k): v for k, v in options.items()}


def from_crossplane(composed: list[dict[str, Any]]) -> Resources:
    found: Resources = {}
    dns: dict[str, list[str]] = {}
    vnets: dict[str, dict[str, Any]] = {}
    peerings: list[tuple[dict[str, Any], str]] = []
    for resource in composed:
        kind, spec = resource["kind"], resource["spec"].get("forProvider", {})
        external = resource.get("metadata", {}).get("annotations", {}).get("crossplane.io/external-name", "")
        if kind == "Subscription":
            found["Microsoft.Subscription/aliases", external] = {
                "displayName": spec["subscriptionName"], "workload": spec["workload"],
                "billingScope": spec["billingScopeId"], "tags": spec.get("tags", {})}
        elif kind == "ManagementGroupSubscriptionAssociation":
            assert spec["subscriptionId"] == SCOPE
            group = spec["managementGroupId"].removeprefix("/providers/Microsoft.Management/managementGroups/")
            found["Microsoft.Management/managementGroups/subscriptions", group] = {}
        elif kind == "RoleAssignment":
            definition = spec.get("roleDefinitionId") or spec["roleDefinitionName"]
            found["Microsoft.Authorization/roleAssignments", f"{spec['principalId']} {role(definition)}"] = {
                "scope": spec["scope"], "principalType": spec.get("principalType")}
        elif kind == "BudgetSubscription":
            assert spec["subscriptionId"] == SCOPE
            found["Microsoft.Consumption/budgets", external] = {
                "amount": spec["amount"], "timeGrain": spec["timeGrain"],
                "period": (spec["timePeriod"]["startDate"], spec["timePeriod"]["endDate"]),
                "notifications": sorted((n["operator"], n["threshold"], n["thresholdType"], tuple(n["contactEmails"]))
                                        for n in spec["notification"] if n["enabled"])}
        elif kind == "ResourceProviderRegistration":
            found["Microsoft.Resources/providers", spec["name"]] = {}
        elif kind == "ResourceGroup":
            found["Microsoft.Resources/resourceGroups", external] = {"location": spec["location"]}
        elif kind == "VirtualNetwork":
            group = spec["resourceGroupName"]
            vnet = f"{SCOPE}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{external}"
            vnets[vnet] = {"location": spec["location"], "addressSpace": spec["addressSpace"]}
        elif kind == "VirtualNetworkDNSServers":
            dns[spec["virtualNetworkId"]] = spec["dnsServers"]
        elif kind == "VirtualNetworkPeering":
            peerings.append((resource, external))
        elif kind != "ProviderConfig":
            raise AssertionError(f"unexpected composed kind {kind}")
    for resource, external in peerings:
        spec = resource["spec"]["forProvider"]
        network = f"/resourceGroups/{spec['resourceGroupName']}/providers/Microsoft.Network/virtualNetworks/" \
                  f"{spec['virtualNetworkName']}"
        if resource["spec"]["providerConfigRef"]["name"].startswith("vending-"):
            owner = SCOPE + network
        else:  # the hub's side, in the subscription of the platform's provider config: the hub's
            owner = next(r["spec"]["forProvider"]["remoteVirtualNetworkId"] for r, _ in peerings
                         if r["spec"]["forProvider"]["remoteVirtualNetworkId"].endswith(network))
        found["Microsoft.Network/virtualNetworks/virtualNetworkPeerings", f"{owner}/{external}"] = \
            peering(_snake(spec), spec["remoteVirtualNetworkId"])
    for vnet, properties in vnets.items():
        found["Microsoft.Network/virtualNetworks", vnet] = {**properties, "dnsServers": dns.pop(vnet, [])}
    assert not dns, f"DNS servers for no composed network: {dns}"
    return found


def composed_for(composite: Path, composition: Path) -> list[dict[str, Any]]:
    return compose(yaml.safe_load(composition.read_text()), yaml.safe_load(composite.read_text()), SUBSCRIPTION_ID)


CASES = list(subscriptions())


def test_every_golden_subscription_is_compared() -> None:
    assert len(CASES) >= 9, [c[0] for c in CASES]


@pytest.mark.parametrize(("label", "root", "composite", "composition"), CASES, ids=[c[0] for c in CASES])
def test_both_targets_create_the_same_azure_resources(label: str, root: Path, composite: Path,
                                                      composition: Path) -> None:
    terraform = from_terraform(root)
    crossplane = from_crossplane(composed_for(composite, composition))
    assert sorted(terraform) == sorted(crossplane), label
    for key, properties in terraform.items():
        assert crossplane[key] == properties, key


def test_a_resource_provider_differing_from_the_baseline_in_case_is_registered_once_by_both(
        run_cli: RunCli, gitops_repo: Path) -> None:
    """The request's `microsoft.network` is the baseline's `Microsoft.Network` to Azure: Terraform merges it,
    and the composite must too, or the template composes two resources of one name."""
    request = {**MAXIMAL_REQUEST, "resourceProviders": ["microsoft.network", "Microsoft.Web"]}
    path = gitops_repo / "requests" / "maximal-prod.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    result = run_cli("render", str(path), "--repo", str(gitops_repo))
    assert result.code == 0, result.err
    composite = gitops_repo / "generated" / "crossplane" / "production" / "maximal-prod.yaml"
    composed = composed_for(composite, ROOT / "interface" / "crossplane" / "composition.yaml")  # same vending.yaml
    registrations = sorted(r["spec"]["forProvider"]["name"] for r in composed
                           if r["kind"] == "ResourceProviderRegistration")
    assert registrations == ["Microsoft.Insights", "Microsoft.Network", "Microsoft.Security", "Microsoft.Web"]
    terraform = from_terraform(composite.parents[2] / "terraform" / "production" / "maximal-prod" / "main.tf.json")
    assert terraform == from_crossplane(composed)
