"""Address management in apply: allocation on trunk, racing applies, overlaps refused with nothing pushed."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from vending.prefixes import span

from ..gitops.conftest import Clone, git, request_file, vending
from .test_concurrency import _push_barrier, start


def sized(directory: Path, name: str, *space: object) -> Path:
    return request_file(directory, name, schemaVersion="2.1", network={"addressSpace": list(space)})


def trunk_index(trunk: Path) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(git(trunk, "show", "main:generated/addresses.json"))
    return loaded


def test_racing_applies_from_separate_clones_get_disjoint_prefixes(clone: Clone, trunk: Path,
                                                                   tmp_path: Path) -> None:
    env = _push_barrier(tmp_path, parties=2)
    runs = []
    for name in ("race-one-dev", "race-two-dev"):
        (tmp_path / name).mkdir()
        runs.append(start(clone(), "apply", str(sized(tmp_path / name, name, {"size": 24})), "--output", "json",
                          env=env))
    outcomes = [json.loads(p.communicate(timeout=300)[0]) for p in runs]
    assert all(o["action"] == "create" for o in outcomes)
    assert max(o["attempts"] for o in outcomes) > 1, "they really raced: the loser re-derived on the new tip"
    assert sorted(trunk_index(trunk)) == ["10.200.0.0/24", "10.200.1.0/24"]
    assert set(trunk_index(trunk).values()) == {"race-one-dev", "race-two-dev"}
    check = vending(clone(), "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_sixteen_concurrent_allocations_never_overlap(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    runs = []
    for number in range(16):
        name = f"alloc{number:02d}-dev"
        (tmp_path / name).mkdir()
        runs.append(start(clone(detached=True), "apply", str(sized(tmp_path / name, name, {"size": 24 + number % 4})),
                          "--output", "json"))
    for process in runs:
        _out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    index = trunk_index(trunk)
    assert len(index) == 16 and len(set(index.values())) == 16
    spans = sorted(span(prefix) for prefix in index)
    assert all(a.last < b.first for a, b in itertools.pairwise(spans))
    check = vending(clone(), "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_overlap_on_trunk_is_refused_and_nothing_is_pushed(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = vending(clone(), "apply", str(request_file(tmp_path / "a", "holder-dev",
                                                       network={"addressSpace": ["10.40.0.0/23"]})))
    assert first.returncode == 0, first.stderr
    before = git(trunk, "rev-parse", "main")
    second = vending(clone(), "apply", str(request_file(tmp_path / "b", "late-dev",
                                                        network={"addressSpace": ["10.40.1.0/24"]})))
    assert second.returncode == 1
    assert "/network/addressSpace/0: 10.40.1.0/24 overlaps 10.40.0.0/23 of subscription 'holder-dev'" in second.stderr
    assert git(trunk, "rev-parse", "main") == before


def test_racing_applies_for_overlapping_space_land_exactly_one(clone: Clone, trunk: Path, tmp_path: Path) -> None:
    """Both derive on the same tip, where the space is free; the loser re-derives on the winner's tip and is
    refused with the overlap: trunk never holds it twice."""
    env = _push_barrier(tmp_path, parties=2)
    runs = []
    for name, prefix in (("left-dev", "10.41.0.0/23"), ("right-dev", "10.41.1.0/24")):
        (tmp_path / name).mkdir()
        runs.append(start(clone(), "apply", str(request_file(tmp_path / name, name,
                                                             network={"addressSpace": [prefix]})), env=env))
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in runs]
    assert sorted(code for code, _ in results) == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    assert "overlaps" in loser and "Traceback" not in loser
    index = trunk_index(trunk)
    assert len(index) == 1, index
    check = vending(clone(), "check")
    assert check.returncode == 0, check.stdout + check.stderr
