from __future__ import annotations

from .. import figures, gotemplate
from ..crossplane_sim import COUNTS

GO_RENDERS = "go-template renders"


def _share() -> dict[str, int]:
    return {**COUNTS, GO_RENDERS: gotemplate.RENDERS[0]}


def _add(share: dict[str, int]) -> None:
    counts = dict(share)
    gotemplate.RENDERS[0] += counts.pop(GO_RENDERS)
    COUNTS.update(counts)


def _lines() -> list[str]:
    """The Crossplane checks this run made against the real definitions, for the record."""
    counts = _share()
    if not any(counts.values()):
        return []
    return ["Crossplane checks: " + ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))]


figures.register(__name__, figures.Figures(share=_share, add=_add, lines=_lines))
