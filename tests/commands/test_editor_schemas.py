"""Issue 15 item 8: the released schemas are in the GitOps repository for editors, and a `$schema` key
changes nothing that renders."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from vending import schemas

from ..conftest import RunCli


def test_render_writes_the_released_schemas_and_check_holds_them(run_cli: RunCli, gitops_repo: Path) -> None:
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    lock = json.loads((schemas.request_schema_dir() / "releases.json").read_text())["releases"]
    for release in schemas.usable():
        written = gitops_repo / ".vending/schemas" / f"{release.name}.schema.json"
        assert hashlib.sha256(written.read_bytes()).hexdigest() == lock[release.name]["sha256"]
    edited = gitops_repo / ".vending/schemas/2.0.0.schema.json"
    edited.write_text("{}\n")
    checked = run_cli("check", "--repo", str(gitops_repo))
    assert checked.code == 1 and ".vending/schemas/2.0.0.schema.json" in checked.out


def test_a_schema_key_renders_the_same_and_is_kept(run_cli: RunCli, gitops_repo: Path) -> None:
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0
    stored = gitops_repo / "requests/analytics-dev.yaml"
    text = stored.read_text()
    with_key = text.replace('schemaVersion: "1.1"\n',
                            'schemaVersion: "1.1"\n"$schema": ../.vending/schemas/1.1.0.schema.json\n')
    assert with_key != text
    stored.write_text(with_key)
    assert run_cli("validate", str(stored)).code == 0
    checked = run_cli("check", "--repo", str(gitops_repo))
    assert checked.code == 0, checked.out + checked.err
    rendered = run_cli("render", str(stored), "--repo", str(gitops_repo))
    assert rendered.code == 0 and rendered.out.strip() == "nothing to change", rendered.out
    assert stored.read_text() == with_key

    not_text = with_key.replace("../.vending/schemas/1.1.0.schema.json", "[1]")
    stored.write_text(not_text)
    refused = run_cli("validate", str(stored))
    assert refused.code == 1 and "/$schema: $schema must be a string" in refused.err
