"""Issue 15 item 10: `render`, `check` and `schema check` print one JSON document with --output json."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import ROOT, RunCli


def test_check_and_render_as_json(run_cli: RunCli, gitops_repo: Path) -> None:
    rendered = run_cli("render", "--all", "--repo", str(gitops_repo), "--output", "json")
    assert rendered.code == 0, rendered.err
    first = json.loads(rendered.out)
    assert first["ok"] is True and first["dryRun"] is False
    assert first["summary"]["added"] == len(first["changes"]) > 0
    assert all(set(c) == {"path", "kind"} and c["kind"] == "added" for c in first["changes"])

    clean = run_cli("check", "--repo", str(gitops_repo), "--output", "json")
    assert clean.code == 0
    checked = json.loads(clean.out)
    # files: every file the requests render, also those the repository already held (its fleet index)
    assert checked.pop("files") >= len(first["changes"])
    assert checked == {"changes": [], "summary": {"added": 0, "changed": 0, "removed": 0}, "ok": True}

    changed = first["changes"][0]["path"]
    (gitops_repo / changed).write_text("edited by hand\n")
    dirty = run_cli("check", "--repo", str(gitops_repo), "--output", "json")
    assert dirty.code == 1
    report = json.loads(dirty.out)
    assert report["ok"] is False and report["changes"] == [{"path": changed, "kind": "changed"}]

    dry = run_cli("render", "--all", "--dry-run", "--repo", str(gitops_repo), "--output", "json")
    assert json.loads(dry.out)["changes"] == [{"path": changed, "kind": "changed"}]
    assert (gitops_repo / changed).read_text() == "edited by hand\n", "a dry run writes nothing"


def test_schema_check_as_json(run_cli: RunCli) -> None:
    result = run_cli("schema", "check", "--repo", str(ROOT), "--output", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["ok"] is True and report["failures"] == []
    assert {"version": "2.0.0", "over": "1.1.0", "made": "major", "needed": "major"} in report["releases"]
