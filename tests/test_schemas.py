from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from vending import schemas
from vending.errors import Bug, PinError
from vending.schemas import load_releases, resolve_pin, verify_lock

from .conftest import ROOT

RELEASED = ["1.0.0", "1.1.0", "2.0.0", "2.1.0"]


def test_the_released_series() -> None:
    assert [r.name for r in schemas.releases()] == RELEASED
    assert schemas.latest().name == "2.1.0"


@pytest.mark.parametrize("version", RELEASED)
def test_each_released_file_matches_its_lock(version: str) -> None:
    release = next(r for r in schemas.releases() if r.name == version)
    assert hashlib.sha256(release.path.read_bytes()).hexdigest() == release.sha256


@pytest.mark.parametrize("version", RELEASED)
def test_each_release_is_a_closed_2020_12_schema(version: str) -> None:
    schema = schemas.schema_for(version)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def closed(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, node.get("description")
            for child in node.values():
                closed(child)
        elif isinstance(node, list):
            for child in node:
                closed(child)

    closed(schema)


def test_every_field_is_documented() -> None:
    def documented(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{where}/{name} has no description"
            for key, child in node.items():
                documented(child, f"{where}/{key}")

    for version in RELEASED:
        documented(schemas.schema_for(version), version)


@pytest.mark.parametrize(("pin", "resolved"), [
    ("1.0.0", "1.0.0"), ("1.0", "1.0.0"), ("1.1.0", "1.1.0"), ("1.1", "1.1.0"), ("1", "1.1.0"),
    ("2", "2.1.0"), ("2.0", "2.0.0"), ("2.0.0", "2.0.0"), ("2.1", "2.1.0"),
])
def test_pins_resolve_to_the_newest_match(pin: str, resolved: str) -> None:
    assert resolve_pin(pin).name == resolved


@pytest.mark.parametrize("pin", ["3", "1.2", "1.0.1", "0", "v1", "1.0.0-rc1", "01", ""])
def test_unknown_pins_list_the_supported_versions(pin: str) -> None:
    with pytest.raises(PinError) as caught:
        resolve_pin(pin)
    assert "1.0.0 (deprecated), 1.1.0, 2.0.0" in str(caught.value)


def _copy_series(tmp_path: Path) -> Path:
    target = tmp_path / "request"
    shutil.copytree(ROOT / "interface" / "request", target)
    return target


def test_removed_versions_are_refused_and_skipped_by_prefixes(tmp_path: Path) -> None:
    directory = _copy_series(tmp_path)
    lock = json.loads((directory / "releases.json").read_text())
    lock["releases"]["1.1.0"].update(status="removed", message="Move to 2.")
    (directory / "releases.json").write_text(json.dumps(lock))
    series = load_releases(directory)
    with pytest.raises(PinError, match=r"1.1.0 was removed. Move to 2. Supported: 1.0.0 \(deprecated\), 2.0.0"):
        resolve_pin("1.1.0", series)
    assert resolve_pin("1", series).name == "1.0.0"


def test_a_changed_released_file_is_refused(tmp_path: Path) -> None:
    directory = _copy_series(tmp_path)
    path = directory / "1.0.0.schema.json"
    path.write_bytes(path.read_bytes().replace(b"1 to 64 characters", b"1 to 65 characters"))
    release = load_releases(directory)[0]
    with pytest.raises(Bug, match="released schemas are immutable"):
        verify_lock(release)


def test_first_release_allowing() -> None:
    first = schemas.releases()[0]
    found = schemas.first_release_allowing("/network/dnsServers", first)
    assert found is not None and found.name == "1.1.0"
    found = schemas.first_release_allowing("/budgets", first)
    assert found is not None and found.name == "2.0.0"
    assert schemas.first_release_allowing("/nonsense", first) is None
