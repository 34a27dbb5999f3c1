"""Figures the compatibility tests measure, printed at the end of the run (tests/figures.py)."""

from __future__ import annotations

from typing import Any

from vending.schemadiff.change import Bump

from .. import figures

REPORT: list[str] = []

SOUNDNESS: list[Any] = []
"""One tally per schema pair of the soundness test."""
RECEIVED: list[dict[str, Any]] = []
"""The tallies of the soundness tests other processes (pytest-xdist workers) ran, as `_counted` gives them."""


def _counted(tally: Any) -> dict[str, Any]:
    """What the figures count of a tally, as plain data."""
    return {"mutant": tally.mutant, "major": tally.bump is Bump.MAJOR, "generated": tally.generated,
            "valid": tally.valid, "violations": len(tally.violations), "witness": tally.witness is not None,
            "checker_witnesses": tally.checker_witnesses, "major_changes": tally.major_changes,
            "breaks_documents": tally.breaks_documents}


def _share() -> dict[str, Any]:
    return {"report": list(REPORT), "soundness": [_counted(t) for t in SOUNDNESS]}


def _add(share: dict[str, Any]) -> None:
    REPORT.extend(share["report"])
    RECEIVED.extend(share["soundness"])


def _lines() -> list[str]:
    tallies = [_counted(t) for t in SOUNDNESS] + RECEIVED
    return REPORT + (_soundness_lines(tallies) if tallies else [])


def _soundness_lines(tallies: list[dict[str, Any]]) -> list[str]:
    designed = [t for t in tallies if not t["mutant"]]
    major = [t for t in designed if t["major"]]
    safe = [t for t in tallies if not t["major"]]
    mutants = [t for t in tallies if t["mutant"]]
    return [
        f"Soundness: {len(tallies)} schema pairs ({len(designed)} releases and hand-made evolutions, {len(mutants)} "
        f"random edits of the latest release and their undoing); {len(safe)} judged minor/patch/none, "
        f"{len(tallies) - len(safe)} major",
        f"  documents generated from OLD: {sum(t['generated'] for t in tallies)}, valid under OLD: "
        f"{sum(t['valid'] for t in tallies)} ({sum(t['valid'] for t in safe)} of them checked under a NEW judged "
        "minor/patch/none)",
        f"  violations (valid under OLD, invalid under NEW, judged not major): {sum(t['violations'] for t in safe)}",
        f"  major pairs (designed) with a breaking document found by generation: "
        f"{sum(t['witness'] for t in major)}/{sum(t['breaks_documents'] for t in major)} that break documents "
        f"({sum(not t['breaks_documents'] for t in major)} more are major for a changed default only)",
        f"  major changes (designed pairs) the checker illustrated with a verified example: "
        f"{sum(t['checker_witnesses'] for t in major)}/{sum(t['major_changes'] for t in major)}",
    ]


figures.register(__name__, figures.Figures(share=_share, add=_add, lines=_lines, title="schema compatibility"))
