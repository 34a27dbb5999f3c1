"""Soundness, measured: where the diff says minor, patch or none, no document valid under OLD is invalid
under NEW; where it says major (for a change that breaks documents), a breaking document is found.

Pairs: every consecutive pair of our releases, and the hand-made evolutions.
Documents are generated from OLD (tests/strategies.py), kept when OLD's
validator accepts them, and checked against NEW's.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from vending import schemas
from vending.schemadiff.change import Bump
from vending.schemadiff.diff import diff_schemas
from vending.validation import validator

from ..strategies import from_schema
from .conftest import SOUNDNESS
from .evolutions import EVOLUTIONS
from .mutations import mutate

EXAMPLES = 150
MUTANTS = 12


@dataclass(frozen=True)
class Pair:
    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    hand_made: bool
    breaks_documents: bool = True
    mutant: bool = False


RELEASE_PAIRS = [Pair(f"release {a.name} -> {b.name}", dict(schemas.schema_for(a.name)),
                      dict(schemas.schema_for(b.name)), hand_made=False)
                 for a, b in itertools.pairwise(schemas.usable())]
PAIRS = RELEASE_PAIRS + [Pair(e.name, e.old, e.new, True, e.breaks_documents) for e in EVOLUTIONS]


def _mutants() -> list[Pair]:
    """Random edits of the latest release, in both directions: changes nobody designed for the checker."""
    rng = random.Random(2026)
    latest = dict(schemas.schema_for(schemas.latest().name))
    pairs = []
    for _ in range(MUTANTS):
        mutant, edit = mutate(latest, rng)
        pairs += [Pair(f"edit {edit}", latest, mutant, False, mutant=True),
                  Pair(f"undo {edit}", mutant, latest, False, mutant=True)]
    return pairs


MUTANT_PAIRS = _mutants()


@dataclass
class Tally:
    pair: str
    bump: Bump
    generated: int = 0
    valid: int = 0
    violations: list[Any] = field(default_factory=list)
    witness: Any = None
    checker_witnesses: int = 0
    major_changes: int = 0
    breaks_documents: bool = True
    mutant: bool = False


def test_the_series_covers_a_minor_and_a_major() -> None:
    bumps = [diff_schemas(p.old, p.new).required_bump for p in RELEASE_PAIRS]
    assert bumps == [Bump.MINOR, Bump.MAJOR, Bump.MINOR]


@pytest.mark.slow
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_documents_from_old_stay_valid_unless_major(pair: Pair) -> None:
    diff = diff_schemas(pair.old, pair.new)
    majors = [c for c in diff.changes if c.bump is Bump.MAJOR]
    tally = Tally(pair.name, diff.required_bump, major_changes=len(majors),
                  checker_witnesses=sum("For example" in c.message for c in majors),
                  breaks_documents=pair.breaks_documents)
    before, after = validator(pair.old), validator(pair.new)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(doc=from_schema(pair.old))
    def check(doc: Any) -> None:
        tally.generated += 1
        if not before.is_valid(doc):
            return
        tally.valid += 1
        if not after.is_valid(doc):
            if diff.required_bump < Bump.MAJOR:
                tally.violations.append(doc)
            elif tally.witness is None:
                tally.witness = doc

    check()
    SOUNDNESS.append(tally)
    assert tally.violations == [], f"judged {diff.required_bump}, but these valid documents break: {tally.violations}"
    # Fewer than EXAMPLES documents means hypothesis generated every one there is (a small, finite schema).
    assert tally.valid >= 20 or (0 < tally.valid == tally.generated < EXAMPLES), \
        f"only {tally.valid} of {tally.generated} generated documents were valid under OLD"
    if diff.required_bump is Bump.MAJOR and pair.breaks_documents:
        assert tally.witness is not None or not pair.hand_made, "no breaking document found for a major pair"


@pytest.mark.slow
@pytest.mark.parametrize("pair", MUTANT_PAIRS, ids=lambda p: p.name)
def test_random_edits_of_the_latest_release(pair: Pair) -> None:
    diff = diff_schemas(pair.old, pair.new, witnesses=False)
    tally = Tally(pair.name, diff.required_bump, mutant=True)
    if diff.required_bump is Bump.MAJOR:
        SOUNDNESS.append(tally)
        return  # soundness is about what is judged safe; finding breaking documents is tested above
    before, after = validator(pair.old), validator(pair.new)

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(doc=from_schema(pair.old))
    def check(doc: Any) -> None:
        tally.generated += 1
        if before.is_valid(doc):
            tally.valid += 1
            if not after.is_valid(doc) and diff.required_bump < Bump.MAJOR:
                tally.violations.append(doc)

    try:
        check()
    except Unsatisfiable:
        pytest.skip("the edit leaves OLD with no document the strategies can generate")
    SOUNDNESS.append(tally)
    assert tally.violations == [], f"judged {diff.required_bump}, but these valid documents break: {tally.violations}"
