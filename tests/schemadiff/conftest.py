"""Figures the compatibility tests measure, printed at the end of the run (pytest's terminal summary)."""

from __future__ import annotations

from typing import Any

import pytest

from vending.schemadiff.change import Bump

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
    designed = [t for t in tallies if not t.mutant]
    major = [t for t in designed if t.bump is Bump.MAJOR]
    safe = [t for t in tallies if t.bump < Bump.MAJOR]
    mutants = [t for t in tallies if t.mutant]
    return [
        f"Soundness: {len(tallies)} schema pairs ({len(designed)} releases and hand-made evolutions, {len(mutants)} "
        f"random edits of the latest release and their undoing); {len(safe)} judged minor/patch/none, "
        f"{len(tallies) - len(safe)} major",
        f"  documents generated from OLD: {sum(t.generated for t in tallies)}, valid under OLD: "
        f"{sum(t.valid for t in tallies)} ({sum(t.valid for t in safe)} of them checked under a NEW judged "
        "minor/patch/none)",
        f"  violations (valid under OLD, invalid under NEW, judged not major): {sum(len(t.violations) for t in safe)}",
        f"  major pairs (designed) with a breaking document found by generation: "
        f"{sum(t.witness is not None for t in major)}/{sum(t.breaks_documents for t in major)} that break documents "
        f"({sum(not t.breaks_documents for t in major)} more are major for a changed default only)",
        f"  major changes (designed pairs) the checker illustrated with a verified example: "
        f"{sum(t.checker_witnesses for t in major)}/{sum(t.major_changes for t in major)}",
    ]
