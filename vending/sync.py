"""`vending sync`: roll a configuration change (vending.yaml on trunk) out to the whole fleet in one commit.

    open the clone and read trunk's tip
    on the tip: every stored request and its record → desired (the whole generated tree) → plan
    commit (author: the operator, not the last requester) → push; when trunk moved, derive it again on the
    new tip (`gitops.push.land`, as `vending apply` does)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vending import trunk
from vending.config import REQUESTS_DIR
from vending.desired import Subscription, desired
from vending.errors import FleetInvalid, InvalidInput, UsageError
from vending.gitops import git
from vending.gitops.commit import Commit, Identity, message, one_line, pipeline_trailers
from vending.gitops.follow import follow, keep_on_branch
from vending.gitops.push import RetryBudget, base_commit, land, open_clone
from vending.gitops.tree import GitTree, object_format_of
from vending.intake import accept, request_syntax
from vending.plan import make_plan


@dataclass(frozen=True)
class Synced:
    commit: str | None
    """None: trunk's generated files already matched its configuration."""
    changed: int
    attempts: int
    note: str | None


def operator_identity(repo: Path, author: str | None) -> Identity:
    """`--author "Name <email>"`, else the clone's git user: who rolls the change out."""
    if author is not None:
        name, _, rest = author.partition("<")
        if not rest.endswith(">") or not name.strip() or "@" not in rest:
            raise UsageError(f"--author {author!r} is not 'Name <email>'")
        return Identity(name=name.strip(), email=rest[:-1].strip())
    name = git.run(repo, ["config", "user.name"], check=False).out.strip()
    email = git.run(repo, ["config", "user.email"], check=False).out.strip()
    if not name or not email:
        raise UsageError("who runs the sync is its author: set git config user.name and user.email, or pass "
                         "--author 'Name <email>'")
    return Identity(name=name, email=email)


def run(start: Path, *, remote: str, branch: str, push: bool, author: str | None, ticket: str | None,
        environ: Mapping[str, str]) -> Synced:
    clone = open_clone(start, remote, branch, push=push)
    tip = base_commit(clone)
    if tip is None:
        raise UsageError(f"there is no branch {branch!r} to sync; trunk must exist and hold vending.yaml")
    operator = operator_identity(clone.repo, author)
    object_format = object_format_of(clone.repo)
    counted: dict[str, int] = {}
    commit_on = functools.partial(commit_sync, repo=clone.repo, object_format=object_format, operator=operator,
                                  ticket=ticket, environ=environ, counted=counted)
    budget_config = trunk.config_at(clone.repo, tip).git
    budget = RetryBudget(attempts=budget_config.push_attempts, seconds=budget_config.push_budget_seconds,
                         initial_delay=budget_config.push_initial_delay_seconds)
    landed = land(clone, tip, commit_on, budget)
    if landed.commit is not None and not push:
        keep_on_branch(clone.repo, branch, landed.commit)
    target = landed.commit or landed.tip
    note = follow(clone.repo, branch, target) if target is not None else None
    return Synced(commit=landed.commit, changed=counted.get("changed", 0), attempts=landed.attempts, note=note)


def commit_sync(tip: str | None, *, repo: Path, object_format: str, operator: Identity, ticket: str | None,
                environ: Mapping[str, str], counted: dict[str, int]) -> Commit | None:
    """The commit that brings every generated file on `tip` in line with the tip's vending.yaml (None: it is)."""
    config = trunk.config_at(repo, tip)
    assert tip is not None  # run: trunk exists
    subscriptions, failures = [], []
    for path in sorted(git.ls_tree(repo, tip, [f"{REQUESTS_DIR}/"])):
        if path.count("/") != 1 or request_syntax(path) is None:
            continue
        try:
            accepted = accept(git.show_bytes(repo, tip, path) or b"", path, syntax=request_syntax(path))
            record = trunk.record_at(repo, tip, accepted.request.name)
        except InvalidInput as exc:
            failures.append(exc)
            continue
        subscriptions.append(Subscription(accepted=accepted, record=record, source=path))
    if failures:
        raise FleetInvalid(failures)
    plan = make_plan(desired(subscriptions, config, config.targets, fleet=True), GitTree(repo, tip, object_format))
    counted["changed"] = len(plan.changes)
    if not plan:
        return None
    asked = f"Rolled out by {one_line(operator.email)}" + (f" under change {one_line(ticket)}" if ticket else "") + "."
    body = (f"Re-render the {len(subscriptions)} stored requests with vending.yaml on trunk: {plan.summary()}.\n"
            f"{asked}")
    trailers = [("Vending-Action", "sync"), ("Requested-By", operator.email), ("Change-Ticket", ticket or ""),
                *pipeline_trailers(environ)]
    return Commit(changes=plan.files(), message=message("vend: sync the fleet with vending.yaml", body, trailers,
                                                        config.git.skip_ci),
                  author=operator, settings=config.git)
