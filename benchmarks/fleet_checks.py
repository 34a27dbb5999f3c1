"""Benchmark the fleet's address checks for one request against N subscriptions on trunk.

    .venv/bin/python benchmarks/fleet_checks.py 100 10000

For each N it builds a git repository whose main holds N stored requests, their records and what
`vending render --all` makes of them (so `generated/addresses.json` holds N prefixes), then times,
in one process, what a vend of one new request does with addresses (fleet_addresses.vend_addresses):
read the index at the tip by path (`git show main:generated/addresses.json`), parse it, allocate
a /24 asked for by size (the pools are where the fleet's prefixes are, so the first free one lies
past all N of them), check the invariant against every other prefix, hub and reserved range, and
write the updated index. It reports the median and the slowest of the runs, and the steps' shares.
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

from vending.addresses import INDEX_PATH, allocate, check_against, parse_index, updated_index
from vending.config import load_config
from vending.intake import accept
from vending.prefixes import span

ROOT = Path(__file__).resolve().parent.parent
VENDING = str(Path(sys.executable).parent / "vending")
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
# The pools of the benchmark's DevTest requests in uksouth cover the synthetic fleet (10.1.0.0 to 10.63.255.255),
# so allocation walks past every prefix already held.
POOLS = '["10.1.0.0/16", "10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12", "10.32.0.0/11"]'


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True).stdout.decode()


def trunk_with(count: int, work: Path) -> Path:
    repo = work / "trunk"
    run("git", "init", "--quiet", "--initial-branch=main", str(repo), cwd=work)
    config = (ROOT / "vending.yaml").read_text().replace('DevTest: ["10.200.0.0/16"]', f"DevTest: {POOLS}", 1)
    (repo / "vending.yaml").write_text(config)
    write_fleet(repo, count)
    run(VENDING, "render", "--all", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "--quiet", "-m", f"{count} subscriptions", cwd=repo)
    return repo


def request_bytes() -> bytes:
    doc = synthetic(99_999)
    doc.update(schemaVersion="2.1", name="new-dev", workload="DevTest",
               network={"addressSpace": [{"size": 24}, "10.99.0.0/24"], "hubPeering": True})
    return json.dumps(doc).encode()


def vend_checks(repo: Path, raw_request: bytes) -> tuple[float, float, float, float]:
    """(read, parse, allocate + check, update) seconds of one vend's address work."""
    config = load_config(repo)
    accepted = accept(raw_request, "new-dev.json", syntax="json")
    span.cache_clear()  # as in a new process: nothing parsed yet
    started = time.perf_counter()
    raw = subprocess.run(["git", "show", f"main:{INDEX_PATH}"], cwd=repo, env=ENV, check=True,
                         capture_output=True).stdout
    read = time.perf_counter()
    index = parse_index(raw)
    parsed = time.perf_counter()
    allocated = allocate(index, accepted.request, config)
    prefixes = [*allocated, "10.99.0.0/24"]
    assert check_against(index, "new-dev", prefixes, config) == []
    checked = time.perf_counter()
    updated_index(index, "new-dev", prefixes)
    done = time.perf_counter()
    return read - started, parsed - read, checked - parsed, done - checked


def main(counts: list[int], runs: int = 15) -> None:
    print(f"{'on trunk':>9} | {'median s':>8} | {'slowest s':>9} | read / parse / allocate+check / update (median s)")
    for count in counts:
        work = Path(tempfile.mkdtemp(prefix="vending-fleet-bench-"))
        try:
            repo = trunk_with(count, work)
            assert len(json.loads(run("git", "show", f"main:{INDEX_PATH}", cwd=repo))) == count
            raw_request = request_bytes()
            steps = [vend_checks(repo, raw_request) for _ in range(runs)]
            totals = [sum(step) for step in steps]
            shares = " / ".join(f"{statistics.median(s[i] for s in steps):.4f}" for i in range(4))
            print(f"{count:>9} | {statistics.median(totals):>8.4f} | {max(totals):>9.4f} | {shares}")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 10000])
