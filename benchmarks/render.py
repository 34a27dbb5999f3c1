"""Benchmark rendering: N synthetic requests, both targets. Run by hand, write results down.

    .venv/bin/python benchmarks/render.py 1 1000 10000

For each N it reports
- pure render: Request models -> files in memory (the render step alone), wall time and peak
  Python heap (tracemalloc);
- render --all: a real `vending render --all` process on a repository holding N stored requests
  (load, validate, upgrade, render, plan, atomic writes), wall time and peak RSS;
and once, one request end to end: `vending render <request>` from process start to files written.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from vending.config import load_config
from vending.intake import accept
from vending.records import dated, parse_record
from vending.render.targets import render_request

ROOT = Path(__file__).resolve().parent.parent
VENDING = str(Path(sys.executable).parent / "vending")


def synthetic(index: int) -> dict[str, Any]:
    production = index % 3 == 0
    return {
        "schemaVersion": "2.0.0" if index % 2 else "1.1",
        "name": f"app{index:05d}-{'prod' if production else 'dev'}",
        "displayName": f"Application {index} ({'Production' if production else 'Dev/Test'})",
        "workload": "Production" if production else "DevTest",
        "billingScope": "/providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321",
        "managementGroup": "corp" if production else "sandbox",
        "location": "uksouth",
        "requestedBy": f"owner{index}@contoso.com",
        "ticket": f"CHG{index:07d}",
        "tags": {"costCenter": str(1000 + index % 50), "app": f"app{index}"},
        **({"budgets": {"monthly": {"amount": 1000 + index, "timeGrain": "Monthly", "notifications": {
            "actual-80": {"threshold": 80, "contactEmails": ["finops@contoso.com"]},
            "forecast-100": {"threshold": 100, "thresholdType": "Forecasted",
                             "contactEmails": ["finops@contoso.com"]}}}},
           "roleAssignments": {"owners": {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                                          "definition": "Owner", "principalType": "Group"}}}
           if index % 2 else
           {"budget": {"amount": 500, "timeGrain": "Monthly", "thresholds": [80, 100],
                       "contactEmails": ["finops@contoso.com"]},
            "roleAssignments": [{"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "Reader"}]}),
        # 10.1.0.0 up: clear of the example hub (10.0.0.0/16) and pools (10.100.0.0/16 up); unique to 25,344.
        "network": {"addressSpace": [f"10.{index // 256 % 99 + 1}.{index % 256}.0/24"], "hubPeering": True},
    }


def synthetic_record(index: int) -> bytes:
    """The record of `synthetic(index)`, as if it had been vended in January 2026."""
    key = "monthly" if index % 2 else "default"
    return json.dumps({"budgets": {key: {"startDate": "2026-01-01"}}}).encode()


def write_fleet(root: Path, count: int) -> None:
    """`count` stored requests and their records under `root`."""
    (root / "requests").mkdir()
    (root / "records").mkdir()
    for index in range(count):
        doc = synthetic(index)
        (root / "requests" / f"{doc['name']}.json").write_text(json.dumps(doc))
        (root / "records" / f"{doc['name']}.json").write_bytes(synthetic_record(index))


def make_repo(count: int) -> Path:
    root = Path(tempfile.mkdtemp(prefix="vending-bench-"))
    shutil.copy(ROOT / "vending.yaml", root / "vending.yaml")
    write_fleet(root, count)
    return root


def pure_render(count: int) -> tuple[float, float]:
    config = load_config(ROOT)
    requests = [dated(accept(json.dumps(synthetic(i)).encode(), f"{i}.json"),
                      parse_record(synthetic_record(i), f"{i}.json"), config).request for i in range(count)]
    start = time.perf_counter()
    total = 0
    for request in requests:
        total += len(render_request(request, config, ["terraform", "crossplane"]))
    elapsed = time.perf_counter() - start
    assert total == 2 * count
    tracemalloc.start()  # a second pass: tracemalloc slows allocation down too much to time with it
    for request in requests:
        render_request(request, config, ["terraform", "crossplane"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20


def process(*args: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([VENDING, *args], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main(counts: list[int]) -> None:
    print(f"{'N':>7} | {'pure render s':>13} | {'heap MiB':>8} | {'render --all s':>14} | {'peak RSS MiB':>12}")
    for count in counts:
        seconds, heap = pure_render(count)
        root = make_repo(count)
        try:
            wall, rss = process("render", "--all", "--repo", str(root))
        finally:
            shutil.rmtree(root)
        print(f"{count:>7} | {seconds:>13.3f} | {heap:>8.1f} | {wall:>14.3f} | {rss:>12.1f}")
    root = make_repo(1)
    request = next((root / "requests").iterdir())
    runs = [process("render", str(request), "--repo", str(root))[0] for _ in range(15)]
    shutil.rmtree(root)
    print(f"one request end to end (vending render REQUEST): median {statistics.median(runs) * 1000:.0f} ms, "
          f"min {min(runs) * 1000:.0f} ms over {len(runs)} runs")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 1000, 10000])
