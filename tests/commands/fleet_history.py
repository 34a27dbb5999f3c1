"""A GitOps repository with a known, dated history, made by the real `vending apply` and `decommission`.

Commit dates are set through GIT_AUTHOR_DATE / GIT_COMMITTER_DATE (vending's git seam passes them on), and
the runs that stand for Azure Pipelines set TF_BUILD and SYSTEM_PIPELINESTARTTIME, so every DORA figure is
known exactly:

    week       commit                                         requested at (pipeline start)   lead time
    2026-W02   seed (by hand)                   01-05 09:00Z
    2026-W02   create app-one     (pin 1.1)     01-06 10:30Z  2026-01-06 10:00:00+00:00       1800 s
    2026-W02   create app-two     (pin 1.0)     01-07 10:00Z  2026-01-07 09:00:00+01:00       7200 s
    2026-W03   (no vend commit)
    2026-W04   update app-one     (ticket)      01-20 12:00Z  (not a pipeline run)
    2026-W04   create app-three   (pin 2)       01-21 09:10Z  2026-01-21 09:00:00+00:00        600 s
    2026-W04   revert of that create (by hand)  01-21 11:10Z  -> time to restore 7200 s
    2026-W04   create app-four    (pin 2.0.0)   01-22 08:00Z  (not a pipeline run)
    2026-W04   decommission app-four            01-22 09:00Z  (not a pipeline run)

Six vend commits over three weeks (2.0 a week), one reverted (change failure rate 1/6).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..conftest import ROOT, VENDED_ON

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
PIPELINE = {"TF_BUILD": "True", "BUILD_BUILDID": "101", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
            "SYSTEM_TEAMPROJECT": "Platform"}
RUN_LINK = "https://dev.azure.com/contoso/Platform/_build/results?buildId=101"
DISPLAY_ONE = "Tom & \"Jerry's\" app"


def dated(moment: str) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False,
                            env={**os.environ, **GIT_ENV, **(env or {})})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def vending(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """The real CLI in its own process; its standard output."""
    clean = {k: v for k, v in os.environ.items() if k not in PIPELINE and k != "SYSTEM_PIPELINESTARTTIME"}
    result = subprocess.run([sys.executable, "-m", "vending", *args], cwd=repo, capture_output=True, text=True,
                            check=False, timeout=120,
                            env={**clean, **GIT_ENV, "VENDING_TODAY": VENDED_ON.isoformat(), **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def request(directory: Path, name: str, pin: str, **fields: object) -> Path:
    doc = {"schemaVersion": pin, "name": name, "displayName": f"App {name}", "workload": "DevTest",
           "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
           "managementGroup": "corp", "location": "uksouth", "requestedBy": f"{name}@contoso.com", **fields}
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


@dataclass(frozen=True)
class History:
    repo: Path
    commits: dict[str, str]
    """step -> commit id: seed, create-one, create-two, update-one, create-three, revert-three, create-four,
    decommission-four."""


def apply(repo: Path, path: Path, moment: str, started: str | None = None) -> str:
    env = dated(moment)
    if started is not None:
        env.update(PIPELINE, SYSTEM_PIPELINESTARTTIME=started)
    vending(repo, "apply", str(path), "--no-push", env=env)
    return git(repo, "rev-parse", "HEAD")


def build(base: Path) -> History:
    repo = base / "gitops"
    asks = base / "asks"
    asks.mkdir(parents=True)
    git(base, "init", "--quiet", "--initial-branch=main", str(repo))
    shutil.copy(ROOT / "vending.yaml", repo / "vending.yaml")
    vending(repo, "render", "--all")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "Start the GitOps repository", env=dated("2026-01-05T09:00:00Z"))
    commits = {"seed": git(repo, "rev-parse", "HEAD")}
    one = request(asks, "app-one", "1.1", displayName=DISPLAY_ONE, managementGroup="online", location="westeurope")
    commits["create-one"] = apply(repo, one, "2026-01-06T10:30:00Z", "2026-01-06 10:00:00+00:00")
    two = request(asks, "app-two", "1.0", workload="Production", requestedBy="bob@contoso.com", ticket="CHG0000002")
    commits["create-two"] = apply(repo, two, "2026-01-07T10:00:00Z", "2026-01-07 09:00:00+01:00")
    one = request(asks, "app-one", "1.1", displayName=DISPLAY_ONE, managementGroup="online", location="westeurope",
                  ticket="CHG0000001")
    commits["update-one"] = apply(repo, one, "2026-01-20T12:00:00Z")
    three = request(asks, "app-three", "2")
    commits["create-three"] = apply(repo, three, "2026-01-21T09:10:00Z", "2026-01-21 09:00:00+00:00")
    git(repo, "revert", "--no-edit", commits["create-three"], env=dated("2026-01-21T11:10:00Z"))
    commits["revert-three"] = git(repo, "rev-parse", "HEAD")
    four = request(asks, "app-four", "2.0.0", workload="Production")
    commits["create-four"] = apply(repo, four, "2026-01-22T08:00:00Z")
    vending(repo, "decommission", "app-four", "--confirm", "app-four", "--requested-by", "ops@contoso.com",
            "--ticket", "CHG0000004", "--no-push", env=dated("2026-01-22T09:00:00Z"))
    commits["decommission-four"] = git(repo, "rev-parse", "HEAD")
    return History(repo=repo, commits=commits)
