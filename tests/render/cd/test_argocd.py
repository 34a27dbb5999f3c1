"""Argo CD: an Application per generated/crossplane/<env>, synced as vending.yaml says per workload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ...conftest import RunCli
from ..test_golden import GOLDEN
from .conftest import Copy


def _applications(root: Path) -> dict[str, dict[str, Any]]:
    documents = yaml.safe_load_all((root / "generated/argocd/crossplane.yaml").read_text(encoding="utf-8"))
    return {d["metadata"]["labels"]["vending.azure.com/workload"]: d for d in documents}


def test_devtest_syncs_itself_and_production_waits(golden_copy: Copy, run_cli: RunCli) -> None:
    for case, prune in (("default", False), ("legacy-claim", True)):  # orphan, delete
        root = GOLDEN / case
        config = yaml.safe_load((root / "vending.yaml").read_text(encoding="utf-8"))
        applications = _applications(root)
        assert sorted(applications) == ["DevTest", "Production"]
        for workload, application in applications.items():
            spec = application["spec"]
            environment = config["environments"][workload]
            assert spec["source"]["path"] == f"generated/crossplane/{environment}"
            assert (root / spec["source"]["path"]).is_dir()
            assert spec["source"]["repoURL"] == config["cd"]["repository"]["url"]
            assert spec["destination"]["namespace"] == config["crossplane"]["namespaces"][workload]
        assert applications["DevTest"]["spec"]["syncPolicy"]["automated"] == {"prune": prune, "selfHeal": True}
        assert "automated" not in applications["Production"]["spec"]["syncPolicy"]

    root = golden_copy("default", ("project: vending", "project: vending\n    sync: {Production: automated}"))
    assert run_cli("render", "--all", "--repo", str(root)).code == 0
    assert _applications(root)["Production"]["spec"]["syncPolicy"]["automated"]["prune"] is False
