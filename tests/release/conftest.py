"""A copy of this repository's series of request schemas, to break in one way per test."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The series and the stored requests; not the derived interfaces (tests/release/test_derived.py)."""
    shutil.copytree(ROOT / "interface" / "request", tmp_path / "interface" / "request")
    shutil.copytree(ROOT / "requests", tmp_path / "requests")
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    return tmp_path


def lock_of(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((repo / "interface/request/releases.json").read_text())
    return loaded


def release(repo: Path, version: str, schema: dict[str, Any], status: str = "supported") -> None:
    raw = json.dumps(schema, indent=2).encode()
    (repo / f"interface/request/{version}.schema.json").write_bytes(raw)
    lock = lock_of(repo)
    lock["releases"][version] = {"sha256": hashlib.sha256(raw).hexdigest(), "status": status}
    (repo / "interface/request/releases.json").write_text(json.dumps(lock))
