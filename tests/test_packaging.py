"""A wheel installed outside the repository still finds the released schemas."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT


@pytest.mark.slow
def test_the_wheel_ships_the_schemas_and_uses_them(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is needed to copy the tracked sources")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, check=False)
    if build.returncode != 0 and "Could not find a version" in build.stderr:
        pytest.skip("the build backend (hatchling) cannot be downloaded here")
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("vending-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        assert f"vending/_interface/request/{version}.schema.json" in names
    assert "vending/_interface/request/releases.json" in names

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(EXAMPLES / "analytics-dev.yaml", elsewhere / "request.yaml")
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import vending.schemas as s; print(s.interface_root());"
        "from vending.main import main; raise SystemExit(main(['validate', 'request.yaml']))"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(site)], cwd=elsewhere, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == str(site / "vending" / "_interface")
    assert "valid (schema 1.1.0)" in run.stdout
