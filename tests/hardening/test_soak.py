"""Sixteen `vending apply` processes at once, from sixteen clones, some racing for the same name.

Twelve distinct names, and four runs for names another run also vends: two with another workload
(exactly one of the two may win: the other is a conflict, or a refused workload change), one with
identical content (both succeed, one commit: the later reports a no-op, or, built in the same second,
the very same commit) and one with another display name (the later run is a
conflict, or an update on top of the winner). Then: trunk is fsck-clean and linear, every exit-0 run
is on trunk, every refused one says why, nothing was lost, and `vending check` passes.
`VENDING_SOAK_RUNS` (default 1) repeats the round on the same trunk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..gitops.conftest import git, request_file, vending
from .scale import SOAK_RUNS
from .trunks import assert_linear, fsck, landings, make_clone, make_trunk, tip

pytestmark = pytest.mark.xdist_group("processes")  # many processes at once: never beside each other
ROUNDS = SOAK_RUNS
CONFLICT = ("was changed on main by another run while this one was in flight", "its workload cannot change")


def _start(cwd: Path, request: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "vending", "apply", str(request), "--output", "json"], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_sixteen_concurrent_applies_with_same_name_races(round_: int, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TF_BUILD", raising=False)
    bare = make_trunk(tmp_path)
    start_tip = tip(bare)
    names = [f"soak{round_:02d}x{index:02d}-dev" for index in range(12)]
    runs: list[tuple[str, str, Path]] = []  # (name, kind, request)
    runs += [(name, "distinct", request_file(tmp_path, name)) for name in names]
    rivals = tmp_path / "rivals"
    rivals.mkdir()
    for index, (name, kind) in enumerate([(names[0], "workload"), (names[1], "workload"), (names[2], "identical"),
                                          (names[3], "display")]):
        folder = rivals / str(index)
        folder.mkdir()
        fields = {"workload": "Production"} if kind == "workload" else \
            {"displayName": "Rival"} if kind == "display" else {}
        runs.append((name, kind, request_file(folder, name, **fields)))
    clones = [make_clone(bare, tmp_path / f"clone{i}", detached=i % 2 == 1) for i in range(len(runs))]

    processes = [_start(clone, request) for clone, (_, _, request) in zip(clones, runs, strict=True)]
    results = []
    for process, (name, kind, request) in zip(processes, runs, strict=True):
        out, err = process.communicate(timeout=600)
        results.append((name, kind, request, process.returncode, out, err))

    fsck(bare)
    assert_linear(bare, [start_tip])
    contested = {name for name, kind, _ in runs if kind in ("workload", "display")}
    for name, kind, _request, code, _out, err in results:
        assert "Traceback" not in err and code in (0, 1), f"{name} ({kind}): exit {code}\n{err}"
        if code == 1:  # either run of a contested name may be the loser
            assert name in contested and any(text in err for text in CONFLICT), f"{name}: {err}"
    by_name: dict[str, list[tuple[str, int, str, str]]] = {}
    for name, kind, _request, code, out, _err in results:
        landed = json.loads(out) if code == 0 else {"action": "", "commit": ""}
        by_name.setdefault(name, []).append((kind, code, landed["action"], landed["commit"] or ""))
    for name in names:
        outcomes = by_name[name]
        subjects = landings(bare, name)
        creates = [s for s in subjects if s.startswith("vend: create")]
        assert len(creates) == 1, f"{name}: {subjects}"
        # Identical runs in the same second build the very same commit: both may report creating it.
        winners = {o[3] for o in outcomes if o[1] == 0 and o[2] == "create"}
        assert len(winners) == 1, f"{name}: exactly one commit creates it: {outcomes}"
        if outcomes[-1][0] == "workload":
            assert sorted(code for _, code, _, _ in outcomes) == [0, 1], f"{name}: {outcomes}"
        if outcomes[-1][0] == "identical":
            assert all(code == 0 and action in ("create", "noop") for _, code, action, _ in outcomes), outcomes
        updates = [o for o in outcomes if o[2] == "update"]
        assert len(subjects) == 1 + len(updates), f"{name}: one commit per run that changed it: {subjects}"
    stored = set(git(bare, "ls-tree", "-r", "--name-only", "main", "requests").split())
    assert stored == {f"requests/{name}.json" for name in names}, "nothing lost, nothing extra"
    checked = vending(make_clone(bare, tmp_path / "verify"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
