"""External conformance: our "not major" against Confluent Schema Registry's `compatible` (strict policy).

The cases are read from ../shared (Confluent Community License: never copied
into this project). Every disagreement is listed here with the rule of ours
that explains it, and in docs/compatibility.md.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from vending.schemadiff.change import Bump
from vending.schemadiff.diff import diff_schemas

from ..conftest import ROOT, SHARED
from .conftest import REPORT

CASES = SHARED / "conformance" / "confluent-json-schema-compat"
FILES = ["diff-schema-examples.json", "diff-combined-schema-examples.json",
         "diff-schema-examples-2020-12.json", "diff-combined-schema-examples-2020-12.json"]
FLOOR = 0.98

REQUIRED_UNDECLARED = "required-undeclared"
ADDITIONAL_ITEMS_IGNORED = "additionalItems-ignored"
EXPLAINED = {
    ("diff-schema-examples.json", 55): REQUIRED_UNDECLARED,
    ("diff-schema-examples-2020-12.json", 57): REQUIRED_UNDECLARED,
    ("diff-schema-examples.json", 87): ADDITIONAL_ITEMS_IGNORED,
    ("diff-schema-examples.json", 88): ADDITIONAL_ITEMS_IGNORED,
}

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason=f"Confluent conformance cases not found at {CASES}")


def load_cases(name: str) -> list[dict[str, Any]]:
    # One file has a trailing comma that Java's lenient parser accepts (see the cases' README).
    text = re.sub(r",(\s*[}\]])", r"\1", (CASES / name).read_text(encoding="utf-8"))
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


def test_agreement_with_confluent() -> None:
    total = agreed = agreed_lenient = 0
    disagreements: dict[tuple[str, int], str] = {}
    for name in FILES:
        for index, case in enumerate(load_cases(name)):
            diff = diff_schemas(case["original_schema"], case["update_schema"], witnesses=False)
            ours = diff.required_bump < Bump.MAJOR
            total += 1
            agreed += ours == case["compatible"]
            agreed_lenient += ours == case.get("compatible_lenient", case["compatible"])
            if ours != case["compatible"]:
                disagreements[(name, index)] = f"{case['description']}: ours {diff.required_bump}, " \
                                               f"theirs compatible={case['compatible']}"
    assert total == 263
    share = agreed / total
    REPORT.append(f"Confluent conformance: {agreed}/{total} cases agree ({share:.1%}; floor {FLOOR:.0%}); "
                  f"lenient policy {agreed_lenient}/{total}")
    REPORT.extend(f"  disagrees: {name} #{index} [{EXPLAINED.get((name, index), 'UNEXPLAINED')}] {what}"
                  for (name, index), what in sorted(disagreements.items()))
    assert share >= FLOOR
    assert set(disagreements) == set(EXPLAINED), "every disagreement must be explained (here and in the docs)"


def test_every_disagreement_is_listed_in_the_docs() -> None:
    docs = (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
    for (name, index), category in EXPLAINED.items():
        assert f"`{name}` #{index}" in docs and category in docs


def test_the_recursive_schema_terminates_and_equals_itself() -> None:
    schema = json.loads((CASES / "recursive-schema.json").read_text(encoding="utf-8"))
    assert diff_schemas(schema, schema).required_bump is Bump.NONE
    copy = json.loads(json.dumps(schema))
    copy["definitions"]["Category"]["properties"]["category_id"]["type"] = "number"
    assert diff_schemas(schema, copy).required_bump is Bump.MINOR
    assert diff_schemas(copy, schema).required_bump is Bump.MAJOR


def test_the_cases_stay_outside_the_project() -> None:
    tops = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")]
    copied = [p for top in tops for p in top.rglob("*schema-examples*.json")]
    assert copied == [], "the Confluent cases are CCL-licensed: read them from ../shared, never copy them here"
