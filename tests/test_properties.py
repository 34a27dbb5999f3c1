"""Property-based: documents generated from each released schema load, validate and upgrade."""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vending import roles, schemas
from vending.intake import accept
from vending.semantics import is_calendar_date
from vending.validation import validate

from .strategies import from_schema

VERSIONS = [r.name for r in schemas.usable()]

# Strings that YAML 1.2 (our loader) reads as numbers, but PyYAML's YAML 1.1 dumper leaves plain ("08", "1e3").
_YAML12_NUMBER = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


class _Yaml12Dumper(yaml.SafeDumper):
    """Writes YAML that reads back the same under YAML 1.2: such strings are quoted."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if _YAML12_NUMBER.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Yaml12Dumper.add_representer(str, _represent_str)


def pins_for(version: str) -> list[str]:
    major, minor, _ = version.split(".")
    return [p for p in (version, f"{major}.{minor}", major) if schemas.resolve_pin(p).name == version]


def _built_in_or_custom(definition: str) -> str:
    """A role name the module can resolve or a custom name vending leaves to the configuration (not a slip)."""
    return definition if roles.definition_problem(definition) is None else "Reader"


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


def sanitize(doc: dict[str, Any]) -> dict[str, Any]:
    """Undo what only the semantic checks reject (overlaps, host bits, tag case, dates, control characters,
    and what the AVM module refuses)."""
    doc.update(_nfc(doc))
    doc["displayName"] = "".join(c for c in doc["displayName"] if ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0) \
        or "x"
    network = doc.get("network")
    if network:
        kept: list[ipaddress.IPv4Network] = []
        items: list[Any] = []
        for cidr in network["addressSpace"]:
            if not isinstance(cidr, str):  # {size: N} (2.1): allocated, never overlapping
                items.append(cidr)
                continue
            prefix = ipaddress.IPv4Network(cidr, strict=False)
            if not any(prefix.overlaps(k) for k in kept):
                kept.append(prefix)
                items.append(str(prefix))
        network["addressSpace"] = items
    if "tags" in doc:
        folded: dict[str, str] = {}
        for name in list(doc["tags"]):
            if name.casefold() in folded:
                del doc["tags"][name]
            folded[name.casefold()] = name
    doc["displayName"] = unicodedata.normalize("NFC", re.sub(r"[<>;|]", "", doc["displayName"])) or "x"
    doc["billingScope"] = re.sub(r"[\x00-\x1f\x7f-\x9f]", "x", doc["billingScope"])
    if "tags" in doc:
        tags = {unicodedata.normalize("NFC", re.sub(r"[\x00-\x1f\x7f]", "", name)):
                unicodedata.normalize("NFC", value.replace("\n", " ")) for name, value in doc["tags"].items()}
        folded_tags: dict[str, str] = {}
        for name in tags:
            if name and name.casefold() not in folded_tags:
                folded_tags[name.casefold()] = name
        doc["tags"] = {name: tags[name] for name in folded_tags.values()}
    if "resourceProviders" in doc:
        doc["resourceProviders"] = list({ns.lower(): ns for ns in reversed(doc["resourceProviders"])}.values())
    assignments = doc.get("roleAssignments")
    if isinstance(assignments, list):
        for entry in assignments:
            entry["role"] = _built_in_or_custom(entry["role"])
    elif isinstance(assignments, dict):
        seen: set[tuple[str, str]] = set()
        for key, entry in list(assignments.items()):
            entry["definition"] = _built_in_or_custom(entry["definition"])
            identity = roles.identity(entry["principalId"], entry["definition"])
            if identity in seen:
                del assignments[key]
            seen.add(identity)
    for budget in [*(doc.get("budgets") or {}).values(), *([doc["budget"]] if "budget" in doc else [])]:
        budget["timeGrain"] = budget["timeGrain"].replace("BillingMonth", "Monthly").replace(
            "BillingQuarter", "Quarterly").replace("BillingAnnual", "Annually")
    for budget in (doc.get("budgets") or {}).values():
        for notification in (budget.get("notifications") or {}).values():
            if notification.get("operator") == "EqualTo":
                notification["operator"] = "GreaterThanOrEqualTo"
        for field in ("startDate", "endDate"):
            if field in budget and not is_calendar_date(budget[field]):
                budget[field] = "2026" + budget[field][4:8] + "01"
        if budget.get("startDate") and budget.get("endDate") and budget["endDate"] <= budget["startDate"]:
            del budget["endDate"]
    return doc


@pytest.mark.parametrize("version", VERSIONS)
def test_generated_documents_load_validate_and_upgrade(version: str) -> None:
    schema = schemas.schema_for(version)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(doc=from_schema(schema), pin=st.sampled_from(pins_for(version)), as_yaml=st.booleans())
    def check(doc: dict[str, Any], pin: str, as_yaml: bool) -> None:
        doc = sanitize({**doc, "schemaVersion": pin})
        assert validate(doc, schema) == [], "the generator made an invalid document"
        raw = yaml.dump(doc, Dumper=_Yaml12Dumper, allow_unicode=True).encode() if as_yaml else json.dumps(doc).encode()
        accepted = accept(raw, "generated.yaml" if as_yaml else "generated.json")
        assert accepted.release.name == version
        assert accepted.request.name == doc["name"]
        assert accepted.request.schema_pin == pin

    check()
