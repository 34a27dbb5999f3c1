"""Releasing a 2.2.0 with a new optional field, following the README's "Add a schema version", in a copy
of this repository (its code and its interface: the copy's `vending` runs, so it knows the new release),
then vending a request that uses the field through `render` and `apply` onto a real bare trunk."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, VENDED_ON
from ..gitops.conftest import GIT_ENV, git

pytestmark = pytest.mark.slow

NEW_FIELD = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "description": "What the subscription is for, in a sentence.",
    "examples": ["Card payments processing"],
}


def run(cwd: Path, copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The copy's own `vending` (its code, and so its interface/), in a process of its own."""
    return subprocess.run([sys.executable, "-m", "vending", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120,
                          env={**os.environ, **GIT_ENV, "PYTHONPATH": str(copy),
                               "VENDING_TODAY": VENDED_ON.isoformat()})


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    target = tmp_path / "vending-repo"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".git", ".venv", "tests", "benchmarks", "__pycache__", ".*_cache", "*.egg-info", "dist", "build"))
    where = subprocess.run([sys.executable, "-c", "import vending.schemas as s; print(s.interface_root())"],
                           cwd=target, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(target)})
    assert where.stdout.strip() == str(target / "interface"), "the copy's code and interface must be the ones run"
    return target


def release_2_2_0(copy: Path) -> None:
    """Steps 1-3 and 7 of the README: edit a copy of the newest schema, bump, release the file, CHANGELOG."""
    schema = json.loads((copy / "interface/request/2.1.0.schema.json").read_text())
    schema["$id"] = "urn:vending:request:2.2.0"
    schema["title"] = "Subscription request 2.2.0"
    schema["properties"]["purpose"] = NEW_FIELD
    candidate = copy.parent / "next.schema.json"
    candidate.write_text(json.dumps(schema, indent=2) + "\n")

    bumped = run(copy, copy, "schema", "bump", str(candidate))
    assert bumped.returncode == 0, bumped.stderr
    assert "proposed version: 2.2.0, a minor release over 2.1.0" in bumped.stderr
    section = bumped.stdout
    assert section.startswith("## 2.2.0\n") and "`/properties/purpose`" in section

    released = copy / "interface/request/2.2.0.schema.json"
    shutil.copy(candidate, released)
    lock_path = copy / "interface/request/releases.json"
    lock = json.loads(lock_path.read_text())
    lock["releases"]["2.2.0"] = {"sha256": hashlib.sha256(released.read_bytes()).hexdigest(), "status": "supported"}
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")
    changelog = copy / "CHANGELOG.md"
    text = changelog.read_text()
    first = re.search(r"^## ", text, flags=re.MULTILINE)
    assert first is not None
    changelog.write_text(text[: first.start()] + section + "\n" + text[first.start():])


def test_a_new_optional_field_fails_the_check_until_listed_then_is_vended(copy: Path, tmp_path: Path) -> None:
    release_2_2_0(copy)
    derived = run(copy, copy, "render", "--all")  # step 8: the pipeline template and XRD derive the field
    assert derived.returncode == 0, derived.stderr
    assert "name: purpose" in (copy / "interface/pipelines/vend-subscription.yml").read_text()
    assert "purpose:" in (copy / "interface/crossplane/definition.yaml").read_text()

    # Step 9 while the field is neither mapped (model, targets) nor listed: the check names it per target.
    unlisted = run(copy, copy, "schema", "check")
    assert unlisted.returncode == 1, unlisted.stdout
    errors = [line for line in unlisted.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"schema check: error: field flow: /purpose does not reach {target}: no value of it changes what {target} "
        f"renders; map it (vending/model.py and vending/render/) or list it under {target} in "
        "interface/request/not-mapped.json with the reason" for target in ("terraform", "crossplane")]
    assert "2.2.0: a minor release over 2.1.0; its changes need a minor" in unlisted.stdout

    # Step 6, the second way: listed as deliberately not mapped, with the reason.
    not_mapped = copy / "interface/request/not-mapped.json"
    listed = json.loads(not_mapped.read_text())
    reason = "a note for the platform team's records: nothing is created from it"
    listed["/purpose"] = {"terraform": reason, "crossplane": reason}
    not_mapped.write_text(json.dumps(listed, indent=2) + "\n")
    checked = run(copy, copy, "schema", "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1].startswith("schema check: 5 releases bumped as their changes need")
    assert run(copy, copy, "check").returncode == 0  # step 10

    # A request pinning 2.2.0 that uses the field: accepted, and refused under 2.1.0 with a hint.
    request = {"schemaVersion": "2.2.0", "name": "purposeful", "displayName": "Purposeful", "workload": "DevTest",
               "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
               "managementGroup": "corp", "location": "uksouth", "requestedBy": "dana@contoso.com",
               "purpose": "Card payments processing"}
    too_early = copy.parent / "too-early.json"
    too_early.write_text(json.dumps({**request, "schemaVersion": "2.1.0"}))
    refused = run(copy, copy, "validate", str(too_early))
    assert refused.returncode == 1
    assert "it was added in 2.2.0; pin schemaVersion \"2.2\" to use it" in refused.stderr + refused.stdout

    stored = copy / "requests/purposeful.json"
    stored.write_text(json.dumps(request, indent=2) + "\n")
    rendered = run(copy, copy, "render", "requests/purposeful.json")
    assert rendered.returncode == 0, rendered.stderr
    assert (copy / "generated/terraform/nonproduction/purposeful/main.tf.json").is_file()
    assert (copy / "generated/crossplane/nonproduction/purposeful.yaml").is_file()
    assert run(copy, copy, "check").returncode == 0
    assert run(copy, copy, "schema", "check").returncode == 0, "a stored request may pin the new release"

    # apply onto a real bare trunk started with the copy's configuration and platform files.
    bare = tmp_path / "trunk.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed))
    shutil.copy(copy / "vending.yaml", seed / "vending.yaml")
    started = run(seed, copy, "render", "--all")
    assert started.returncode == 0, started.stderr
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "Start the GitOps repository")
    git(seed, "push", "--quiet", "origin", "main")
    agent = tmp_path / "agent"
    git(tmp_path, "clone", "--quiet", str(bare), str(agent))
    git(agent, "checkout", "--quiet", "--detach", "origin/main")
    submitted = tmp_path / "purposeful.json"
    submitted.write_text(json.dumps(request, indent=2) + "\n")
    applied = run(agent, copy, "apply", str(submitted), "--output", "json")
    assert applied.returncode == 0, applied.stderr
    outcome = json.loads(applied.stdout)
    assert (outcome["subscription"], outcome["action"]) == ("purposeful", "create")
    assert git(bare, "rev-parse", "main").strip() == outcome["commit"]
    trailers = git(bare, "log", "-1", "--format=%(trailers:only,unfold)", "main")
    for line in ("Vending-Schema-Pinned: 2.2.0", "Vending-Schema-Resolved: 2.2.0", "Vending-Schema-Model: 2.2.0"):
        assert line in trailers
    assert json.loads(git(bare, "show", "main:requests/purposeful.json"))["purpose"] == "Card payments processing"
    assert git(bare, "show", "main:generated/terraform/nonproduction/purposeful/main.tf.json") == \
        (copy / "generated/terraform/nonproduction/purposeful/main.tf.json").read_text(), \
        "apply renders what render does"
