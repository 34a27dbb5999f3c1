"""Golden files: fixed requests under tests/golden/<case>/requests and the exact files they render.

Regenerate after an intended change with `vending render --all --repo tests/golden/<case>` and
review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, RunCli

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def tree(root: Path, *tops: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for top in tops for p in sorted((root / top).rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_golden_case_is_up_to_date(run_cli: RunCli, case: str) -> None:
    result = run_cli("check", "--repo", str(GOLDEN / case))
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("case", CASES)
def test_rendering_from_scratch_gives_the_golden_bytes_in_any_process(case: str, tmp_path: Path) -> None:
    """Same requests, another process, hash seed, locale, time zone and directory: same bytes."""
    copy = tmp_path / "copy"
    shutil.copytree(GOLDEN / case, copy, ignore=shutil.ignore_patterns("generated", "interface"))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "LANG": "C", "LC_ALL": "C", "TZ": "Pacific/Chatham"}
    run = subprocess.run([sys.executable, "-m", "vending", "render", "--all", "--repo", str(copy)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert tree(copy, "generated", "interface") == tree(GOLDEN / case, "generated", "interface")
    for content in tree(copy, "generated", "interface").values():
        assert content.endswith(b"\n") and not content.endswith(b"\n\n")
        assert str(tmp_path).encode() not in content, "no absolute paths in generated files"
