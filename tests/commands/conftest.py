from __future__ import annotations

import pytest

from .fleet_history import History, build


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The repository of `fleet_history` (built once: tests read it, and copy it to change it)."""
    return build(tmp_path_factory.mktemp("history"))
