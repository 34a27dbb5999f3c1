"""The committed roots against the AVM module itself: every golden root and the repository's own
`generated/` go through the module stub with real `terraform apply`, and what the module would send
is compared with the request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vending.config import load_config
from vending.fleet import load_fleet
from vending.records import addressed, read_record
from vending.render import terraform

from ..avm_stub import apply_calls, mismatches, module_call, stub_missing_reason
from ..conftest import ROOT

pytestmark = pytest.mark.skipif(stub_missing_reason() is not None, reason=stub_missing_reason() or "")

REPOSITORIES = [ROOT, *sorted(p for p in (ROOT / "tests" / "golden").iterdir() if p.is_dir())]


@pytest.mark.slow
def test_every_committed_root_is_accepted_by_the_module_and_sends_the_request(tmp_path: Path) -> None:
    calls, expected = {}, {}
    for repo in REPOSITORIES:
        config = load_config(repo)
        for accepted in load_fleet(repo):
            # As rendered: a prefix asked for by size is the one its record holds.
            request = addressed(accepted, read_record(repo, accepted.request.name)).request
            root_json = repo / terraform.root_dir(request.name, request.workload, config) / "main.tf.json"
            document = json.loads(root_json.read_text(encoding="utf-8"))
            if "module" not in document:
                assert document["removed"][0]["from"] == f"module.{terraform.MODULE_NAME}"
                continue
            key = f"{repo.name}--{request.name}"
            calls[key] = module_call(document)
            expected[key] = (request, config)
    assert len(calls) >= 8, "the golden cases and the repository's own requests"
    applied = apply_calls(calls, tmp_path)
    assert applied.ok, f"the module refuses {applied.offender}:\n{applied.error}"
    wrong = [line for key, (request, config) in expected.items()
             for line in mismatches(request, config, applied.bodies[key])]
    assert wrong == []
