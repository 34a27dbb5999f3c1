from __future__ import annotations

from pathlib import Path

from ..conftest import ROOT, RunCli


def test_init_starts_a_consistent_repository(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "gitops"
    result = run_cli("init", str(target))
    assert result.code == 0, result.err
    assert (target / "vending.yaml").read_bytes() == (ROOT / "vending" / "default-config.yaml").read_bytes()
    assert (target / "interface" / "pipelines" / "vend-subscription.yml").is_file()
    assert (target / "CODEOWNERS").is_file()
    assert run_cli("check", "--repo", str(target)).code == 0
    again = run_cli("init", str(target))
    assert again.code == 2 and "already exists" in again.err


def test_the_embedded_default_is_the_projects_own_configuration() -> None:
    assert (ROOT / "vending" / "default-config.yaml").read_text() == (ROOT / "vending.yaml").read_text()


def test_init_over_invalid_requests_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "requests").mkdir()
    (tmp_path / "requests" / "broken.yaml").write_text("name: x\n")
    result = run_cli("init", str(tmp_path))
    assert result.code == 1 and "requests/broken.yaml" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requests"]
