from __future__ import annotations

import os
from pathlib import Path

import pytest

from vending.desired import Desired
from vending.errors import Bug
from vending.plan import Change, Plan, WorkingTree, make_plan
from vending.writer import apply_plan, write_atomic


def test_a_crash_while_writing_keeps_the_old_bytes_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "generated" / "x.json"
    target.parent.mkdir()
    target.write_bytes(b"old\n")

    def crash(fd: int) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_only_owned_paths_are_written(tmp_path: Path) -> None:
    for path in ("vending.yaml", "requests/a.yaml", "generated/../vending.yaml", "interface/request/1.0.0.schema.json"):
        with pytest.raises(Bug, match="refusing to write"):
            apply_plan(tmp_path, Plan(changes=(Change(path=path, kind="added", new=b"x"),)))
    assert list(tmp_path.iterdir()) == []


def test_plan_then_apply_round_trip(tmp_path: Path) -> None:
    (tmp_path / "generated" / "old").mkdir(parents=True)
    (tmp_path / "generated" / "old" / "gone.json").write_text("{}\n")
    (tmp_path / "generated" / "keep.json").write_text("same\n")
    desired = {"generated/keep.json": b"same\n", "generated/new/file.json": b"new\n"}
    plan = make_plan(Desired(desired, ["generated/"]), WorkingTree(tmp_path))
    assert [(c.kind, c.path) for c in plan.changes] == [
        ("added", "generated/new/file.json"), ("removed", "generated/old/gone.json")]
    apply_plan(tmp_path, plan)
    assert not make_plan(Desired(desired, ["generated/"]), WorkingTree(tmp_path))
    assert not (tmp_path / "generated" / "old").exists()
