from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ..test_golden import GOLDEN

Copy = Callable[..., Path]


@pytest.fixture
def golden_copy(tmp_path: Path) -> Copy:
    """A copy of a golden repository, its vending.yaml edited by (old, new) replacements."""

    def make(case: str = "default", *edits: tuple[str, str]) -> Path:
        root = tmp_path / case
        shutil.copytree(GOLDEN / case, root)
        config = (root / "vending.yaml").read_text(encoding="utf-8")
        for old, new in edits:
            assert old in config, old
            config = config.replace(old, new)
        (root / "vending.yaml").write_text(config, encoding="utf-8")
        return root

    return make
