from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import yaml

from vending.config import Config, load_config
from vending.intake import accept, accept_file
from vending.model import Request
from vending.render import crossplane

from ..conftest import EXAMPLES, INJECTION, MAXIMAL_REQUEST, ROOT, vended
from ..crossplane_sim import CRDS, compose, crd_for, structural_problems, validate_managed, validate_openapi

BASE = load_config(ROOT)
SUBSCRIPTION_ID = "11111111-2222-4333-8444-555555555555"


def config_with(**crossplane_fields: Any) -> Config:
    return dataclasses.replace(BASE, crossplane=dataclasses.replace(BASE.crossplane, **crossplane_fields))


MODES = {"composite": BASE, "claim": config_with(mode="claim")}


def requests() -> list[Request]:
    found = [vended(accept_file(p)) for p in sorted(EXAMPLES.iterdir())]
    return [*found, vended(accept(json.dumps(MAXIMAL_REQUEST).encode(), "maximal.json"))]


def manifest(request: Request, config: Config) -> dict[str, Any]:
    (content,) = crossplane.render(request, config).values()
    loaded: dict[str, Any] = yaml.safe_load(content)
    return loaded


@pytest.fixture(autouse=True)
def _crds() -> None:
    if not CRDS.is_dir():
        pytest.skip(f"{CRDS} is absent: the provider CRDs come from ../shared")


@pytest.mark.parametrize("mode", MODES)
def test_the_definition_is_structural_with_a_version_per_major(mode: str) -> None:
    definition = crossplane.definition(MODES[mode])
    versions = definition["spec"]["versions"]
    assert [v["name"] for v in versions] == ["v1", "v2"]
    assert [v["referenceable"] for v in versions] == [False, True]
    assert versions[0]["deprecated"] is True
    for version in versions:
        assert structural_problems(version["schema"]["openAPIV3Schema"]) == []
    assert ("claimNames" in definition["spec"]) == (mode == "claim")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_", requests(), ids=lambda r: r.name)
def test_composites_validate_against_the_definition(mode: str, request_: Request) -> None:
    config = MODES[mode]
    document = manifest(request_, config)
    definition = crossplane.definition(config)
    group, version = document["apiVersion"].split("/")
    assert group == definition["spec"]["group"]
    served = next(v for v in definition["spec"]["versions"] if v["name"] == version)
    expected_kind = definition["spec"].get("claimNames", definition["spec"]["names"])["kind"]
    assert document["kind"] == expected_kind
    assert document["metadata"]["namespace"] == config.crossplane.namespaces[request_.workload]
    openapi = served["schema"]["openAPIV3Schema"]
    assert validate_openapi({"spec": document["spec"]}, openapi) == []


def test_an_unknown_field_in_a_composite_is_caught() -> None:
    """The check is strict, as the API server's field validation is."""
    document = manifest(requests()[0], BASE)
    document["spec"]["budgets"]["default"]["amout"] = 1
    openapi = crossplane.definition(BASE)["spec"]["versions"][-1]["schema"]["openAPIV3Schema"]
    assert any("amout" in problem for problem in validate_openapi({"spec": document["spec"]}, openapi))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_", requests(), ids=lambda r: r.name)
def test_composed_resources_validate_against_the_provider_crds(mode: str, request_: Request) -> None:
    config = MODES[mode]
    xr = manifest(request_, config)
    composed = compose(crossplane.composition(config), xr, SUBSCRIPTION_ID)
    kinds = [resource["kind"] for resource in composed]
    assert kinds.count("Subscription") == 1
    assert kinds.count("ManagementGroupSubscriptionAssociation") == 1
    assert kinds.count("RoleAssignment") == len(request_.role_assignments)
    assert kinds.count("BudgetSubscription") == len(request_.budgets)
    for resource in composed:
        served = crd_for(resource["apiVersion"], resource["kind"])
        if served is None:
            # The cluster-scoped CRDs of these two kinds are not in ../shared; their forProvider
            # fields are the namespaced ones', so check against those, leaving out the two fields
            # that differ with the scope (deletionPolicy, and the kind in providerConfigRef).
            assert mode == "claim", resource["apiVersion"]
            served = crd_for(crossplane.MANAGED["composite"][resource["kind"]], resource["kind"])
            assert served is not None
            resource = {**resource, "spec": {k: v for k, v in resource["spec"].items()  # noqa: PLW2901
                                             if k not in ("deletionPolicy", "providerConfigRef")}}
        assert validate_managed(resource, served) == [], resource


def _by_kind(composed: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in composed if r["kind"] == kind]


def test_subscription_id_reaches_the_association_in_resource_id_form() -> None:
    request = requests()[-1]
    composed = compose(crossplane.composition(BASE), manifest(request, BASE), SUBSCRIPTION_ID)
    (subscription,) = _by_kind(composed, "Subscription")
    assert subscription["metadata"]["annotations"]["crossplane.io/external-name"] == request.name
    assert subscription["spec"]["forProvider"]["tags"]["costCenter"] == INJECTION
    (association,) = _by_kind(composed, "ManagementGroupSubscriptionAssociation")
    assert association["spec"]["forProvider"]["subscriptionId"] == f"/subscriptions/{SUBSCRIPTION_ID}"
    assert association["spec"]["forProvider"]["managementGroupId"] == \
        "/providers/Microsoft.Management/managementGroups/corp"
    roles = {r["metadata"]["annotations"]["gotemplating.fn.crossplane.io/composition-resource-name"]: r
             for r in _by_kind(composed, "RoleAssignment")}
    assert roles["role-deployer"]["spec"]["forProvider"]["roleDefinitionId"].startswith("/providers/")
    assert roles["role-owners"]["spec"]["forProvider"]["roleDefinitionName"] == "Owner"
    assert roles["role-owners"]["spec"]["forProvider"]["scope"] == f"/subscriptions/{SUBSCRIPTION_ID}"
    budgets = _by_kind(composed, "BudgetSubscription")
    monthly = next(b for b in budgets if b["metadata"]["annotations"]["crossplane.io/external-name"] == "monthly")
    assert monthly["spec"]["forProvider"]["timePeriod"] == {
        "startDate": "2026-02-01T00:00:00Z", "endDate": "2027-01-31T00:00:00Z"}
    assert sorted(n["threshold"] for n in monthly["spec"]["forProvider"]["notification"]) == [90, 100]


def test_nothing_waits_on_a_missing_subscription_id() -> None:
    """On the first reconcile only the Subscription is composed; the rest waits for its id."""
    composed = compose(crossplane.composition(BASE), manifest(requests()[-1], BASE), None)
    assert [r["kind"] for r in composed] == ["Subscription"]


@pytest.mark.parametrize(("policy", "expected"), [
    ("orphan", ["Observe", "Create", "Update", "LateInitialize"]), ("delete", ["*"])])
def test_deletion_policy_comes_from_configuration(policy: str, expected: list[str]) -> None:
    config = dataclasses.replace(BASE, deletion_policy=policy)
    composed = compose(crossplane.composition(config), manifest(requests()[-1], config), SUBSCRIPTION_ID)
    assert all(r["spec"]["managementPolicies"] == expected for r in composed)
    legacy = dataclasses.replace(MODES["claim"], deletion_policy=policy)
    composed = compose(crossplane.composition(legacy), manifest(requests()[-1], legacy), SUBSCRIPTION_ID)
    assert all(r["spec"]["deletionPolicy"] == policy.capitalize() for r in composed)
