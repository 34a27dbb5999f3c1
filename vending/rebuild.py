"""The restore the README promises, measured: rebuild the generated tree from the stored requests alone.

The inputs (`vending.yaml`, `requests/`, `records/`) of a snapshot are copied into a temporary directory,
`render --all` runs there (the same path as the command: every request rendered, the plan written), and the
result is compared with what the snapshot holds.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vending.config import CONFIG_FILE, REQUESTS_DIR, load_config
from vending.desired import for_fleet
from vending.fleet_view import PLAIN_MODES, Snapshot
from vending.plan import WorkingTree, make_plan
from vending.records import RECORDS_DIR
from vending.repo_files import inside
from vending.writer import apply_plan

INPUTS = (REQUESTS_DIR, RECORDS_DIR)


@dataclass(frozen=True)
class Rebuild:
    seconds: float
    """Wall-clock time of `render --all` (render every request, write every file)."""
    files: int
    differing: list[str]
    """Paths where the snapshot's generated tree differs from the rebuild (empty: the restore is exact)."""

    def as_json(self) -> dict[str, object]:
        return {"seconds": round(self.seconds, 3), "files": self.files,
                "matchesTree": not self.differing, "differing": self.differing}


def _copy_inputs(snapshot: Snapshot, target: Path) -> None:
    paths = {CONFIG_FILE: "100644"}
    for directory in INPUTS:
        paths.update(snapshot.files(directory))
    for relative, mode in paths.items():
        content = snapshot.read(relative) if mode in PLAIN_MODES else None
        if content is not None:
            destination = inside(target, relative)  # a crafted tree's `..` must not write outside the copy
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)


def rebuild(snapshot: Snapshot) -> Rebuild:
    with tempfile.TemporaryDirectory(prefix="vending-rebuild-") as scratch:
        root = Path(scratch)
        _copy_inputs(snapshot, root)
        config = load_config(root)
        targets = list(config.targets)
        started = time.perf_counter()
        desired = for_fleet(config, targets)
        apply_plan(root, make_plan(desired, WorkingTree(root)))
        seconds = time.perf_counter() - started
    differing = snapshot.differing(desired.files, desired.scope)
    return Rebuild(seconds=seconds, files=len(desired.files), differing=differing)
