"""One vending run against a clone: settle the remote, land the change, bring the checkout along."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vending.errors import GitError, UsageError
from vending.gitops import git
from vending.gitops.follow import follow
from vending.gitops.push import Budget, Landed, base_commit, land
from vending.gitops.tree import object_format
from vending.gitops.vend import Proposal, trunk_config

ProposeAt = Callable[[str | None, str], Proposal]
"""(tip, object format) -> the change on that tip."""


@dataclass(frozen=True)
class Outcome:
    landed: Landed
    name: str
    note: str | None


def vend(start: Path, *, remote: str, branch: str, push: bool, propose_at: ProposeAt) -> Outcome:
    repo = git.top_level(start)
    git.check_branch_name(repo, branch)
    has_remote = git.has_remote(repo, remote)
    if push and not has_remote:
        raise UsageError(f"the clone has no remote {remote!r} to push to; pass --remote NAME, or --no-push "
                         "to commit locally")
    upstream = remote if has_remote else None
    first_tip = base_commit(repo, upstream, branch, push=push)
    if first_tip is None:
        raise UsageError(f"there is no branch {branch!r} to vend onto{f' on {remote}' if upstream else ''}; trunk "
                         "must exist and hold vending.yaml (start it with vending init)")
    settings = trunk_config(repo, first_tip).git
    budget = Budget(attempts=settings.push_attempts, seconds=settings.push_budget_seconds,
                    initial_delay=settings.push_initial_delay_seconds)
    fmt = object_format(repo)
    names: list[str] = []

    def propose(tip: str | None) -> Proposal:
        proposal = propose_at(tip, fmt)
        names.append(proposal.name)
        return proposal

    landed = land(repo, remote=upstream, branch=branch, propose=propose, push=push, budget=budget)
    if landed.commit is not None:
        note = _bring_checkout(repo, branch, landed.commit, push=push)
    else:  # trunk already held the change: still bring a checkout left behind (by a killed run) to the tip
        note = follow(repo, branch, landed.tip) if landed.tip is not None else None
    return Outcome(landed=landed, name=names[-1], note=note)


def _bring_checkout(repo: Path, branch: str, commit: str, *, push: bool) -> str | None:
    if not push and git.symbolic_head(repo) != f"refs/heads/{branch}":
        # Keep the local commit reachable: the branch moves to it, fast-forward only (an agent's
        # detached checkout may have no local branch at all).
        local = git.resolve(repo, f"refs/heads/{branch}")
        if local is not None and not git.is_ancestor(repo, local, commit):
            raise GitError(f"the local {branch} moved while this run was committing; {commit[:12]} is on no branch")
        git.run(repo, ["update-ref", f"refs/heads/{branch}", commit, local or "0" * len(commit)])
    return follow(repo, branch, commit)
