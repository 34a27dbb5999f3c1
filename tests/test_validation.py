from __future__ import annotations

from typing import Any

import pytest

from vending import schemas
from vending.loader import load_bytes
from vending.validation import ecma_pattern, validate

V100 = schemas.schema_for("1.0.0")


def minimal(**extra: Any) -> dict[str, Any]:
    return {
        "schemaVersion": "1.0.0", "name": "payments-prod", "displayName": "Payments", "workload": "Production",
        "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
        "managementGroup": "corp", "location": "uksouth", "requestedBy": "alice@contoso.com", **extra,
    }


def test_minimal_request_is_valid() -> None:
    assert validate(minimal(), V100) == []


def test_every_error_is_reported_with_its_position() -> None:
    doc = load_bytes(
        b'schemaVersion: "1.0.0"\nname: Bad_Name\nworkload: Prod\nbudget: {amount: 0, amout: 1}\n', "r.yaml")
    found = validate(doc.data, V100, doc.marks)
    by_pointer = {p.pointer: p for p in found}
    assert by_pointer["/name"].line == 2 and "does not match the pattern" in by_pointer["/name"].message
    assert "expected one of \"Production\", \"DevTest\"" in by_pointer["/workload"].message
    assert by_pointer["/budget/amount"].message == "expected a number greater than 0; found 0"
    assert by_pointer["/budget/amout"].message == "unknown property 'amout'; did you mean 'amount'?"
    assert (by_pointer["/budget/amout"].line, by_pointer["/budget/amout"].column) == (4, 21)
    assert by_pointer["/displayName"].message == "missing required property 'displayName'"
    assert by_pointer["/budget/timeGrain"].line == 4
    assert [p.line for p in found] == sorted(p.line or 0 for p in found)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("requestedBy", "alice", "expected an e-mail address"),
    ("requestedBy", "alice@contoso", "expected an e-mail address"),
    ("name", "payments-prod\n", "does not match"),
    ("name", "ab", "does not match"),
    ("name", "a" * 64, "does not match"),
    ("name", "payments-", "does not match"),
    ("displayName", "x" * 65, "expected at most 64 characters"),
    ("schemaVersion", 1.0, "quote the version"),
    ("tags", {"a/b": "x"}, "the key \"a/b\" is not allowed here"),
    ("tags", {"a": 1}, "expected string, found an integer"),
    ("ticket", "CHG1\nTrailer: x", "does not match"),
])
def test_field_rules(field: str, value: Any, message: str) -> None:
    found = validate(minimal(**{field: value}), V100)
    assert found and message in found[0].message, found


def test_property_names_point_at_the_key() -> None:
    found = validate(minimal(tags={"a/b": "x"}), V100)
    assert found[0].pointer == "/tags/a~1b"


def test_ecma_anchors() -> None:
    assert ecma_pattern(r"^[a-z$]+$") == r"^[a-z$]+\Z"
    assert ecma_pattern(r"^a\$b$") == r"^a\$b\Z"
