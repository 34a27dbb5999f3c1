"""The release checks, on copies of this repository's series broken in one way each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vending.errors import UsageError
from vending.release.checks import CHECKS, run_checks
from vending.release.repository import read_series

from .conftest import lock_of, release


def failures(repo: Path) -> list[tuple[str, str]]:
    return run_checks(read_series(repo))


def test_the_real_series_passes(repo: Path) -> None:
    assert failures(repo) == []


def test_a_breaking_change_released_as_minor_fails_naming_the_change(repo: Path) -> None:
    schema = json.loads((repo / "interface/request/2.0.0.schema.json").read_text())
    schema["properties"]["ticket"]["maxLength"] = 10
    release(repo, "2.1.0", schema)
    (repo / "CHANGELOG.md").write_text((repo / "CHANGELOG.md").read_text() + "\n## 2.1.0\n\nShorter tickets.\n")
    [(name, message)] = failures(repo)
    assert name == "version bumps"
    assert message.startswith("2.1.0 is released as a minor over 2.0.0, but its changes need a major; release it "
                              "as 3.0.0 instead")
    assert "/properties/ticket/maxLength: maxLength 10 added" in message


def test_every_release_needs_its_changelog_section(repo: Path) -> None:
    text = (repo / "CHANGELOG.md").read_text().replace("## 1.1.0", "## Earlier")
    (repo / "CHANGELOG.md").write_text(text)
    assert failures(repo) == [("changelog", "CHANGELOG.md has no '## 1.1.0' section; describe what 1.1.0 changed "
                                            "there")]


def test_released_files_match_the_lock_and_new_files_must_be_locked(repo: Path) -> None:
    path = repo / "interface/request/1.0.0.schema.json"
    path.write_bytes(path.read_bytes().replace(b"1 to 64 characters", b"1 to 65 characters"))
    (repo / "interface/request/2.2.0.schema.json").write_text("{}")
    found = failures(repo)
    assert [name for name, _ in found] == ["lock", "lock"]
    assert "1.0.0.schema.json has changed since its release" in found[0][1]
    assert "2.2.0.schema.json is not in releases.json" in found[1][1]


@pytest.mark.parametrize(("version", "pinned_by"), [("1.0.0", "payments-prod.yaml"), ("1.1.0", "analytics-dev.yaml")])
def test_a_pinned_release_cannot_be_removed(repo: Path, version: str, pinned_by: str) -> None:
    lock = lock_of(repo)
    lock["releases"][version]["status"] = "removed"
    (repo / "interface/request/releases.json").write_text(json.dumps(lock))
    (repo / f"interface/request/{version}.schema.json").unlink()
    found = failures(repo)
    assert [name for name, _ in found] == ["pinned releases"]
    assert found[0][1].startswith(f"requests/{pinned_by} pins schemaVersion")
    assert f"resolves to {version}, and {version} is removed" in found[0][1]


def test_an_unpinned_release_can_be_removed(repo: Path) -> None:
    (repo / "requests/payments-prod.yaml").unlink()
    lock = lock_of(repo)
    lock["releases"]["1.0.0"]["status"] = "removed"
    (repo / "interface/request/releases.json").write_text(json.dumps(lock))
    (repo / "interface/request/1.0.0.schema.json").unlink()
    assert failures(repo) == []


def test_a_missing_lock_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"releases\.json not found"):
        read_series(tmp_path)


def test_checks_are_a_list_to_extend() -> None:
    assert [name for name, _ in CHECKS] == ["version bumps", "changelog", "lock", "pinned releases",
                                            "pipeline parameters", "crossplane definition", "field flow"]


def test_a_released_file_that_is_not_a_schema_fails_the_bump_check(repo: Path) -> None:
    release(repo, "2.1.0", {"type": "strin"})
    (repo / "CHANGELOG.md").write_text((repo / "CHANGELOG.md").read_text() + "\n## 2.1.0\n")
    found = failures(repo)
    [(name, message)] = [failure for failure in found if failure[0] != "pipeline parameters"]
    assert [m for n, m in found if n == "pipeline parameters"] == [
        "request schema 2.1.0 cannot be a pipeline's parameters: it has no 'properties'"]
    assert name == "version bumps"
    assert message.startswith("interface/request/2.1.0.schema.json is not a valid JSON Schema: /type: ")
    assert message.endswith("cannot compare 2.1.0 with 2.0.0")


def test_a_supported_release_whose_file_is_gone_fails_the_lock_and_the_pins(repo: Path) -> None:
    (repo / "interface/request/1.1.0.schema.json").unlink()
    found = failures(repo)
    assert [name for name, _ in found] == ["lock", "pinned releases"]
    assert found[0][1].startswith("interface/request/1.1.0.schema.json is missing, but release 1.1.0 is supported")
    assert "1.1.0 is missing its schema file" in found[1][1]
