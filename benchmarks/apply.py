"""Benchmark `vending apply`: latency with 100 and with 10,000 subscriptions already on trunk.

    .venv/bin/python benchmarks/apply.py 100 10000

For each fleet size it builds a local bare repository whose main holds that many stored requests
and their generated files (via `vending render --all`, once), then times `vending apply` of new
requests in a clone, process start to pushed commit (validate, render, commit, push), and reports
the median and the slowest of the runs.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render import synthetic, write_fleet  # benchmarks/render.py

ROOT = Path(__file__).resolve().parent.parent
VENDING = str(Path(sys.executable).parent / "vending")
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True)


def trunk_with(count: int, work: Path) -> Path:
    bare = work / "trunk.git"
    run("git", "init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=work)
    seed = work / "seed"
    run("git", "clone", "--quiet", str(bare), str(seed), cwd=work)
    shutil.copy(ROOT / "vending.yaml", seed / "vending.yaml")
    write_fleet(seed, count)
    run(VENDING, "render", "--all", cwd=seed)
    run("git", "add", "-A", cwd=seed)
    run("git", "commit", "--quiet", "-m", f"{count} subscriptions", cwd=seed)
    run("git", "push", "--quiet", "origin", "main", cwd=seed)
    return bare


def main(counts: list[int], runs: int = 7) -> None:
    print(f"{'on trunk':>9} | {'median s':>8} | {'slowest s':>9} | runs")
    for count in counts:
        work = Path(tempfile.mkdtemp(prefix="vending-apply-bench-"))
        try:
            bare = trunk_with(count, work)
            clone = work / "agent"
            run("git", "clone", "--quiet", str(bare), str(clone), cwd=work)
            times = []
            for index in range(runs):
                doc = synthetic(100_000 + index)
                request = work / f"{doc['name']}.json"
                request.write_text(json.dumps(doc))
                start = time.perf_counter()
                run(VENDING, "apply", str(request), "--repo", str(clone), cwd=work)
                times.append(time.perf_counter() - start)
            print(f"{count:>9} | {statistics.median(times):>8.3f} | {max(times):>9.3f} | {runs}")
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 10000])
