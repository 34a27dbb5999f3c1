"""One vending run against a clone: settle the remote, land the change, bring the checkout along."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vending.errors import GitError
from vending.gitops import git
from vending.gitops.push import Budget, Landed, base_commit, follow, land
from vending.gitops.tree import object_format
from vending.gitops.vend import Proposal, trunk_config

ProposeAt = Callable[[str | None, str], Proposal]
"""(tip, object format) -> the change on that tip."""


@dataclass(frozen=True, slots=True)
class Outcome:
    landed: Landed
    name: str
    note: str | None


def vend(start: Path, *, remote: str, branch: str, push: bool, propose_at: ProposeAt) -> Outcome:
    repo = git.top_level(start)
    has_remote = git.has_remote(repo, remote)
    if push and not has_remote:
        raise GitError(f"the clone has no remote {remote!r} to push to; pass --remote NAME, or --no-push "
                       "to commit locally")
    upstream = remote if has_remote else None
    settings = trunk_config(repo, base_commit(repo, upstream, branch, push=push)).git
    budget = Budget(attempts=settings.push_attempts, seconds=settings.push_budget_seconds,
                    initial_delay=settings.push_initial_delay_seconds)
    fmt = object_format(repo)
    names: list[str] = []

    def propose(tip: str | None) -> Proposal:
        proposal = propose_at(tip, fmt)
        names.append(proposal.name)
        return proposal

    landed = land(repo, remote=upstream, branch=branch, propose=propose, settings=settings, push=push,
                  budget=budget)
    note = None
    if landed.commit is not None:
        note = _bring_checkout(repo, branch, landed.commit, push=push, old=landed.tip)
    return Outcome(landed=landed, name=names[-1], note=note)


def _bring_checkout(repo: Path, branch: str, commit: str, *, push: bool, old: str | None) -> str | None:
    if not push and git.symbolic_head(repo) != f"refs/heads/{branch}":
        # Keep the local commit reachable: the branch moves to it (fast-forward only).
        git.run(repo, ["update-ref", f"refs/heads/{branch}", commit, old or "0" * 40])
    return follow(repo, branch, commit)


def environment() -> dict[str, str]:
    return dict(os.environ)
