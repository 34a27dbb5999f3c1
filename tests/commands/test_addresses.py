"""Address management through the CLI: the fleet invariant in render and check, allocation by size
recorded on the day a request is vended and stable after it, the index render writes and check proves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import RunCli


def request(name: str, *space: Any, workload: str = "DevTest", location: str = "uksouth",
            schema: str = "2.1") -> dict[str, Any]:
    return {"schemaVersion": schema, "name": name, "displayName": name, "workload": workload,
            "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
            "managementGroup": "corp", "location": location, "requestedBy": "a@contoso.com",
            "network": {"addressSpace": list(space)}}


def store(repo: Path, doc: dict[str, Any]) -> Path:
    """The request as a stored file, one property per line so each value has its own line."""
    path = repo / "requests" / f"{doc['name']}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def rendered(run_cli: RunCli, gitops_repo: Path) -> Path:
    """The example repository with its generated files and its index (`render --all`)."""
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    return gitops_repo


def index(repo: Path) -> dict[str, str]:
    loaded: dict[str, str] = json.loads((repo / "generated/addresses.json").read_text())
    return loaded


def test_render_all_writes_the_index_in_address_order(rendered: Path) -> None:
    assert index(rendered) == {"10.20.0.0/24": "payments-prod", "10.30.0.0/26": "analytics-dev",
                               "10.40.0.0/23": "risk-models-prod"}


@pytest.mark.parametrize(("prefix", "holder"), [
    ("10.40.1.0/24", "10.40.0.0/23 of subscription 'risk-models-prod'"),
    ("10.0.5.0/24", "10.0.0.0/16 of the hub network in uksouth (network.hubs.uksouth.addressPrefixes in vending.yaml)"),
    ("192.168.7.0/24", "the reserved range 192.168.0.0/16 (network.reserved in vending.yaml)"),
])
def test_an_overlap_is_refused_at_the_prefix_naming_who_holds_it(run_cli: RunCli, rendered: Path, prefix: str,
                                                                  holder: str) -> None:
    before = tree(rendered)
    path = store(rendered, request("clash-dev", "10.99.0.0/24", prefix))
    line = path.read_text().splitlines().index(f'      "{prefix}"') + 1
    for args in (("render", str(path)), ("render", "--all"), ("check",)):
        result = run_cli(*args, "--repo", str(rendered))
        assert result.code == 1, args
        assert f"requests/clash-dev.json:{line}:7: error: /network/addressSpace/1: {prefix} overlaps {holder}" \
            in result.err, (args, result.err)
        assert "Traceback" not in result.err
    path.unlink()
    assert tree(rendered) == before, "nothing written"


def test_two_stored_requests_that_overlap_are_both_named(run_cli: RunCli, rendered: Path) -> None:
    line = line_of(store(rendered, request("first-dev", "10.77.0.0/16")), "10.77.")
    store(rendered, request("second-dev", "10.77.128.0/24"))
    result = run_cli("render", "--all", "--repo", str(rendered))
    assert result.code == 1
    assert f"requests/first-dev.json:{line}:7: error: /network/addressSpace/0: 10.77.0.0/16 overlaps " \
        "10.77.128.0/24 of subscription 'second-dev'" in result.err
    assert f"requests/second-dev.json:{line}:7: error: /network/addressSpace/0: 10.77.128.0/24 overlaps " \
        "10.77.0.0/16 of subscription 'first-dev'" in result.err
    assert not (rendered / "generated/terraform/nonproduction/first-dev").exists()


def test_allocation_is_first_free_recorded_and_stable(run_cli: RunCli, rendered: Path) -> None:
    first = store(rendered, request("alloc-one-dev", {"size": 24}, "10.200.0.0/24"))
    result = run_cli("render", str(first), "--repo", str(rendered))
    assert result.code == 0, result.err
    record = json.loads((rendered / "records/alloc-one-dev.json").read_text())
    assert record["allocatedPrefixes"] == ["10.200.1.0/24"]  # the pool's first /24 is its own literal prefix
    root = json.loads((rendered / "generated/terraform/nonproduction/alloc-one-dev/main.tf.json").read_text())
    spoke = root["module"]["subscription"]["virtual_networks"]["primary"]
    assert spoke["address_space"] == ["10.200.1.0/24", "10.200.0.0/24"]
    composite = (rendered / "generated/crossplane/nonproduction/alloc-one-dev.yaml").read_text()
    assert '    - "10.200.1.0/24"\n    - "10.200.0.0/24"\n' in composite
    assert index(rendered)["10.200.1.0/24"] == "alloc-one-dev"

    second = store(rendered, request("alloc-two-dev", {"size": 25}, {"size": 23}))
    assert run_cli("render", str(second), "--repo", str(rendered)).code == 0
    assert json.loads((rendered / "records/alloc-two-dev.json").read_text())["allocatedPrefixes"] == \
        ["10.200.2.0/25", "10.200.4.0/23"]

    settled = tree(rendered)
    assert run_cli("render", "--all", "--repo", str(rendered)).out.strip() == "nothing to change"
    assert run_cli("check", "--repo", str(rendered)).code == 0
    again = run_cli("render", str(first), str(second), "--repo", str(rendered), env={"VENDING_TODAY": "2027-03-03"})
    assert again.code == 0 and again.out.strip() == "nothing to change", again.out
    assert tree(rendered) == settled


def test_a_request_rendered_together_never_shares_a_prefix(run_cli: RunCli, rendered: Path) -> None:
    paths = [str(store(rendered, request(f"batch-{n}-dev", {"size": 24}))) for n in range(3)]
    assert run_cli("render", *paths, "--repo", str(rendered)).code == 0
    assert [p for p, owner in index(rendered).items() if owner.startswith("batch-")] == \
        ["10.200.0.0/24", "10.200.1.0/24", "10.200.2.0/24"]


def test_a_changed_size_releases_the_old_prefix_and_allocates_anew(run_cli: RunCli, rendered: Path) -> None:
    path = store(rendered, request("resize-dev", {"size": 24}))
    assert run_cli("render", str(path), "--repo", str(rendered)).code == 0
    store(rendered, request("resize-dev", {"size": 22}))
    assert run_cli("render", "--all", "--repo", str(rendered)).code == 1  # not recorded: never guessed
    assert run_cli("render", str(path), "--repo", str(rendered)).code == 0
    assert json.loads((rendered / "records/resize-dev.json").read_text())["allocatedPrefixes"] == ["10.200.0.0/22"]
    assert "10.200.0.0/24" not in index(rendered)


def test_exhausted_pools_fail_at_the_size_asked_for(run_cli: RunCli, rendered: Path) -> None:
    config = rendered / "vending.yaml"
    config.write_text(config.read_text().replace('DevTest: ["10.200.0.0/16"]', 'DevTest: ["10.200.0.0/24"]'))
    before = tree(rendered)
    path = store(rendered, request("hungry-dev", "10.99.0.0/24", {"size": 25}, {"size": 24}))
    result = run_cli("render", str(path), "--repo", str(rendered))
    assert result.code == 1
    line = line_of(path, '"size": 24') - 1  # the object's opening brace
    assert f"requests/hungry-dev.json:{line}:7: error: /network/addressSpace/2: no free /24 is left in the pools for " \
        "DevTest in uksouth (network.pools.uksouth.DevTest in vending.yaml: 10.200.0.0/24)" in result.err
    path.unlink()
    assert tree(rendered) == before


def test_render_all_and_check_need_the_recorded_prefix(run_cli: RunCli, rendered: Path) -> None:
    line = line_of(store(rendered, request("unrecorded-dev", {"size": 24})), "size") - 1  # the object's brace
    for command in ("render", "check"):
        result = run_cli(command, *(["--all"] if command == "render" else []), "--repo", str(rendered))
        assert result.code == 1
        assert f"requests/unrecorded-dev.json:{line}:7: error: /network/addressSpace/0: no /24 is recorded for this " \
            "{size: 24} in records/unrecorded-dev.json" in result.err


def test_check_detects_a_hand_edited_index(run_cli: RunCli, rendered: Path) -> None:
    edited = (rendered / "generated/addresses.json")
    edited.write_text(edited.read_text().replace('"payments-prod"', '"someone-else"'))
    result = run_cli("check", "--repo", str(rendered))
    assert result.code == 1
    assert '-  "10.20.0.0/24": "someone-else",\n+  "10.20.0.0/24": "payments-prod",' in result.out
    assert run_cli("render", "--all", "--repo", str(rendered)).code == 0
    assert run_cli("check", "--repo", str(rendered)).code == 0


def test_a_2_0_request_cannot_ask_by_size_and_renders_as_before(run_cli: RunCli, rendered: Path) -> None:
    path = store(rendered, request("pinned-dev", {"size": 24}, schema="2.0.0"))
    result = run_cli("validate", str(path))
    assert result.code == 1
    line = line_of(path, "size") - 1
    assert f"pinned-dev.json:{line}:7: error: /network/addressSpace/0: expected string, found a mapping" in result.err
    written = store(rendered, request("pinned-dev", "10.99.0.0/24", schema="2.0.0"))
    assert run_cli("render", str(written), "--repo", str(rendered)).code == 0
    assert not (rendered / "records/pinned-dev.json").exists(), "nothing to record"
    root = json.loads((rendered / "generated/terraform/nonproduction/pinned-dev/main.tf.json").read_text())
    assert root["module"]["subscription"]["virtual_networks"]["primary"]["address_space"] == ["10.99.0.0/24"]


@pytest.mark.parametrize(("edit", "where", "message"), [
    ('reserved: ["192.168.0.0/16"]', "/network/reserved/0", "192.168.0.1/16 has host bits set; did you mean "
     "192.168.0.0/16?"),
    ('DevTest: ["10.200.0.0/16"]', "/network/pools/uksouth/DevTest/0", "the pool 192.168.0.0/24 overlaps "
     "192.168.0.0/16 at /network/reserved/0"),
    ('DevTest: ["10.210.0.0/16"]', "/network/pools/northeurope/DevTest/0", "fd00::/64 is IPv6: pools hold IPv4"),
])
def test_bad_address_settings_are_configuration_errors(run_cli: RunCli, rendered: Path, edit: str, where: str,
                                                        message: str) -> None:
    replacement = {"/network/reserved/0": 'reserved: ["192.168.0.1/16"]',
                   "/network/pools/uksouth/DevTest/0": 'DevTest: ["192.168.0.0/24"]',
                   "/network/pools/northeurope/DevTest/0": 'DevTest: ["fd00::/64"]'}[where]
    config = rendered / "vending.yaml"
    config.write_text(config.read_text().replace(edit, replacement, 1))
    result = run_cli("check", "--repo", str(rendered))
    assert result.code == 2
    assert "vending.yaml:" in result.err and f": error: {where}: {message}" in result.err


def test_a_decommissioned_subscription_keeps_its_prefixes(run_cli: RunCli, rendered: Path) -> None:
    path = store(rendered, request("leaving-dev", {"size": 24}, "10.99.0.0/24"))
    assert run_cli("render", str(path), "--repo", str(rendered)).code == 0
    store(rendered, {**request("leaving-dev", {"size": 24}, "10.99.0.0/24"), "state": "absent"})
    for args in (("render", str(path)), ("render", "--all")):
        assert run_cli(*args, "--repo", str(rendered)).code == 0
        held = {prefix for prefix, owner in index(rendered).items() if owner == "leaving-dev"}
        assert held == {"10.200.0.0/24", "10.99.0.0/24"}, "its network may remain in Azure (deletionPolicy orphan)"
    assert run_cli("check", "--repo", str(rendered)).code == 0
