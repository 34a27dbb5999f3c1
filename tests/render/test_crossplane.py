"""The Crossplane target against the real definitions: Crossplane's XRD and Composition CRDs, the
functions' input CRDs, the provider CRDs with their CEL rules, and the go-templating template run
by Go's text/template with sprig."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from vending.config import Config, Credentials, SecretRef, load_config
from vending.intake import accept, accept_file
from vending.model import Request
from vending.render import crossplane

from .. import gotemplate
from ..conftest import EXAMPLES, INJECTION, MAXIMAL_REQUEST, ROOT, VENDED_ON, vended
from ..crossplane_sim import (
    CRDS,
    compose,
    crd_for,
    structural_problems,
    validate_document,
    validate_kind,
    validate_openapi,
)

BASE = load_config(ROOT)
SUBSCRIPTION_ID = "11111111-2222-4333-8444-555555555555"
MANAGED_IDENTITY = Credentials(source="UserAssignedManagedIdentity", secret_ref=None,
                               tenant_id="00000000-0000-4000-8000-00000000000a",
                               client_id="00000000-0000-4000-8000-00000000000c")


def config_with(**crossplane_fields: Any) -> Config:
    return dataclasses.replace(BASE, crossplane=dataclasses.replace(BASE.crossplane, **crossplane_fields))


MODES = {"composite": BASE, "claim": config_with(mode="claim", credentials=MANAGED_IDENTITY)}
needs_go = pytest.mark.skipif(gotemplate.missing() is not None, reason=f"real Go templates: {gotemplate.missing()}")


def requests() -> list[Request]:
    found = [vended(accept_file(p)) for p in sorted(EXAMPLES.iterdir())]
    return [*found, vended(accept(json.dumps(MAXIMAL_REQUEST).encode(), "maximal.json"))]


def request_with(**fields: Any) -> Request:
    return vended(accept(json.dumps({**MAXIMAL_REQUEST, **fields}).encode(), "variant.json"))


def manifest(request: Request, config: Config) -> dict[str, Any]:
    (content,) = crossplane.render(request, config).values()
    loaded: dict[str, Any] = yaml.safe_load(content)
    return loaded


def served_schema(config: Config) -> dict[str, Any]:
    (version,) = crossplane.definition(config)["spec"]["versions"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def validate_composite(document: dict[str, Any], config: Config) -> list[str]:
    """A composite against the XRD's version, as the CRD Crossplane derives from it checks it."""
    return validate_document({"spec": document["spec"]}, {"schema": {"openAPIV3Schema": served_schema(config)}})


