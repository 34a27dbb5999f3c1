"""Issue 15 item 5: a stored request re-sent unchanged through the pipeline is a no-op.

`vending trigger` sends the request upgraded to the newest schema; the template hands the parameters to
`vending request from-pipeline`, which writes a 2.0.0 JSON request; `vending apply` of that file must keep
the stored `.yaml` (its pin, comments and bytes) instead of replacing it.
"""

from __future__ import annotations

import json
from pathlib import Path

from vending import schemas
from vending.azdo.parameters import parameters_from_request
from vending.azdo.template import render_consumer_example, render_pipeline_template
from vending.intake import accept_file
from vending.upgrade import upgrade

from ..azdo.pipelines import compile_run
from ..gitops.conftest import Clone, example, git, vending

READ_STEP = "Read the request from the parameters"


def pipeline_environment(request: Path) -> dict[str, str]:
    """The environment of the template's step that runs `request from-pipeline`, for a run `vending trigger`
    queued with `request` (the same upgrade and parameters as the command)."""
    accepted = accept_file(request)
    newest = schemas.latest().name
    document = upgrade(accepted.document.data, accepted.release.version.major, newest)
    schema = schemas.schema_for(newest)
    pipeline = compile_run(render_consumer_example(schema, version="1.0.0"), render_pipeline_template(schema),
                           parameters_from_request(document, schema))
    for stage in pipeline["stages"]:
        job = stage["jobs"][0]
        steps = job["strategy"]["runOnce"]["deploy"]["steps"] if "deployment" in job else job["steps"]
        for step in steps:
            if step.get("displayName") == READ_STEP:
                return {name: str(value) for name, value in step.get("env", {}).items()}
    raise AssertionError(f"no step {READ_STEP!r} in the compiled pipeline")


def test_an_unchanged_request_resent_through_the_pipeline_is_a_noop(clone: Clone, trunk: Path,
                                                                    tmp_path: Path) -> None:
    stored = example("analytics-dev")  # pinned "1.1", YAML with comments
    work = clone()
    assert vending(work, "apply", str(stored)).returncode == 0
    before = git(trunk, "rev-parse", "main")

    out = tmp_path / "vending-request.json"
    written = vending(tmp_path, "request", "from-pipeline", "--out", str(out), env=pipeline_environment(stored))
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text())["schemaVersion"] == schemas.latest().name, "the pipeline sends the newest shape"

    again = vending(clone(detached=True), "apply", str(out), "--output", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["action"] == "noop"
    assert git(trunk, "rev-parse", "main") == before, "nothing committed"
    assert git(trunk, "show", "main:requests/analytics-dev.yaml") == stored.read_text()
    assert "requests/analytics-dev.json" not in git(trunk, "ls-tree", "-r", "--name-only", "main")


def test_a_changed_request_through_the_pipeline_still_updates(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    stored = example("analytics-dev")
    work = clone()
    assert vending(work, "apply", str(stored)).returncode == 0
    changed = tmp_path / "analytics-dev.yaml"
    changed.write_text(stored.read_text().replace("amount: 750", "amount: 800"))

    out = tmp_path / "vending-request.json"
    assert vending(tmp_path, "request", "from-pipeline", "--out", str(out),
                   env=pipeline_environment(changed)).returncode == 0
    again = vending(clone(), "apply", str(out), "--output", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["action"] == "update"
    files = git(trunk, "ls-tree", "-r", "--name-only", "main").split()
    assert "requests/analytics-dev.json" in files and "requests/analytics-dev.yaml" not in files
