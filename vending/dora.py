"""DORA metrics of the vending flow, from trunk's history alone (pure: takes commits, returns figures).

- Deployment frequency: vend commits (those with a `Vending-Action` trailer) per ISO week, by action. With
  GitOps a commit on trunk is what the CD tool deploys; whether that deployment then succeeded in Azure is
  not on trunk.
- Lead time for changes: commit time minus `Vending-Requested-At` (when the request was made: the pipeline
  run's start), for the commits that carry it; the others are counted as not measured.
- Change failure rate: the share of vend commits that a later commit on trunk reverts (`git revert`). A
  failure fixed forward by another update, or a deployment that failed in the CD tool, leaves no mark on
  trunk that can be told from an ordinary change, so it is not counted.
- Time to restore: from a reverted vend commit to the revert landing on trunk.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from vending.trunk_log import Commit, iso, parse_iso

ACTION_ORDER = ("create", "update", "decommission")

NOT_MEASURED = [
    "Deployments that failed in the CD tool (a Terraform apply or a Crossplane reconcile) leave no mark on "
    "trunk: change failure rate and time to restore count only vend commits reverted on trunk.",
    "A failure fixed forward by a later update cannot be told from an ordinary update, so it is not counted.",
    "Lead time starts when the pipeline run started (Vending-Requested-At); time before that (a request "
    "waiting for someone to queue it, or a run waiting for an agent) is not on trunk. Commits without the "
    "trailer (vended outside Azure Pipelines, or before it existed) have no lead time.",
]


def week_of(moment: datetime.datetime) -> tuple[str, datetime.date]:
    """The ISO week (`2026-W03`) of `moment` in UTC and the Monday it starts on."""
    day = moment.astimezone(datetime.UTC).date()
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - datetime.timedelta(days=weekday - 1)


def _actions(vends: Sequence[Commit]) -> list[str]:
    seen = {c.action for c in vends if c.action}
    return [a for a in ACTION_ORDER if a in seen] + sorted(seen - set(ACTION_ORDER))


def deployment_frequency(vends: Sequence[Commit]) -> dict[str, Any]:
    """Vend commits per ISO week, by action, every week from the first vend to the last (empty ones too)."""
    actions = _actions(vends)
    if not vends:
        return {"actions": actions, "weeks": [], "total": 0, "weeksSpanned": 0, "perWeek": None}
    counts: dict[datetime.date, dict[str, int]] = {}
    for commit in vends:
        _name, monday = week_of(commit.committed)
        per_action = counts.setdefault(monday, {})
        per_action[commit.action or ""] = per_action.get(commit.action or "", 0) + 1
    first, last = min(counts), max(counts)
    weeks = []
    monday = first
    while monday <= last:
        per_action = counts.get(monday, {})
        weeks.append({"week": week_of(datetime.datetime.combine(monday, datetime.time(), datetime.UTC))[0],
                      "start": monday.isoformat(), "counts": {a: per_action.get(a, 0) for a in actions},
                      "total": sum(per_action.values())})
        monday += datetime.timedelta(days=7)
    return {"actions": actions, "weeks": weeks, "total": len(vends), "weeksSpanned": len(weeks),
            "perWeek": round(len(vends) / len(weeks), 2)}


def _stats(seconds: list[float]) -> dict[str, Any]:
    """count, median, p90 (nearest rank), min and max of `seconds`; None for each when there are none."""
    if not seconds:
        return {"count": 0, "medianSeconds": None, "p90Seconds": None, "minSeconds": None, "maxSeconds": None}
    ordered = sorted(seconds)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"count": len(ordered), "medianSeconds": median, "p90Seconds": ordered[math.ceil(0.9 * len(ordered)) - 1],
            "minSeconds": ordered[0], "maxSeconds": ordered[-1]}


def lead_time(vends: Sequence[Commit]) -> dict[str, Any]:
    measured = []
    samples = []
    for commit in vends:
        requested = parse_iso(commit.trailers.get("Vending-Requested-At", ""))
        if requested is None:
            continue
        seconds = (commit.committed - requested).total_seconds()
        measured.append(seconds)
        samples.append({"commit": commit.commit, "requestedAt": iso(requested), "committed": iso(commit.committed),
                        "seconds": seconds})
    return {**_stats(measured), "notMeasured": len(vends) - len(measured), "commits": samples}


def failures(vends: Sequence[Commit], history: Sequence[Commit]) -> dict[str, Any]:
    """Change failure rate and time to restore from the reverts of vend commits in `history`."""
    by_id = {c.commit: c for c in vends}
    restored: dict[str, Commit] = {}
    for commit in sorted(history, key=lambda c: c.committed):
        if commit.reverts in by_id and commit.reverts not in restored:
            restored[commit.reverts] = commit
    reverted: list[dict[str, Any]] = [
        {"commit": sha, "subscription": by_id[sha].trailers.get("Vending-Request") or None,
         "action": by_id[sha].action, "revertedBy": revert.commit,
         "seconds": (revert.committed - by_id[sha].committed).total_seconds()}
        for sha, revert in sorted(restored.items(), key=lambda item: item[1].committed)]
    return {
        "changeFailureRate": round(len(reverted) / len(vends), 4) if vends else None,
        "failed": len(reverted),
        "vendCommits": len(vends),
        "timeToRestore": _stats([r["seconds"] for r in reverted]),
        "reverted": reverted,
    }


def metrics(history: Sequence[Commit]) -> dict[str, Any]:
    """Every figure, from all commits of trunk's history (newest first or in any order)."""
    vends = sorted((c for c in history if c.action), key=lambda c: c.committed)
    return {
        "deploymentFrequency": deployment_frequency(vends),
        "leadTime": lead_time(vends),
        "failures": failures(vends, history),
        "notMeasured": NOT_MEASURED,
    }
