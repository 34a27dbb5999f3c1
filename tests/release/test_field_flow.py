"""The field-flow release check: every property of the newest schema reaches every target, proven by
rendering, or is listed in interface/request/not-mapped.json with the reason."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from vending import schemas
from vending.config import load_config
from vending.release.checks import run_checks
from vending.release.field_flow import SAMPLE, check_field_flow, judge, trace
from vending.release.repository import read_series
from vending.render import Files, terraform
from vending.render.targets import TARGETS
from vending.schemadiff.properties import properties

from ..conftest import ROOT
from .conftest import release

NOT_MAPPED = "interface/request/not-mapped.json"
POINTERS_2_0_0 = [
    "/schemaVersion", "/name", "/displayName", "/workload", "/billingScope", "/managementGroup", "/location",
    "/requestedBy", "/ticket", "/tags", "/budgets", "/budgets/*/amount", "/budgets/*/timeGrain",
    "/budgets/*/startDate", "/budgets/*/endDate", "/budgets/*/notifications", "/budgets/*/notifications/*/threshold",
    "/budgets/*/notifications/*/thresholdType", "/budgets/*/notifications/*/operator",
    "/budgets/*/notifications/*/contactEmails", "/network", "/network/addressSpace", "/network/hubPeering",
    "/network/dnsServers", "/roleAssignments", "/roleAssignments/*/principalId", "/roleAssignments/*/definition",
    "/roleAssignments/*/principalType", "/resourceProviders", "/state",
]


def field_flow(repo: Path) -> list[str]:
    return [message for name, message in run_checks(read_series(repo)) if name == "field flow"]


def edit_not_mapped(repo: Path, change: Mapping[str, Any]) -> None:
    path = repo / NOT_MAPPED
    listed = {**json.loads(path.read_text()), **change}
    path.write_text(json.dumps({k: v for k, v in listed.items() if v is not None}, indent=2))


def newest_plus(field: str, rule: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "interface/request/2.0.0.schema.json").read_text())
    schema["properties"][field] = rule
    if required:
        schema["required"].append(field)
    return schema


def test_every_property_is_listed_by_its_pointer_nested_ones_too() -> None:
    assert [p.pointer for p in properties(schemas.schema_for("2.0.0"))] == POINTERS_2_0_0
    assert [p.pointer for p in properties(schemas.schema_for("2.0.0")) if p.required] == [
        "/schemaVersion", "/name", "/displayName", "/workload", "/billingScope", "/managementGroup", "/location",
        "/requestedBy", "/budgets/*/amount", "/budgets/*/timeGrain", "/budgets/*/notifications",
        "/budgets/*/notifications/*/threshold", "/budgets/*/notifications/*/contactEmails", "/network/addressSpace",
        "/roleAssignments/*/principalId", "/roleAssignments/*/definition"]


def test_what_each_property_of_2_0_0_reaches() -> None:
    newest = schemas.latest()
    flow = trace(schemas.schema_for(newest.name), newest, load_config(ROOT))
    assert not flow.problem
    reaches = {f.prop.pointer: set(f.reaches) for f in flow.flows}
    both = set(TARGETS)
    assert reaches == {**dict.fromkeys(POINTERS_2_0_0, both), "/schemaVersion": set(),
                       "/requestedBy": {"crossplane"}, "/ticket": {"crossplane"}}
    assert all(f.tried for f in flow.flows), "every property was varied in at least one accepted way"
    listed = json.loads((ROOT / NOT_MAPPED).read_text())
    assert {p: set(t) for p, t in listed.items()} == {
        "/schemaVersion": both, "/requestedBy": {"terraform"}, "/ticket": {"terraform"}}


def test_this_repository_passes(repo: Path) -> None:
    assert field_flow(repo) == []


def test_a_property_neither_reaching_a_target_nor_listed_fails_naming_both(repo: Path) -> None:
    edit_not_mapped(repo, {"/ticket": None})
    assert field_flow(repo) == [
        "/ticket does not reach terraform: no value of it changes what terraform renders; map it (vending/model.py "
        "and vending/render/) or list it under terraform in interface/request/not-mapped.json with the reason"]


def test_reaching_is_proven_by_rendering_not_declared(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Terraform target that stopped passing the tags is caught, though nothing declares anything."""
    real = terraform.render

    def without_tags(*args: Any, **kwargs: Any) -> Files:
        files = real(*args, **kwargs)
        for path, data in files.items():
            root = json.loads(data)
            for module in root.get("module", {}).values():
                module.pop("subscription_tags", None)
            files[path] = json.dumps(root).encode()
        return files

    monkeypatch.setattr(terraform, "render", without_tags)
    assert [f for f in field_flow(repo) if f.startswith("/tags ")] == [
        "/tags does not reach terraform: no value of it changes what terraform renders; map it (vending/model.py "
        "and vending/render/) or list it under terraform in interface/request/not-mapped.json with the reason"]


