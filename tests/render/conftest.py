from __future__ import annotations

import pytest

from ..crossplane_sim import COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The Crossplane checks this run made against the real definitions, for the record."""
    if COUNTS:
        figures = ", ".join(f"{name}: {count}" for name, count in sorted(COUNTS.items()))
        terminalreporter.write_line(f"Crossplane checks: {figures}")
