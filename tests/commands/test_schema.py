"""`vending schema diff|check|bump` through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, RunCli

RELEASED = ROOT / "interface" / "request"


def schema_of(version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((RELEASED / f"{version}.schema.json").read_text())
    return loaded


def write(path: Path, schema: dict[str, Any]) -> str:
    path.write_text(json.dumps(schema))
    return str(path)


def test_diff_of_released_versions(run_cli: RunCli) -> None:
    result = run_cli("schema", "diff", "1.0.0", "1.1.0")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1] == "required bump: minor (4 minor, 4 patch changes)"
    assert 'minor  /properties/resourceProviders: property "resourceProviders" added: documents with it are now ' \
           "accepted." in lines
    assert result.err == ""


def test_diff_as_json(run_cli: RunCli) -> None:
    result = run_cli("schema", "diff", "1.1.0", "2.0.0", "--output", "json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert payload["required_bump"] == "major"
    assert all(set(c) == {"pointer", "kind", "bump", "message"} for c in payload["changes"])
    removed = next(c for c in payload["changes"] if c["kind"] == "property.removed")
    assert removed["pointer"] == "/properties/budget" and removed["bump"] == "major"
    assert "For example, /budget: " in removed["message"]


def test_diff_of_files_yaml_and_stdin(run_cli: RunCli, tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", {"type": "object", "properties": {"a": {"type": "string"}}})
    new = tmp_path / "new.yaml"
    new.write_text("type: object\nproperties:\n  a: {type: string}\nrequired: [a]\n")
    result = run_cli("schema", "diff", old, str(new))
    assert result.code == 0
    assert result.out.startswith('major  /properties/a: "a" is now required')
    piped = run_cli("schema", "diff", old, "-", "--output", "json", stdin=new.read_bytes())
    assert json.loads(piped.out)["required_bump"] == "major"


@pytest.mark.parametrize(("content", "expected"), [
    (b'{"type": "object",\n "properties": {"a": {"type": "strin"}}}', ":2:31: error: /properties/a/type: not a "
                                                                      "valid JSON Schema"),
    (b'{"type": "object", "properties": ', ":1:34: error: not valid JSON"),
    (b'{"type": "string", "pattern": "(unclosed"}', "is not a regular expression"),
    (b'{"$ref": "#/$defs/nowhere"}', "$ref '#/$defs/nowhere' points to nothing in this schema"),
    (b"[1, 2]", "expected a mapping"),
])
def test_diff_refuses_what_is_not_a_schema(run_cli: RunCli, tmp_path: Path, content: bytes, expected: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_cli("schema", "diff", "1.0.0", str(bad))
    assert result.code == 1
    assert expected in result.err
    assert "Traceback" not in result.err and result.out == ""


def test_diff_of_something_that_is_neither_file_nor_release(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("schema", "diff", "9.9.9", str(tmp_path / "nope.json"))
    assert result.code == 1
    assert result.err.strip() == "9.9.9: error: not a released version (released: 1.0.0, 1.1.0, 2.0.0, 2.1.0)"
    missing = run_cli("schema", "diff", "1.0.0", str(tmp_path / "nope.json"))
    assert "nope.json: error: no such file, and not a released version" in missing.err


@pytest.mark.parametrize("args", [("schema", "diff", "1.0.0"), ("schema", "diff", "a", "b", "--output", "xml"),
                                  ("schema", "nonsense")])
def test_usage_errors_exit_2(run_cli: RunCli, args: tuple[str, ...]) -> None:
    assert run_cli(*args).code == 2


def test_check_passes_on_this_repository(run_cli: RunCli) -> None:
    result = run_cli("schema", "check", "--repo", str(ROOT))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "1.1.0: a minor release over 1.0.0; its changes need a minor",
        "2.0.0: a major release over 1.1.0; its changes need a major",
        "2.1.0: a minor release over 2.0.0; its changes need a minor",
        "schema check: 4 releases bumped as their changes need, locked and in CHANGELOG.md; 3 stored requests pin "
        "releases that exist; every property of the newest reaches terraform and crossplane or is listed in "
        "interface/request/not-mapped.json",
    ]


def test_check_lists_every_failure(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "interface", tmp_path / "interface")
    shutil.copytree(ROOT / "requests", tmp_path / "requests")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 2.1.0\n\n## 2.0.0\n")
    lock_path = tmp_path / "interface/request/releases.json"
    lock = json.loads(lock_path.read_text())
    lock["releases"]["1.0.0"]["status"] = "removed"
    lock_path.write_text(json.dumps(lock))
    result = run_cli("schema", "check", "--repo", str(tmp_path))
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert "changelog: CHANGELOG.md has no '## 1.0.0' section" in errors[0]
    assert "changelog: CHANGELOG.md has no '## 1.1.0' section" in errors[1]
    assert "pinned releases: requests/payments-prod.yaml pins schemaVersion '1.0.0'" in errors[2]
    assert result.err.splitlines()[-1] == "schema check: 3 failures"


def test_check_outside_a_repository_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("schema", "check", "--repo", str(tmp_path))
    assert result.code == 2
    assert "releases.json not found" in result.err


def test_bump_proposes_a_minor_with_its_changelog_section(run_cli: RunCli, tmp_path: Path) -> None:
    schema = schema_of("2.1.0")
    schema["properties"]["costCenter"] = {"type": "string", "maxLength": 20, "description": "Who pays."}
    result = run_cli("schema", "bump", write(tmp_path / "next.json", schema))
    assert result.code == 0, result.err
    assert result.out.startswith("## 2.2.0\n\nAdditive: every 2.1.0 request is valid under 2.2.0 unchanged.\n")
    assert '- `/properties/costCenter`: property "costCenter" added: documents with it are now accepted.' in result.out
    assert "proposed version: 2.2.0, a minor release over 2.1.0 (1 minor change)" in result.err


def test_bump_proposes_a_major_for_a_breaking_change(run_cli: RunCli, tmp_path: Path) -> None:
    schema = schema_of("2.1.0")
    schema["required"].append("ticket")
    result = run_cli("schema", "bump", write(tmp_path / "next.json", schema), "--repo", str(ROOT))
    assert result.code == 0
    assert result.out.startswith("## 3.0.0\n\nBreaking: some 2.1.0 requests are rejected")
    assert "Breaking changes:" in result.out


def test_bump_of_an_unchanged_schema(run_cli: RunCli) -> None:
    result = run_cli("schema", "bump", str(RELEASED / "2.1.0.schema.json"))
    assert result.code == 0
    assert result.out == ""
    assert "no release is needed" in result.err