def test_stale_entries_fail(repo: Path) -> None:
    edit_not_mapped(repo, {"/name": {"terraform": "wrongly listed"}, "/budget": {"crossplane": "gone in 2.0.0"}})
    assert field_flow(repo) == [
        "/name reaches terraform (a value of it changes what terraform renders), but "
        "interface/request/not-mapped.json lists it as not mapped there; remove that entry",
        "interface/request/not-mapped.json lists /budget, which is not a property of request schema 2.1.0; "
        "remove it"]


@pytest.mark.parametrize(("content", "expected"), [
    ('{"/ticket": {"terraform": "x"},\n "/x": ', "interface/request/not-mapped.json:2:"),
    ('{"/ticket": {"terraform": ""}}', "interface/request/not-mapped.json:1:2: '/ticket' must map each target it "
                                       "does not reach to the reason"),
    ('{"/ticket": {"terraform": "audit", "pulumi": "none"}}', "interface/request/not-mapped.json:1:2: '/ticket' "
                                                              "names pulumi, not a render target"),
])
def test_a_broken_list_is_named_where_it_is_broken(repo: Path, content: str, expected: str) -> None:
    (repo / NOT_MAPPED).write_text(content)
    assert any(failure.startswith(expected) for failure in field_flow(repo)), field_flow(repo)


def test_a_property_vending_cannot_vary_must_get_an_example_or_be_listed(repo: Path) -> None:
    release(repo, "2.1.0", newest_plus("code", {"type": "string", "pattern": "^[A-Z]{3}$"}))
    assert field_flow(repo) == [
        f"/code: cannot tell whether it reaches {target}: no value vending tries for it is accepted; give it "
        "`examples` in the 2.1.0 schema, or list it in interface/request/not-mapped.json with the reason"
        for target in TARGETS]
    release(repo, "2.1.0", newest_plus("code", {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["ABC"]}))
    assert [f.split(":")[0] for f in field_flow(repo)] == ["/code does not reach terraform",
                                                           "/code does not reach crossplane"]


def test_the_sample_must_fit_the_newest_schema(repo: Path) -> None:
    release(repo, "3.0.0", newest_plus("costCode", {"type": "string"}, required=True))
    [failure] = field_flow(repo)
    assert failure.startswith("the sample request of vending.release.field_flow.SAMPLE is refused under 3.0.0: "
                              "/costCode: missing required property 'costCode'")
    assert failure.endswith("update SAMPLE for this release")
    assert "costCode" not in SAMPLE


def test_without_a_vending_yaml_the_default_configuration_renders(repo: Path) -> None:
    assert not (repo / "vending.yaml").exists()
    series = read_series(repo)
    assert series.config is not None and series.config[0].endswith("default-config.yaml")
    assert check_field_flow(series) == []


@pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "tests/golden").iterdir() if p.is_dir()))
def test_the_flow_holds_under_each_golden_configuration(case: str) -> None:
    """Other modes (legacy claims), hubs and deletion policies render the same properties."""
    newest = schemas.latest()
    flow = trace(schemas.schema_for(newest.name), newest, load_config(ROOT / "tests/golden" / case))
    listed = json.loads((ROOT / NOT_MAPPED).read_text())
    assert judge(flow, listed) == []
