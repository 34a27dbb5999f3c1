from __future__ import annotations

from typing import Any

import pytest

from vending import schemas
from vending.errors import Bug
from vending.upgrade import role_assignment_key, upgrade
from vending.validation import validate

from .test_validation import minimal


def test_1x_upgrades_roles_and_budget_to_maps() -> None:
    doc = minimal(
        schemaVersion="1.1",
        roleAssignments=[
            {"principalId": "3FA85F64-5717-4562-B3FC-2C963F66AFA6", "role": "Storage Blob Data Reader"},
            {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "Storage Blob Data Reader"},
            {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "Reader", "principalType": "Group"},
        ],
        budget={"amount": 10, "timeGrain": "Monthly", "thresholds": [80, 100], "contactEmails": ["a@b.io"]},
    )
    new = upgrade(doc, 1, "2.0.0")
    assert validate(new, schemas.schema_for("2.0.0")) == []
    assert new["schemaVersion"] == "2.0.0"
    assert "budget" not in new
    assert new["budgets"]["default"]["notifications"]["actual-80"] == {
        "threshold": 80, "thresholdType": "Actual", "operator": "GreaterThan", "contactEmails": ["a@b.io"]}
    roles = new["roleAssignments"]
    assert len(roles) == 2, "the same assignment listed twice is one"
    reader = roles[role_assignment_key("3fa85f64-5717-4562-b3fc-2c963f66afa6", "Reader")]
    assert reader == {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "definition": "Reader",
                      "principalType": "Group"}
    assert doc["roleAssignments"][0]["role"] == "Storage Blob Data Reader", "the input is not modified"


def test_role_keys_do_not_depend_on_order_and_fit_the_2x_pattern() -> None:
    key = role_assignment_key("3fa85f64-5717-4562-b3fc-2c963f66afa6", "Some Very Long Custom Role Name " * 4)
    key_rule = schemas.schema_for("2.0.0")["properties"]["roleAssignments"]["propertyNames"]
    assert validate(key, key_rule) == []
    assert role_assignment_key("3FA85F64-5717-4562-B3FC-2C963F66AFA6", "Reader") == role_assignment_key(
        "3fa85f64-5717-4562-b3fc-2c963f66afa6", "Reader")
    assert role_assignment_key("x", "Λειτουργός").startswith("role-")


def test_within_a_major_the_document_is_unchanged() -> None:
    doc: dict[str, Any] = minimal(schemaVersion="2", state="absent")
    assert upgrade(doc, 2, "2.0.0") == {**doc, "schemaVersion": "2.0.0"}


def test_a_missing_step_is_a_bug() -> None:
    with pytest.raises(Bug, match="no upgrade step from schema major 2 to 3"):
        upgrade(minimal(), 2, "3.0.0")
