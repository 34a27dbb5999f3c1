"""The pipeline template and the Crossplane definition agree with the schema they derive from,
and the pipeline's parameters follow semver across releases."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from vending.release.derived import check_definition, check_pipeline_parameters
from vending.release.repository import read_series

from ..conftest import ROOT
from .conftest import release


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "interface", tmp_path / "interface")
    return tmp_path


def test_the_real_interfaces_agree(repo: Path) -> None:
    series = read_series(repo)
    assert check_pipeline_parameters(series) == []
    assert check_definition(series) == []


def test_a_stale_template_is_caught(repo: Path) -> None:
    template = repo / "interface/pipelines/vend-subscription.yml"
    document = yaml.safe_load(template.read_text())
    document["parameters"] = [p for p in document["parameters"] if p["name"] != "ticket"]
    template.write_text(yaml.safe_dump(document))
    (failure,) = check_pipeline_parameters(read_series(repo))
    assert "does not declare the parameters request schema 2.1.0 derives" in failure


def test_a_stale_definition_is_caught(repo: Path) -> None:
    path = repo / "interface/crossplane/definition.yaml"
    document = yaml.safe_load(path.read_text())
    document["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].pop("ticket")
    document["spec"]["versions"].append({"name": "v1", "schema": {"openAPIV3Schema": {}}})
    path.write_text(yaml.safe_dump(document))
    failures = check_definition(read_series(repo))
    assert any("version v2 does not match request schema 2.1.0" in f for f in failures)
    assert any("serves v1, but only v2 (the newest request schema major) can be stored safely" in f
               for f in failures)


def test_a_parameter_change_needs_its_bump(repo: Path) -> None:
    newest: dict[str, Any] = json.loads((repo / "interface/request/2.1.0.schema.json").read_text())
    patched = copy.deepcopy(newest)
    patched["$id"] = "urn:vending:request:2.1.1"
    patched["properties"]["workload"]["enum"].append("Sandbox")  # values widened: a minor change
    release(repo, "2.1.1", patched)
    failure, stale = check_pipeline_parameters(read_series(repo))
    assert "the pipeline parameters 2.1.1 derives change as a minor over 2.1.0's, but 2.1.1 is a patch" in failure
    assert '"workload"' in failure
    assert "does not declare the parameters request schema 2.1.1 derives" in stale
