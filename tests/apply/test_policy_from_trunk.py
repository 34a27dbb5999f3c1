"""apply reads the Rego policy and the fleet index at trunk's tip, like vending.yaml: never the clone's
working tree, which an agent's checkout or a local edit may have changed."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ..gitops.conftest import Clone, git, request_file, vending

DENY_SANDBOX = """\
    package main

    deny contains {"msg": "sandbox is retired", "field": "/managementGroup"} if {
        input.managementGroup == "sandbox"
    }
"""
PERMISSIVE = "package main\n"
ONE_PER_OWNER = """\
    package main

    deny contains {"msg": sprintf("%s already owns %s", [input.requestedBy, name]), "field": "/requestedBy"} if {
        some name, other in data.vending.fleet.subscriptions
        name != input.name
        other.requestedBy == input.requestedBy
    }
"""


def push_policy(clone: Clone, text: str) -> None:
    """Put policy/main.rego on trunk as the platform team would (a reviewed commit)."""
    seed = clone()
    (seed / "policy").mkdir(exist_ok=True)
    (seed / "policy" / "main.rego").write_text(textwrap.dedent(text))
    git(seed, "add", "policy")
    git(seed, "commit", "--quiet", "-m", "policy")
    git(seed, "push", "--quiet", "origin", "main")


def test_a_permissive_working_tree_does_not_weaken_trunks_policy(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    push_policy(clone, DENY_SANDBOX)
    work = clone()
    (work / "policy" / "main.rego").write_text(PERMISSIVE)  # edited in the checkout, not on trunk
    before = git(trunk, "rev-parse", "main")
    request = request_file(tmp_path, "sandboxed-dev", managementGroup="sandbox")
    result = vending(work, "apply", str(request))
    assert result.returncode == 1, result.stderr
    assert f"{request}:" in result.stderr and "error: /managementGroup: sandbox is retired (data.main.deny)" \
        in result.stderr
    assert git(trunk, "rev-parse", "main") == before, "nothing committed"


def test_a_denying_working_tree_does_not_stop_what_trunk_allows(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    (work / "policy").mkdir()
    (work / "policy" / "main.rego").write_text(textwrap.dedent(DENY_SANDBOX))
    result = vending(work, "apply", str(request_file(tmp_path, "sandboxed-dev", managementGroup="sandbox")))
    assert result.returncode == 0, result.stderr


def test_the_fleet_facts_are_trunks_index_updated_by_each_vend(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    push_policy(clone, ONE_PER_OWNER)
    work = clone()
    first = request_file(tmp_path, "first-dev", requestedBy="dana@contoso.com")
    assert vending(work, "apply", str(first)).returncode == 0
    index = json.loads(git(trunk, "show", "main:records/_fleet.json"))
    assert index["subscriptions"]["first-dev"] == {
        "workload": "DevTest", "managementGroup": "corp", "location": "uksouth", "requestedBy": "dana@contoso.com",
        "addressSpace": [], "state": "present"}, "committed with the vend that changed it"

    other = clone()  # another agent, whose working tree has no index entry for first-dev until it pulls
    second = request_file(tmp_path, "second-dev", requestedBy="dana@contoso.com")
    refused = vending(other, "apply", str(second))
    assert refused.returncode == 1
    assert "error: /requestedBy: dana@contoso.com already owns first-dev (data.main.deny)" in refused.stderr

    checked = vending(work, "check")
    assert checked.returncode == 0, "the index apply commits is the one render --all derives: " + checked.stderr


def test_decommission_updates_the_index(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(request_file(tmp_path, "gone-dev"))).returncode == 0
    result = vending(work, "decommission", "gone-dev", "--confirm", "gone-dev", "--requested-by", "bob@contoso.com")
    assert result.returncode == 0, result.stderr
    index = json.loads(git(trunk, "show", "main:records/_fleet.json"))
    assert index["subscriptions"]["gone-dev"]["state"] == "absent"
    assert vending(work, "check").returncode == 0


def test_a_hand_edit_of_the_index_is_caught_by_check(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    assert vending(work, "apply", str(request_file(tmp_path, "edited-dev"))).returncode == 0
    index = work / "records" / "_fleet.json"
    index.write_text(index.read_text().replace('"corp"', '"sandbox"'))
    checked = vending(work, "check")
    assert checked.returncode == 1
    assert "records/_fleet.json" in checked.stdout + checked.stderr


def test_a_trunk_without_the_index_is_refused_until_render_all_writes_it(clone: Clone, trunk: Path,
                                                                         tmp_path: Path) -> None:
    """Apply never scans the fleet, so it cannot build the index itself: a partial one would hide subscriptions
    from the policies."""
    old = clone()
    git(old, "rm", "--quiet", "records/_fleet.json")
    git(old, "commit", "--quiet", "-m", "a trunk from before the index")
    git(old, "push", "--quiet", "origin", "main")
    before = git(trunk, "rev-parse", "main")
    refused = vending(old, "apply", str(request_file(tmp_path, "early-dev")))
    assert refused.returncode == 1
    assert "has no records/_fleet.json" in refused.stderr and "run vending render --all" in refused.stderr
    assert git(trunk, "rev-parse", "main") == before
    assert vending(old, "render", "--all").returncode == 0
    git(old, "add", "records")
    git(old, "commit", "--quiet", "-m", "the fleet index")
    git(old, "push", "--quiet", "origin", "main")
    assert vending(old, "apply", str(request_file(tmp_path, "early-dev"))).returncode == 0
