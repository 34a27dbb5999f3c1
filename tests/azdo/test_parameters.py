from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from vending import schemas
from vending.azdo.parameters import (
    TEMPLATE_PARAMETERS,
    decode_from_pipeline,
    encode_for_pipeline,
    parameters_from_request,
    parse_environment_value,
    request_from_parameters,
)
from vending.errors import InvalidInput
from vending.intake import accept_file
from vending.upgrade import upgrade

from ..conftest import EXAMPLES

NEWEST = schemas.schema_for(schemas.latest().name)
MINIMAL: dict[str, Any] = {
    "schemaVersion": "2.0.0", "name": "payments-prod", "displayName": "Payments", "workload": "Production",
    "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
    "managementGroup": "corp", "location": "uksouth", "requestedBy": "alice@contoso.com",
}


def upgraded(path: Path) -> dict[str, Any]:
    accepted = accept_file(str(path))
    return upgrade(accepted.document.data, accepted.release.version.major, schemas.latest().name)


def as_azure_types(strings: dict[str, str]) -> dict[str, Any]:
    """What Azure makes of Runs API strings for the template's parameter types (objects are parsed as YAML)."""
    types = {p: str(NEWEST["properties"][p].get("type", "string")) for p in strings}
    out: dict[str, Any] = {}
    for name, text in strings.items():
        kind = types[name]
        out[name] = yaml.safe_load(text) if kind in ("object", "array") else (
            text == "true" if kind == "boolean" else text)
    return out


@given(st.text())
def test_the_encoding_leaves_no_dollar_and_decodes_exactly(text: str) -> None:
    encoded = encode_for_pipeline(text)
    assert "$" not in encoded
    assert decode_from_pipeline(encoded) == text


@pytest.mark.parametrize(("text", "reason"), [
    ('{"a": "$(System.AccessToken)"}', "contains '\\$'"),
    ('{"a": "100%"}', "not %24 or %25"),
])
def test_text_the_template_did_not_encode_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode_from_pipeline(text)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir()))
def test_examples_round_trip_through_template_parameters(example: str) -> None:
    doc = upgraded(EXAMPLES / example)
    strings = parameters_from_request(doc, NEWEST)
    assert all(isinstance(value, str) for value in strings.values())
    assert strings["schemaVersion"] == schemas.latest().name
    if "tags" in doc:
        assert json.loads(strings["tags"]) == doc["tags"]
    assert request_from_parameters(as_azure_types(strings), NEWEST) == doc


def test_neutral_defaults_mean_absent_and_template_parameters_are_ignored() -> None:
    params = {**MINIMAL, "ticket": "", "tags": {}, "budgets": {}, "network": {}, "roleAssignments": {},
              "resourceProviders": [], "state": "present", **{name: "x" for name in TEMPLATE_PARAMETERS}}
    assert request_from_parameters(params, NEWEST) == {**MINIMAL, "state": "present"}


def test_required_parameters_are_kept_even_when_empty() -> None:
    assert request_from_parameters({**MINIMAL, "name": ""}, NEWEST)["name"] == ""


def test_lossless_conversions() -> None:
    doc = request_from_parameters({**MINIMAL, "ticket": 12345, "tags": '{"costCenter": "1234"}',
                                   "network": {"addressSpace": ["10.0.0.0/24"], "hubPeering": True}}, NEWEST)
    assert doc["ticket"] == "12345"
    assert doc["tags"] == {"costCenter": "1234"}
    assert doc["network"]["hubPeering"] is True


def test_every_unconvertible_parameter_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        request_from_parameters({**MINIMAL, "name": ["a"], "tags": "not json", "roleAssignments": [1],
                                 "surprise": "x"}, NEWEST)
    problems = {p.pointer: p.message for p in caught.value.problems}
    assert problems["/name"] == "parameter 'name': expected a string, found a list"
    assert "found text that is not JSON" in problems["/tags"]
    assert problems["/roleAssignments"] == "parameter 'roleAssignments': expected a mapping, found a list"
    assert "unknown parameter 'surprise'" in problems["/surprise"]


def test_environment_value_must_be_an_encoded_json_object() -> None:
    assert parse_environment_value(encode_for_pipeline('{"a": "$(x) 100%"}')) == {"a": "$(x) 100%"}
    for bad in ("[1]", "{", '{"a": NaN}', '{"a": "$(x)"}'):
        with pytest.raises(InvalidInput):
            parse_environment_value(bad)
