"""Figures the compatibility tests measure, printed at the end of the run (pytest's terminal summary)."""

from __future__ import annotations

from typing import Any

import pytest

from vending.compat.change import Bump

REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = REPORT + (_soundness_lines() if SOUNDNESS else [])
    if lines:
        terminalreporter.section("schema compatibility")
        for line in lines:
            terminalreporter.write_line(line)


SOUNDNESS: list[Any] = []
"""One tally per schema pair of the soundness test."""


def _soundness_lines() -> list[str]:
    tallies = SOUNDNESS
    major = [t for t in tallies if t.bump is Bump.MAJOR]
    safe = [t for t in tallies if t.bump < Bump.MAJOR]
    return [
        f"Soundness: {len(tallies)} schema pairs ({len(safe)} judged minor/patch/none, {len(major)} major); "
        f"{sum(t.generated for t in tallies)} documents generated, {sum(t.valid for t in tallies)} valid under OLD",
        f"  violations (valid under OLD, invalid under NEW, judged not major): {sum(len(t.violations) for t in safe)}",
        f"  major pairs with a breaking document found by generation: {sum(t.witness is not None for t in major)}"
        f"/{sum(t.breaks_documents for t in major)} that break documents "
        f"({sum(not t.breaks_documents for t in major)} more are major for a changed default only)",
        f"  major changes the checker illustrated with a verified example: {sum(t.checker_witnesses for t in major)}"
        f"/{sum(t.major_changes for t in major)}",
    ]