def by_name(composed: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Composed resources of `kind` by external name (or by metadata name)."""
    found = {}
    for resource in composed:
        if resource["kind"] == kind:
            meta = resource.get("metadata", {})
            key = meta.get("annotations", {}).get("crossplane.io/external-name") or meta.get("name") or \
                resource["spec"]["forProvider"].get("principalId") or resource["spec"]["forProvider"].get("name")
            found[key] = resource
    return found


@pytest.fixture(autouse=True)
def _crds() -> None:
    if not CRDS.is_dir():
        pytest.skip(f"{CRDS} is absent: the provider CRDs come from ../shared")


# --- the definition and the composition against Crossplane's own CRDs ----------------------

@pytest.mark.parametrize("mode", MODES)
def test_the_definition_serves_only_the_newest_major(mode: str) -> None:
    definition = crossplane.definition(MODES[mode])
    (version,) = definition["spec"]["versions"]
    assert (version["name"], version["served"], version["referenceable"]) == ("v2", True, True)
    schema = version["schema"]["openAPIV3Schema"]
    assert structural_problems(schema) == []
    assert "required" not in schema  # Crossplane drops the root's required; the root rule says it
    assert {"rule": "has(self.spec)", "message": "spec is required"} in schema["x-kubernetes-validations"]
    assert ("claimNames" in definition["spec"]) == (mode == "claim")


@pytest.mark.parametrize("mode", MODES)
def test_the_definition_and_composition_pass_crossplanes_crds(mode: str) -> None:
    config = MODES[mode]
    for document in (crossplane.definition(config), crossplane.composition(config)):
        assert validate_kind(document) == [], document["kind"]


@pytest.mark.parametrize("mode", MODES)
def test_pipeline_inputs_pass_the_functions_input_crds(mode: str) -> None:
    pipeline = crossplane.composition(MODES[mode])["spec"]["pipeline"]
    inputs = [step["input"] for step in pipeline if "input" in step]
    assert [i["kind"] for i in inputs] == ["Resources", "GoTemplate"]
    for document in inputs:
        served = crd_for(document["apiVersion"], document["kind"])
        assert served is not None, document["kind"]
        assert validate_document(document, served) == [], document["kind"]


def test_crossplanes_rules_catch_a_claim_offered_by_a_namespaced_definition() -> None:
    """The CEL rules run for real: Crossplane refuses claims on a v2 (namespaced) XRD."""
    definition = crossplane.definition(BASE)
    definition["spec"]["claimNames"] = {"kind": "VendedSubscriptionClaim", "plural": "vendedsubscriptionclaims"}
    assert any("Claims aren't supported" in p for p in validate_kind(definition))


# --- composites against the definition -------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_", requests(), ids=lambda r: r.name)
def test_composites_validate_against_the_definition(mode: str, request_: Request) -> None:
    config = MODES[mode]
    document = manifest(request_, config)
    definition = crossplane.definition(config)
    group, version = document["apiVersion"].split("/")
    assert (group, version) == (definition["spec"]["group"], definition["spec"]["versions"][0]["name"])
    expected_kind = definition["spec"].get("claimNames", definition["spec"]["names"])["kind"]
    assert document["kind"] == expected_kind
    assert document["metadata"]["namespace"] == config.crossplane.namespaces[request_.workload]
    assert validate_composite(document, config) == []


def test_an_unknown_field_in_a_composite_is_caught() -> None:
    """The check is strict, as the API server's field validation is."""
    document = manifest(requests()[0], BASE)
    document["spec"]["budgets"]["default"]["amout"] = 1
    assert any("amout" in problem for problem in validate_composite(document, BASE))


def test_a_composite_needs_budget_dates_and_a_spec() -> None:
    """What the template reads is required, so no budget renders without its dates."""
    document = manifest(requests()[-1], BASE)
    del document["spec"]["budgets"]["monthly"]["endDate"]
    assert any("'endDate' is a required property" in p for p in validate_composite(document, BASE))
    openapi = served_schema(BASE)
    assert validate_document({}, {"schema": {"openAPIV3Schema": openapi}}) == ["/: spec is required (CEL "
                                                                                "'has(self.spec)')"]


def test_a_composite_with_hub_peering_needs_its_hub() -> None:
    document = manifest(requests()[-1], BASE)
    del document["spec"]["platform"]["network"]["hub"]
    assert any("needs spec.platform.network.hub" in p for p in validate_composite(document, BASE))


def test_every_composite_carries_resolved_budget_dates() -> None:
    request = request_with(budgets={"open": {"amount": 5, "timeGrain": "Monthly", "notifications": {
        "n": {"threshold": 80, "contactEmails": ["a@contoso.com"]}}}})
    budget = manifest(request, BASE)["spec"]["budgets"]["open"]
    first_of_month = VENDED_ON.replace(day=1).isoformat()
    assert (budget["startDate"], budget["endDate"]) == (first_of_month, BASE.budget_end_date)


# --- composed resources: the real template, the provider CRDs and their CEL rules ----------

def assert_valid(composed: list[dict[str, Any]]) -> None:
    for resource in composed:
        if crd_for(resource["apiVersion"], resource["kind"]) is None:
            # The provider moved a network's DNS servers to this kind; its CRD is not in ../shared.
            assert resource["kind"] == "VirtualNetworkDNSServers", resource["apiVersion"]
            continue
        assert validate_kind(resource) == [], resource


@needs_go
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_", requests(), ids=lambda r: r.name)
def test_composed_resources_validate_against_the_provider_crds(mode: str, request_: Request) -> None:
    config = MODES[mode]
    composed = compose(crossplane.composition(config), manifest(request_, config), SUBSCRIPTION_ID)
    kinds = [resource["kind"] for resource in composed]
    assert kinds.count("Subscription") == kinds.count("ManagementGroupSubscriptionAssociation") == 1
    assert kinds.count("ProviderConfig") == 1
    assert kinds.count("RoleAssignment") == len(request_.role_assignments)
    assert kinds.count("BudgetSubscription") == len(request_.budgets)
    assert kinds.count("ResourceProviderRegistration") == len({*config.resource_providers,
                                                               *request_.resource_providers})
    network = request_.network
    assert kinds.count("VirtualNetwork") == kinds.count("ResourceGroup") == (network is not None)
    assert kinds.count("VirtualNetworkPeering") == (2 if network and network.hub_peering else 0)
    assert kinds.count("VirtualNetworkDNSServers") == bool(network and network.dns_servers)
    assert_valid(composed)


COUNTS_OF_KEYS = [0, 1, 7]


@needs_go
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("count", COUNTS_OF_KEYS)
def test_zero_one_or_many_role_assignments_and_budgets(mode: str, count: int) -> None:
    roles = {f"role-{i}": {"principalId": f"00000000-0000-4000-8000-{i:012d}",
                           "definition": "Reader" if i % 2 else
                           "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"}
             for i in range(count)}
    budgets: dict[str, dict[str, Any]] = {
        f"budget-{i}": {"amount": 100 + i, "timeGrain": "Monthly", "notifications": {
            f"at-{t}": {"threshold": t, "contactEmails": ["a@contoso.com"]}
            for t in range(50, 50 + 10 * min(i + 1, 5), 10)}}  # 1 to 5 notifications
        for i in range(count)}
    request = request_with(roleAssignments=roles, budgets=budgets)
    config = MODES[mode]
    composed = compose(crossplane.composition(config), manifest(request, config), SUBSCRIPTION_ID)
    assigned = by_name(composed, "RoleAssignment")
    assert sorted(assigned) == sorted(r["principalId"] for r in roles.values())
    found = by_name(composed, "BudgetSubscription")
    assert sorted(found) == sorted(budgets)
    for key, budget in found.items():
        assert len(budget["spec"]["forProvider"]["notification"]) == len(budgets[key]["notifications"])
        assert budget["spec"]["forProvider"]["amount"] == budgets[key]["amount"]
    assert_valid(composed)


@needs_go
@pytest.mark.parametrize("mode", MODES)
def test_everything_inside_the_subscription_uses_its_own_provider_config(mode: str) -> None:
    config = MODES[mode]
    request = requests()[-1]
    composed = compose(crossplane.composition(config), manifest(request, config), SUBSCRIPTION_ID)
    (provider_config,) = by_name(composed, "ProviderConfig").values()
    assert provider_config["metadata"]["name"] == f"vending-{request.name}"
    assert provider_config["spec"]["subscriptionID"] == SUBSCRIPTION_ID
    claim = mode == "claim"
    own: dict[str, str] = {"name": f"vending-{request.name}"}
    if not claim:
        own = {"kind": "ProviderConfig", **own}
    platform = {"name": "default"} if claim else {"kind": "ClusterProviderConfig", "name": "default"}
    tenant_level = {"Subscription", "ManagementGroupSubscriptionAssociation"}
    for resource in composed:
        if resource["kind"] == "ProviderConfig":
            continue
        hub_side = resource["spec"]["forProvider"].get("resourceGroupName") == "rg-hub-uksouth"
        expected = platform if resource["kind"] in tenant_level or hub_side else own
        assert resource["spec"]["providerConfigRef"] == expected, resource


@needs_go
def test_the_subscriptions_provider_config_takes_credentials_from_configuration() -> None:
    request = requests()[-1]
    composed = compose(crossplane.composition(BASE), manifest(request, BASE), SUBSCRIPTION_ID)
    (secret_based,) = by_name(composed, "ProviderConfig").values()
    # The provider reads a namespaced ProviderConfig's secret from the composite's namespace.
    assert secret_based["spec"]["credentials"] == {"source": "Secret", "secretRef": {
        "name": "azure-credentials", "key": "credentials", "namespace": "subscriptions-production"}}
    claim = MODES["claim"]
    composed = compose(crossplane.composition(claim), manifest(request, claim), SUBSCRIPTION_ID)
    (identity,) = by_name(composed, "ProviderConfig").values()
    assert identity["spec"] == {"credentials": {"source": "UserAssignedManagedIdentity"},
                                "tenantID": MANAGED_IDENTITY.tenant_id, "clientID": MANAGED_IDENTITY.client_id,
                                "subscriptionID": SUBSCRIPTION_ID}


@needs_go
def test_what_the_subscription_needs_reaches_its_resources() -> None:
    request = requests()[-1]
    composed = compose(crossplane.composition(BASE), manifest(request, BASE), SUBSCRIPTION_ID)
    (subscription,) = by_name(composed, "Subscription").values()
    assert subscription["metadata"]["annotations"]["crossplane.io/external-name"] == request.name
    assert subscription["spec"]["forProvider"]["tags"]["costCenter"] == INJECTION
    (association,) = by_name(composed, "ManagementGroupSubscriptionAssociation").values()
    assert association["spec"]["forProvider"]["subscriptionId"] == f"/subscriptions/{SUBSCRIPTION_ID}"
    assert association["spec"]["forProvider"]["managementGroupId"] == \
        "/providers/Microsoft.Management/managementGroups/corp"
    roles = by_name(composed, "RoleAssignment")
    deployer = roles[request.role_assignments["deployer"].principal_id]["spec"]["forProvider"]
    # azurerm reads a role definition id back in the subscription-scoped form; any other never converges.
    assert deployer["roleDefinitionId"] == \
        f"/subscriptions/{SUBSCRIPTION_ID}{request.role_assignments['deployer'].definition}"
    owners = roles[request.role_assignments["owners"].principal_id]["spec"]["forProvider"]
    assert (owners["roleDefinitionName"], owners["scope"]) == ("Owner", f"/subscriptions/{SUBSCRIPTION_ID}")
    monthly = by_name(composed, "BudgetSubscription")["monthly"]["spec"]["forProvider"]
    assert monthly["timePeriod"] == {"startDate": "2026-02-01T00:00:00Z", "endDate": "2027-01-31T23:59:59Z"}
    assert sorted(n["threshold"] for n in monthly["notification"]) == [90, 100]
    (dns,) = by_name(composed, "VirtualNetworkDNSServers").values()
    assert dns["spec"]["forProvider"]["dnsServers"] == list(request.network.dns_servers)  # type: ignore[union-attr]


@needs_go
def test_nothing_waits_on_a_missing_subscription_id() -> None:
    """On the first reconcile only the Subscription is composed; the rest waits for its id."""
    composed = compose(crossplane.composition(BASE), manifest(requests()[-1], BASE), None)
    assert [r["kind"] for r in composed] == ["Subscription"]


@needs_go
@pytest.mark.parametrize(("policy", "expected"), [
    ("orphan", ["Observe", "Create", "Update", "LateInitialize"]), ("delete", ["*"])])
def test_deletion_policy_comes_from_configuration(policy: str, expected: list[str]) -> None:
    config = dataclasses.replace(BASE, deletion_policy=policy)
    composed = compose(crossplane.composition(config), manifest(requests()[-1], config), SUBSCRIPTION_ID)
    assert all(r["spec"]["managementPolicies"] == expected for r in composed if r["kind"] != "ProviderConfig")
    legacy = dataclasses.replace(MODES["claim"], deletion_policy=policy)
    composed = compose(crossplane.composition(legacy), manifest(requests()[-1], legacy), SUBSCRIPTION_ID)
    assert all(r["spec"]["deletionPolicy"] == policy.capitalize()
               for r in composed if r["kind"] != "ProviderConfig")


HOSTILE = 'x" }}{{ fail "injected" }}\n  evil: {{ .observed }}\n---\nkind: Secret'


@needs_go
def test_values_in_the_composite_stay_data() -> None:
    """Whatever a composite holds reaches the composed resources as exactly that text: every value
    goes through toJson, so neither a template action nor YAML structure can be injected."""
    xr = manifest(requests()[-1], BASE)
    xr["spec"]["roleAssignments"]["owners"]["definition"] = HOSTILE
    xr["spec"]["budgets"]["monthly"]["notifications"]["actual"]["contactEmails"] = [HOSTILE]
    composed = compose(crossplane.composition(BASE), xr, SUBSCRIPTION_ID)
    names = {r["spec"]["forProvider"].get("roleDefinitionName") for r in composed if r["kind"] == "RoleAssignment"}
    assert HOSTILE in names
    assert "Secret" not in {r["kind"] for r in composed}


@needs_go
def test_configuration_values_stay_data_even_past_validation() -> None:
    """vending.yaml refuses such names (see test_crossplane_config.py); even so the template reads
    them as Go string literals, never as template text."""
    hostile = dataclasses.replace(BASE.crossplane, provider_config=HOSTILE, credentials=Credentials(
        source="Secret", secret_ref=SecretRef(name=HOSTILE, key=HOSTILE, namespace="x"), tenant_id=None,
        client_id=None))
    config = dataclasses.replace(BASE, crossplane=hostile)
    composed = compose(crossplane.composition(config), manifest(requests()[-1], config), SUBSCRIPTION_ID)
    (provider_config,) = by_name(composed, "ProviderConfig").values()
    assert provider_config["spec"]["credentials"]["secretRef"]["name"] == HOSTILE
    (subscription,) = by_name(composed, "Subscription").values()
    assert subscription["spec"]["providerConfigRef"]["name"] == HOSTILE
    peering = by_name(composed, "VirtualNetworkPeering")
    assert {p["spec"]["providerConfigRef"]["name"] for p in peering.values()} == {HOSTILE, "vending-maximal-prod"}


@needs_go
def test_the_hub_side_peering_name_is_the_modules() -> None:
    """The hub's peering is named as the AVM module names it: peer-<uuidv5("url", spoke network id)>,
    computed by the template from the subscription id with sprig's sha1sum."""
    import uuid  # noqa: PLC0415

    composed = compose(crossplane.composition(BASE), manifest(requests()[-1], BASE), SUBSCRIPTION_ID)
    peerings = {r["spec"]["forProvider"]["resourceGroupName"]: r
                for r in composed if r["kind"] == "VirtualNetworkPeering"}
    from_hub = peerings["rg-hub-uksouth"]
    spoke = from_hub["spec"]["forProvider"]["remoteVirtualNetworkId"]
    assert spoke == (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-maximal-prod-network/providers/"
                     "Microsoft.Network/virtualNetworks/vnet-maximal-prod-uksouth")
    assert from_hub["metadata"]["annotations"]["crossplane.io/external-name"] == \
        f"peer-{uuid.uuid5(uuid.NAMESPACE_URL, spoke)}"


def test_the_composites_shape_is_independent_of_the_input_order() -> None:
    request = requests()[-1]
    assert manifest(request, BASE) == copy.deepcopy(manifest(request, BASE))
    assert validate_openapi({"spec": manifest(request, BASE)["spec"]}, served_schema(BASE)) == []


REPOS = [ROOT, *sorted(p for p in (ROOT / "tests" / "golden").iterdir() if p.is_dir())]


@pytest.mark.parametrize("repo", REPOS, ids=lambda p: p.name)
def test_the_committed_files_pass_the_real_crds(repo: Path) -> None:
    """What is on trunk: the platform files against Crossplane's CRDs, every composite against the
    repository's own definition."""
    definition = yaml.safe_load((repo / "interface" / "crossplane" / "definition.yaml").read_text())
    composition = yaml.safe_load((repo / "interface" / "crossplane" / "composition.yaml").read_text())
    assert validate_kind(definition) == []
    assert validate_kind(composition) == []
    (served,) = definition["spec"]["versions"]
    composites = sorted((repo / "generated" / "crossplane").glob("*/*.yaml"))
    assert composites
    for path in composites:
        document = yaml.safe_load(path.read_text())
        assert document["apiVersion"] == f"{definition['spec']['group']}/{served['name']}"
        assert validate_document({"spec": document["spec"]}, served) == [], path
