"""The whole tree can be rebuilt from Git alone."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..gitops.conftest import Clone, example, git, request_file, vending


def test_delete_generated_render_all_and_git_diff_is_empty(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    for name in ("payments-prod", "analytics-dev", "risk-models-prod"):
        assert vending(work, "apply", str(example(name))).returncode == 0
    assert vending(work, "apply", str(request_file(tmp_path, "gone-dev"))).returncode == 0
    assert vending(work, "decommission", "gone-dev", "--confirm", "gone-dev",
                   "--requested-by", "x@contoso.com").returncode == 0
    restored = clone()
    shutil.rmtree(restored / "generated")
    for platform in ("interface", "CODEOWNERS"):
        target = restored / platform
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    result = vending(restored, "render", "--all")
    assert result.returncode == 0, result.stderr
    assert git(restored, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(restored, "diff") == ""
