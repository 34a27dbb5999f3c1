from __future__ import annotations

import pytest

from .. import gotemplate
from ..crossplane_sim import COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The Crossplane checks this run made against the real definitions, for the record."""
    counts = {**COUNTS, "go-template renders": gotemplate.RENDERS[0]}
    if any(counts.values()):
        figures = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
        terminalreporter.write_line(f"Crossplane checks: {figures}")
