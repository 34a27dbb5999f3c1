"""Finding 1: a stored request is read one way everywhere (by its suffix), and a guard that cannot
read the previous state refuses instead of passing."""

from __future__ import annotations

import json
from pathlib import Path

from ..gitops.conftest import Clone, git, vending


def _request(name: str, workload: str, **fields: object) -> dict[str, object]:
    return {"schemaVersion": "2.0.0", "name": name, "displayName": f"App {name}", "workload": workload,
            "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
            "managementGroup": "corp", "location": "uksouth", "requestedBy": "eve@contoso.com", **fields}


def _json_text_with_a_number_ticket(doc: dict[str, object]) -> str:
    """JSON whose ticket is `1e5`: the string "1e5" read as YAML (valid), a number read as JSON (invalid)."""
    return json.dumps({**doc, "ticket": "@@"}, indent=2).replace('"@@"', "1e5") + "\n"


def _files(repo: Path, ref: str = "main") -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", ref).split())


def test_a_production_request_stored_as_json_in_yaml_cannot_move_to_devtest(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    first = tmp_path / "ledger-prod.yaml"
    first.write_text(_json_text_with_a_number_ticket(_request("ledger-prod", "Production")))
    created = vending(work, "apply", str(first))
    assert created.returncode == 0, created.stderr
    assert "requests/ledger-prod.yaml" in _files(trunk)
    before = git(trunk, "rev-parse", "main")

    move = tmp_path / "ledger-prod.json"
    move.write_text(json.dumps(_request("ledger-prod", "DevTest")))
    moved = vending(work, "apply", str(move))
    assert moved.returncode == 1, moved.stdout + moved.stderr
    assert "is a Production subscription; its workload cannot change" in moved.stderr
    assert git(trunk, "rev-parse", "main") == before, "nothing landed"
    assert not any("nonproduction" in path for path in _files(trunk))


def test_a_decommissioned_name_stored_as_json_in_yaml_is_never_reused(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    work = clone()
    stored = tmp_path / "ledger-dev.yaml"
    stored.write_text(_json_text_with_a_number_ticket(_request("ledger-dev", "DevTest")))
    assert vending(work, "apply", str(stored)).returncode == 0
    stored.write_text(_json_text_with_a_number_ticket(_request("ledger-dev", "DevTest", state="absent")))
    gone = vending(work, "apply", str(stored))
    assert gone.returncode == 0, gone.stderr
    assert "state" in git(trunk, "show", "main:requests/ledger-dev.yaml")
    before = git(trunk, "rev-parse", "main")

    again = tmp_path / "ledger-dev.json"
    again.write_text(json.dumps(_request("ledger-dev", "DevTest")))
    reused = vending(work, "apply", str(again))
    assert reused.returncode == 1, reused.stdout + reused.stderr
    assert "was decommissioned; subscription names are never reused" in reused.stderr
    assert git(trunk, "rev-parse", "main") == before
    assert "requests/ledger-dev.json" not in _files(trunk)


def test_a_stored_request_vending_cannot_read_is_refused_not_skipped(
        clone: Clone, trunk: Path, tmp_path: Path) -> None:
    seed = clone()
    broken = _request("ledger-bad", "Production")
    (seed / "requests").mkdir(exist_ok=True)
    (seed / "requests" / "ledger-bad.json").write_text(_json_text_with_a_number_ticket(broken))
    git(seed, "add", "requests")
    git(seed, "commit", "--quiet", "-m", "a stored request only YAML could read")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    before = git(trunk, "rev-parse", "main")

    work = clone()
    replacement = tmp_path / "ledger-bad.yaml"
    replacement.write_text(json.dumps(_request("ledger-bad", "DevTest")))
    result = vending(work, "apply", str(replacement))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the stored request requests/ledger-bad.json on trunk" in result.stderr
    assert "cannot be read" in result.stderr and "nothing is vended" in result.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_check_and_validate_read_a_stored_request_by_its_suffix(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    stored = tmp_path / "ledger-ok.yaml"
    stored.write_text(_json_text_with_a_number_ticket(_request("ledger-ok", "DevTest")))
    assert vending(work, "apply", str(stored)).returncode == 0
    check = vending(work, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    validated = vending(work, "validate", "requests")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "requests/ledger-ok.yaml: valid" in validated.stdout


def test_a_stored_request_that_is_a_link_on_trunk_is_refused(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    seed = clone()
    (seed / "requests").mkdir(exist_ok=True)
    (seed / "requests" / "ledger-link.yaml").symlink_to("/etc/passwd")
    git(seed, "add", "requests")
    git(seed, "commit", "--quiet", "-m", "a stored request that is a link")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    before = git(trunk, "rev-parse", "main")
    request = tmp_path / "ledger-link.json"
    request.write_text(json.dumps(_request("ledger-link", "DevTest")))
    result = vending(clone(), "apply", str(request))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "requests/ledger-link.yaml on trunk is not a plain file (mode 120000)" in result.stderr
    assert "root:" not in result.stdout + result.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_a_request_stored_twice_on_trunk_is_refused(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    seed = clone()
    (seed / "requests").mkdir(exist_ok=True)
    doc = json.dumps(_request("ledger-twice", "DevTest"))
    (seed / "requests" / "ledger-twice.json").write_text(doc)
    (seed / "requests" / "ledger-twice.yaml").write_text(doc)
    git(seed, "add", "requests")
    git(seed, "commit", "--quiet", "-m", "the same subscription stored twice")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    request = tmp_path / "ledger-twice.json"
    request.write_text(doc)
    result = vending(clone(), "apply", str(request))
    assert result.returncode == 1
    assert "trunk stores the request of ledger-twice more than once" in result.stderr
