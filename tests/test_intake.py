from __future__ import annotations

import dataclasses
import json

import pytest

from vending.errors import InvalidInput
from vending.intake import accept, accept_file
from vending.model import Request
from vending.upgrade import role_assignment_key

from .conftest import EXAMPLES
from .test_validation import minimal


def doc(**fields: object) -> bytes:
    return json.dumps(minimal(**fields)).encode()


def rejected(raw: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        accept(raw, "r.json")
    return caught.value


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_examples_are_accepted_and_upgraded(path: object) -> None:
    accepted = accept_file(str(path))
    assert accepted.request.name == path.stem  # type: ignore[attr-defined]


def test_a_1_0_request_and_its_2_0_rewrite_give_the_same_model() -> None:
    old = accept_file(str(EXAMPLES / "payments-prod.yaml")).request
    rewrite = minimal(
        schemaVersion="2.0.0", name="payments-prod", displayName="Payments (Production)",
        billingScope="/providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321",
        ticket="CHG0012345", tags={"owner": "payments-team", "costCenter": "1234"},
        budgets={"default": {"amount": 5000, "timeGrain": "Monthly", "notifications": {
            "actual-80": {"threshold": 80, "contactEmails": ["finops@contoso.com"]},
            "actual-100": {"threshold": 100, "contactEmails": ["finops@contoso.com"]}}}},
        network={"addressSpace": ["10.20.0.0/24"], "hubPeering": True},
        roleAssignments={
            role_assignment_key("9b2f1c1e-4a7d-4d8e-9f0a-1b2c3d4e5f60", "Reader"):
                {"principalId": "9b2f1c1e-4a7d-4d8e-9f0a-1b2c3d4e5f60", "definition": "Reader"},
            role_assignment_key("3fa85f64-5717-4562-b3fc-2c963f66afa6", "Contributor"):
                {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "definition": "Contributor"},
        },
    )
    new = accept(json.dumps(rewrite).encode(), "new.json").request

    def infra(request: Request) -> Request:
        return dataclasses.replace(request, schema_pin="", schema_version="")

    assert infra(old) == infra(new)
    assert (old.schema_pin, old.schema_version) == ("1.0.0", "1.0.0")


def test_validated_against_exactly_the_pinned_version() -> None:
    error = rejected(doc(schemaVersion="1.0", resourceProviders=["Microsoft.Compute"]))
    assert error.release == "1.0.0"
    assert error.problems[0].message == (
        "unknown property 'resourceProviders' in schema 1.0.0: it was added in 1.1.0; "
        "pin schemaVersion \"1.1\" to use it")
    assert accept(doc(schemaVersion="1.1", resourceProviders=["Microsoft.Compute"]), "r.json").request \
        .resource_providers == ("Microsoft.Compute",)


def test_a_2x_request_cannot_use_1x_shapes() -> None:
    error = rejected(doc(schemaVersion="2", budget={"amount": 1}))
    assert error.problems[0].message == "unknown property 'budget'; did you mean 'budgets'?"


def test_deprecated_versions_warn() -> None:
    accepted = accept(doc(schemaVersion="1.0.0"), "r.json")
    assert "deprecated" in accepted.warnings[0].message
    assert accept(doc(schemaVersion="1.1.0"), "r.json").warnings == ()


@pytest.mark.parametrize(("fields", "message"), [
    ({"schemaVersion": None}, "missing required property 'schemaVersion'"),
    ({"schemaVersion": 1}, 'quote it: "schemaVersion": "1"'),
    ({"schemaVersion": "4.0"}, "unknown schema version '4.0'; supported: 1.0.0 (deprecated), 1.1.0, 2.0.0, 2.1.0"),
    ({"network": {"addressSpace": ["10.0.0.5/24"]}}, "10.0.0.5/24 has host bits set; did you mean 10.0.0.0/24?"),
    ({"network": {"addressSpace": ["10.0.0.0/16", "10.0.4.0/24"]}}, "10.0.4.0/24 overlaps 10.0.0.0/16"),
    ({"tags": {"Owner": "a", "owner": "b"}}, "Azure tag names are not case-sensitive"),
    ({"requestedBy": "carol@contoso.com\n"}, "expected an e-mail address"),
    ({"displayName": "Risk\n\nRequested-By: ceo@contoso.com"}, "must not contain line breaks"),
])
def test_rejections(fields: dict[str, object], message: str) -> None:
    data = minimal(**fields)
    if fields.get("schemaVersion", "") is None:
        del data["schemaVersion"]
    with pytest.raises(InvalidInput) as caught:
        accept(json.dumps(data).encode(), "r.json")
    assert message in caught.value.problems[0].message


def test_budget_dates_exist() -> None:
    budget = {"amount": 1, "timeGrain": "Monthly", "startDate": "2026-02-01", "endDate": "2026-02-31",
              "notifications": {"a": {"threshold": 50, "contactEmails": ["a@b.io"]}}}
    error = rejected(doc(schemaVersion="2", budgets={"b": budget}))
    assert error.problems[0].message == "2026-02-31 is not a date in the calendar"


def test_budget_dates_in_order() -> None:
    budget = {"amount": 1, "timeGrain": "Monthly", "startDate": "2026-01-01", "endDate": "2025-12-31",
              "notifications": {"a": {"threshold": 50, "contactEmails": ["a@b.io"]}}}
    error = rejected(doc(schemaVersion="2", budgets={"b": budget}))
    assert error.problems[0].pointer == "/budgets/b/endDate"


def test_model_fills_2x_defaults() -> None:
    request = accept(doc(schemaVersion="2", network={"addressSpace": ["10.0.0.0/24"]}, budgets={"b": {
        "amount": 1, "timeGrain": "Monthly", "notifications": {"a": {"threshold": 50, "contactEmails": ["a@b.io"]}}}}),
        "r.json").request
    assert request.state == "present"
    assert request.network is not None and request.network.hub_peering is False
    notification = request.budgets["b"].notifications["a"]
    assert (notification.threshold_type, notification.operator) == ("Actual", "GreaterThan")
    with pytest.raises(TypeError):
        request.tags["x"] = "y"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.name = "other"  # type: ignore[misc]


INVALID_PER_VERSION = [
    ("1.0.0", {"budget": {"amount": 1, "timeGrain": "BillingMonth", "thresholds": [1], "contactEmails": ["a@b.io"]}},
     "/budget/timeGrain"),
    ("1.0.0", {"roleAssignments": [{"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}]},
     "/roleAssignments/0/role"),
    ("1.1.0", {"network": {"addressSpace": ["10.0.0.0/24"], "dnsServers": ["10.0.0.300"]}},
     "/network/dnsServers/0"),
    ("1.1.0", {"resourceProviders": ["compute"]}, "/resourceProviders/0"),
    ("1.1.0", {"state": "absent"}, "/state"),
    ("2.0.0", {"roleAssignments": [{"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "Reader"}]},
     "/roleAssignments"),
    ("2.0.0", {"budgets": {"Monthly Budget": {"amount": 1, "timeGrain": "Monthly", "notifications": {}}}},
     "/budgets/Monthly Budget"),
    ("2.0.0", {"budgets": {"b": {"amount": 1, "timeGrain": "Monthly", "notifications": {}}}},
     "/budgets/b/notifications"),
    ("2.0.0", {"state": "deleted"}, "/state"),
]


@pytest.mark.parametrize(("version", "fields", "pointer"), INVALID_PER_VERSION)
def test_invalid_documents_per_version(version: str, fields: dict[str, object], pointer: str) -> None:
    error = rejected(doc(schemaVersion=version, **fields))
    assert error.release == version
    assert pointer in [p.pointer for p in error.problems], error.problems
