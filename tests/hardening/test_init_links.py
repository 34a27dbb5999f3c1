"""`vending init` touched `requests/.gitkeep` through whatever was there: in a directory whose
`requests` (or `.gitkeep`) is a link, it created or touched a file outside the directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import RunCli


@pytest.mark.parametrize("link", ["requests", "requests/.gitkeep"])
def test_init_refuses_a_link_where_it_would_write(run_cli: RunCli, tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / "requests").mkdir(parents=True)
    if link == "requests":
        (repo / "requests").rmdir()
        (repo / "requests").symlink_to(outside)
    else:
        (repo / link).symlink_to(outside / "created-by-init")
    result = run_cli("init", str(repo))
    assert result.code == 1, result.err
    assert f"{link} is a symbolic link" in result.err
    assert list(outside.iterdir()) == [], "nothing written through the link"
    assert not (repo / "vending.yaml").exists()
