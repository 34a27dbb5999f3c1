"""The one desired-state function: what the fleet, or a few subscriptions, want in the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vending.config import load_config
from vending.desired import Subscription, desired, for_fleet, for_requests
from vending.errors import FleetInvalid
from vending.fleet import load_fleet
from vending.fleet_index import FLEET_INDEX, index_bytes
from vending.plan import WorkingTree, make_plan
from vending.records import dated, read_record

from .conftest import ROOT, VENDED_ON

GOLDEN = ROOT / "tests" / "golden" / "default"


def test_the_fleet_wants_exactly_the_committed_generated_tree() -> None:
    config = load_config(GOLDEN)
    fleet = for_fleet(config, list(config.targets))
    assert not make_plan(fleet, WorkingTree(GOLDEN))
    assert "generated/terraform/" in fleet.scope and "CODEOWNERS" in fleet.scope
    resolved = [dated(a, read_record(GOLDEN, a.request.name), config).request for a in load_fleet(GOLDEN)]
    assert fleet.files[FLEET_INDEX] == index_bytes(resolved), "derived like generated/, with allocated prefixes"
    assert not any(path.startswith(("records/", "requests/")) for path in [*fleet.files, *fleet.scope]
                   if path != FLEET_INDEX), "records and requests are inputs of a fleet render"


def test_one_subscription_owns_its_own_paths_and_renders_as_in_the_fleet() -> None:
    config = load_config(GOLDEN)
    targets = list(config.targets)
    accepted = next(a for a in load_fleet(GOLDEN) if a.request.name == "payments-prod")
    subscription = Subscription(accepted=accepted, record=read_record(GOLDEN, "payments-prod"),
                                source=accepted.path, stored=b"stored as submitted\n")
    one = desired([subscription], config, ["terraform"], fleet=False, owned_targets=targets)
    fleet = for_fleet(config, targets)
    generated = {path: content for path, content in one.files.items() if path.startswith("generated/")}
    assert generated == {path: fleet.files[path] for path in generated}, "the same bytes as render --all"
    # The golden repository has cd.flux: the root's tofu-controller object goes with it.
    assert sorted(one.files) == ["generated/flux/production/payments-prod.yaml",
                                 "generated/terraform/production/payments-prod/main.tf.json",
                                 "records/payments-prod.json", "requests/payments-prod.yaml"]
    assert one.files["requests/payments-prod.yaml"] == b"stored as submitted\n"
    assert "generated/crossplane/production/payments-prod.yaml" in one.scope, \
        "files of a target it no longer renders are its own, and removed"
    assert {"requests/payments-prod.json", "requests/payments-prod.yml"} <= set(one.scope)
    assert not any("analytics-dev" in path for path in one.scope)


def test_every_failure_is_listed_reading_failures_first(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(GOLDEN, repo)
    config = load_config(repo)
    peered = (repo / "requests" / "payments-prod.yaml").read_text()
    assert "hubPeering: true" in peered
    (tmp_path / "no-hub.yaml").write_text(peered.replace("location: uksouth", "location: westus"))
    (tmp_path / "broken.yaml").write_text("schemaVersion: '2.0'\nname: [\n")
    with pytest.raises(FleetInvalid) as raised:
        for_requests([str(tmp_path / "no-hub.yaml"), str(tmp_path / "broken.yaml")], config,
                     list(config.targets), VENDED_ON)
    assert [failure.path for failure in raised.value.failures] == [str(tmp_path / "broken.yaml"),
                                                                  str(tmp_path / "no-hub.yaml")]
    assert "no hub network there" in raised.value.failures[1].problems[0].message
