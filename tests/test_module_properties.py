"""What vending accepts, the AVM module accepts, and sends as the request says.

Hypothesis generates valid requests of every schema version, salted with adversarial values (control
characters, case variants of GUIDs and role names, names up to 63 characters, Unicode, `${` and `%{`).
Every one that vending accepts (validation, upgrade, policy against this repository's vending.yaml) is
rendered and run through the module stub with real `terraform apply`, all in one root, and what the
module would send is compared with the request. The converse (what the module refuses, vending refuses)
is in tests/test_azure_rules.py.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from vending import schemas
from vending.config import load_config
from vending.errors import InvalidInput
from vending.intake import accept
from vending.policy import check_policy
from vending.records import dated, record_facts
from vending.render import terraform
from vending.roles import ID_PREFIX, builtin_roles

from .avm_stub import apply_calls, mismatches, module_call, stub_missing_reason
from .conftest import ROOT
from .strategies import from_schema
from .test_properties import sanitize

pytestmark = pytest.mark.skipif(stub_missing_reason() is not None, reason=stub_missing_reason() or "")

# Requests generated per schema version; the accepted ones go through one terraform apply. Run longer with
# VENDING_MODULE_EXAMPLES=200 (about a second of terraform per ten accepted requests).
PER_VERSION = int(os.environ.get("VENDING_MODULE_EXAMPLES", "20"))
CONFIG = load_config(ROOT)
VEND_DAY = datetime.date(2026, 12, 1)

ADVERSARIAL = st.sampled_from([
    "a\x00b", "tab\there", "line\nbreak", "cr\rhere", "del\x7f", "c1\x85", "${var.x}", "%{ if true }x%{ endif }",
    "$${x}", "e\u0301", "\u00e9", "日本語", "emoji 🚀", "<b>", "a;b", "a|b", "x" * 64, " ", "Ω", "\u2028",
])
ROLE_NAMES = st.sampled_from(sorted(builtin_roles())).flatmap(  # the exact name most often, and its slips
    lambda name: st.sampled_from([name, name, name, name.lower(), name.upper(), f" {name}", f"{name} "]))
GUIDS = st.uuids().map(str).flatmap(lambda guid: st.sampled_from([guid, guid.upper()]))
DEFINITIONS = st.one_of(ROLE_NAMES, GUIDS.map(lambda guid: ID_PREFIX + guid),
                        GUIDS.map(lambda guid: f"/subscriptions/1{ID_PREFIX}{guid}"),
                        GUIDS.map(lambda guid: f"{ID_PREFIX.lower()}{guid}"))


@st.composite
def adversarial_request(draw: st.DrawFn, version: str) -> dict[str, Any]:
    doc: dict[str, Any] = draw(from_schema(schemas.schema_for(version)))
    doc["schemaVersion"] = version
    doc.pop("state", None)  # a decommissioned root calls no module
    doc["location"] = draw(st.sampled_from(["uksouth", "northeurope", "westus", doc["location"]]))
    sometimes = st.sampled_from([False, False, False, True])  # each adversarial change in a quarter of requests
    if draw(sometimes):
        doc["name"] = draw(st.from_regex(r"[a-z][a-z0-9-]{55,61}[a-z0-9]", fullmatch=True))
    if draw(sometimes):
        doc["displayName"] = draw(ADVERSARIAL)
    if draw(sometimes):
        doc["tags"] = {draw(ADVERSARIAL): draw(ADVERSARIAL), "plain": draw(ADVERSARIAL)}
    if draw(sometimes):
        doc["billingScope"] = f"/providers/Microsoft.Billing/billingAccounts/{draw(ADVERSARIAL)}/customers/c1"
    assignments = doc.get("roleAssignments")
    if isinstance(assignments, list):
        for entry in assignments:
            entry["principalId"] = draw(GUIDS)
            entry["role"] = draw(DEFINITIONS)
    elif isinstance(assignments, dict):
        for entry in assignments.values():
            entry["principalId"] = draw(GUIDS)
            entry["definition"] = draw(DEFINITIONS)
    if draw(st.sampled_from([True, True, True, False])):  # undo what vending refuses, so more requests go through
        doc = sanitize(doc)
    return doc


def _accepted_call(doc: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    try:
        accepted = accept(json.dumps(doc).encode(), "generated.json", syntax="json")
        check_policy(accepted, CONFIG)
        request = dated(accepted, record_facts(accepted, None, VEND_DAY), CONFIG).request  # vended on VEND_DAY
    except InvalidInput:
        return None
    (content,) = terraform.render(request, CONFIG).values()
    return request, module_call(json.loads(content))


@pytest.mark.slow
def test_every_request_vending_accepts_the_module_accepts_and_sends_as_written(tmp_path: Path) -> None:
    calls: dict[str, dict[str, Any]] = {}
    expected: dict[str, Any] = {}
    docs: dict[str, dict[str, Any]] = {}
    generated = 0
    for release in schemas.usable():
        # Hypothesis only generates here (cheap); the one terraform apply runs on everything collected.
        @settings(max_examples=PER_VERSION, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(doc=adversarial_request(release.name))
        def collect(doc: dict[str, Any]) -> None:
            nonlocal generated
            generated += 1
            result = _accepted_call(doc)
            if result is not None:
                key = f"v{doc['schemaVersion'].replace('.', '-')}-{len(calls)}"
                expected[key], calls[key], docs[key] = result[0], result[1], doc

        collect()
    applied = apply_calls(calls, tmp_path)
    assert applied.ok, f"vending accepted {applied.offender}, the module refuses it:\n" \
                       f"{json.dumps(docs.get(applied.offender or ''), ensure_ascii=False)}\n{applied.error}"
    wrong = [line for key, request in expected.items() for line in mismatches(request, CONFIG, applied.bodies[key])]
    assert wrong == []
    print(f"\n{len(calls)} of {generated} generated requests accepted by vending and run through the module")
    assert len(calls) >= generated // 5, "too few generated requests are accepted to prove anything"
