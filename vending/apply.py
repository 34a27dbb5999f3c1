"""Vend onto trunk: the whole run of `vending apply` and `vending decommission`, top to bottom.

    open the clone and read trunk's tip
    propose on the tip: read trunk (vending.yaml, the stored request, the record) → guards
        → desired (policy, render) → plan against the tip's tree → commit message
    commit → push; when trunk moved, propose again on the new tip (`land` retries)
    bring the checkout along

`vending.trunk` reads trunk and holds the guards; `desired` and `plan` are the ones `render` and `check`
use; `vending.gitops` is git itself and knows nothing of requests.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vending import guardrails, schemas, trunk
from vending.addresses import INDEX_PATH
from vending.config import REQUESTS_DIR, Config
from vending.desired import Desired, Subscription, desired
from vending.errors import Conflict, UsageError
from vending.fleet_addresses import index_files, vend_addresses
from vending.fleet_index import FLEET_INDEX
from vending.gitops.commit import Commit, Identity, message, one_line, pipeline_trailers, requester_identity
from vending.gitops.follow import follow, keep_on_branch
from vending.gitops.push import RetryBudget, base_commit, land, open_clone
from vending.gitops.tree import GitTree, object_format_of
from vending.intake import Accepted, accept
from vending.model import Request
from vending.plan import Plan, make_plan
from vending.records import dated, record_facts
from vending.render.targets import TARGETS
from vending.render.yaml_emit import dump
from vending.schema_defaults import with_defaults


@dataclass(frozen=True)
class Submitted:
    """`vending apply`: a request as submitted, stored on trunk byte for byte."""

    accepted: Accepted
    raw: bytes
    suffix: str
    """`.yaml` or `.json`: how the stored request is named and read."""
    accept_changes: tuple[str, ...] = ()
    """The guardrails (`vending.guardrails.KINDS`) this run overrides by name."""

    @property
    def name(self) -> str:
        return self.accepted.request.name


@dataclass(frozen=True)
class Decommission:
    """`vending decommission NAME`: the request trunk holds, stored again with `state: absent`."""

    name: str
    requested_by: str
    ticket: str | None


Ask = Submitted | Decommission


@dataclass(frozen=True)
class Proposal:
    """The change that puts what a run asks for on one tip of trunk."""

    tip: str | None
    config: Config
    """The tip's vending.yaml (committer, signing, push retries)."""
    action: str
    """create, update or decommission; the plan is empty when the tip already holds the change."""
    stored_blob: str | None
    """The blob of the subscription's stored request on the tip (None: not there)."""
    plan: Plan
    message: str
    author: Identity


@dataclass(frozen=True)
class Outcome:
    name: str
    action: str
    """create, update, decommission, or noop when trunk already held the change."""
    commit: str | None
    attempts: int
    note: str | None
    """Why the checkout was left as it was, if it was."""


def run(ask: Ask, start: Path, *, remote: str, branch: str, push: bool, environ: Mapping[str, str],
        today: datetime.date) -> Outcome:
    """Land what `ask` asks for on trunk (`branch` of `remote`, from the clone at or above `start`) and bring
    the clone's checkout along; `today` is the day facts such as budget starts are recorded on."""
    clone = open_clone(start, remote, branch, push=push)
    tip = base_commit(clone)
    if tip is None:
        raise UsageError(f"there is no branch {branch!r} to vend onto{f' on {remote}' if clone.remote else ''}; "
                         "trunk must exist and hold vending.yaml (start it with vending init)")
    object_format = object_format_of(clone.repo)
    first = propose(clone.repo, tip, ask, object_format, environ, today)
    settings = first.config.git
    budget = RetryBudget(attempts=settings.push_attempts, seconds=settings.push_budget_seconds,
                         initial_delay=settings.push_initial_delay_seconds)
    commit_on = functools.partial(commit_change, repo=clone.repo, branch=branch, ask=ask, first=first,
                                  object_format=object_format, environ=environ, today=today)
    landed = land(clone, tip, commit_on, budget)
    if landed.commit is not None and not push:
        keep_on_branch(clone.repo, branch, landed.commit)
    # Also when trunk already held the change: a checkout a killed run left behind comes to the tip.
    target = landed.commit or landed.tip
    note = follow(clone.repo, branch, target) if target is not None else None
    return Outcome(name=ask.name, action=first.action if landed.commit else "noop", commit=landed.commit,
                   attempts=landed.attempts, note=note)


def commit_change(tip: str | None, *, repo: Path, branch: str, ask: Ask, first: Proposal, object_format: str,
                  environ: Mapping[str, str], today: datetime.date) -> Commit | None:
    """The commit that puts `ask` on `tip` (None: the tip already holds it); on another tip than the first
    one the change is proposed again, and refused if the subscription changed meanwhile."""
    proposal = first if tip == first.tip else propose(repo, tip, ask, object_format, environ, today)
    if not proposal.plan:
        return None
    if proposal.stored_blob != first.stored_blob:
        raise Conflict(
            f"{ask.name} was changed on {branch} by another run while this one was in flight "
            f"(trunk is now at {tip[:12] if tip else 'nothing'}); look at its history and run "
            "vending apply again if this request should still apply")
    return Commit(changes=proposal.plan.files(), message=proposal.message, author=proposal.author,
                  settings=proposal.config.git)


def propose(repo: Path, tip: str | None, ask: Ask, object_format: str, environ: Mapping[str, str],
            today: datetime.date) -> Proposal:
    """The change that puts `ask` on `tip`, vended on `today`: facts the tip's record already holds are kept,
    so a retry on a newer tip keeps the first-recorded ones."""
    config = trunk.config_at(repo, tip)
    inputs = trunk.policy_inputs_at(repo, tip) if tip is not None else None
    stored = trunk.stored_request(repo, tip, ask.name)
    previous = trunk.read_stored(repo, tip, stored.path) if tip is not None and stored is not None else None
    if isinstance(ask, Decommission):
        current = trunk.check_decommissionable(stored, previous, ask.name)
        if current.request.state == "absent":
            return Proposal(tip=tip, config=config, action="decommission", stored_blob=stored.blob if stored else None,
                            plan=Plan(changes=()), message="", author=requester_identity(ask.requested_by))
        raw = decommission_document(current, ask.requested_by, ask.ticket)
        accepted, suffix = accept(raw, f"{REQUESTS_DIR}/{ask.name}.yaml"), ".yaml"
        requested_by, ticket = ask.requested_by, ask.ticket
    else:
        if stored is not None and previous is not None:
            trunk.check_same_name(stored, previous.request, ask.name)
        accepted, raw, suffix = ask.accepted, ask.raw, ask.suffix
        if stored is not None and previous is not None and tip is not None and same_meaning(accepted, previous):
            # Re-sent unchanged (through the pipeline, upgraded to the newest schema as JSON): keep what trunk
            # stores, its file, comments and pin, so the run is a no-op instead of a rewrite.
            accepted, raw, suffix = previous, trunk.stored_bytes(repo, tip, stored.path), Path(stored.path).suffix
        requested_by, ticket = accepted.request.requested_by, accepted.request.ticket
    request = accepted.request
    action = trunk.check_change(request, previous.request if previous else None, stored)
    if action == "decommission" and tip is not None:
        trunk.check_cancellable(repo, tip, request, config)
    accepted_changes = guardrails.guard(accepted, previous.request if previous else None, config,
                                        ask.accept_changes if isinstance(ask, Submitted) else ())
    record = record_facts(accepted, trunk.record_at(repo, tip, ask.name), today)
    # The fleet's address space, read by path on this tip: a retry on a newer tip allocates again from it.
    record, addresses = vend_addresses(accepted, record, trunk.address_index_at(repo, tip), config)
    subscription = Subscription(accepted=accepted, record=record, source=f"{REQUESTS_DIR}/{ask.name}{suffix}",
                                stored=raw)
    # Every target's files of the subscription are its own, also those of a target no longer configured.
    wanted = desired([subscription], config, config.targets, fleet=False, owned_targets=list(TARGETS),
                     policy_inputs=inputs)
    indexes = index_files(addresses)
    if inputs is not None:  # the fleet index, read by path on the tip and changed for this subscription only
        indexes[FLEET_INDEX] = trunk.fleet_index_with(inputs, dated(accepted, record, config).request)
    wanted = Desired(files={**wanted.files, **indexes}, scope=[*wanted.scope, INDEX_PATH, FLEET_INDEX])
    plan = make_plan(wanted, GitTree(repo, tip, object_format))
    trailers = [*_trailers(request, action, requested_by, ticket, environ),
                *(change.trailer() for change in accepted_changes)]
    text = message(f"vend: {action} subscription {request.name}", _body(request, action, config, requested_by, ticket),
                   trailers, config.git.skip_ci)
    return Proposal(tip=tip, config=config, action=action, stored_blob=stored.blob if stored else None, plan=plan,
                    message=text, author=requester_identity(requested_by))


def same_meaning(submitted: Accepted, stored: Accepted) -> bool:
    """Whether two requests say the same thing: equal once upgraded to the newest schema with its defaults
    written out, whatever their pins, syntax, comments or editor `$schema` keys."""
    return meaning(submitted) == meaning(stored)


def meaning(accepted: Accepted) -> object:
    newest = schemas.latest().name
    document = {key: value for key, value in accepted.upgraded.items() if key not in ("schemaVersion", "$schema")}
    return with_defaults(document, schemas.schema_for(newest))


def decommission_document(accepted: Accepted, requested_by: str, ticket: str | None) -> bytes:
    """The stored request of a decommissioned subscription: the request as last applied, in the newest
    schema, with `state: absent`. It stays on trunk, so the name stays taken and the tree can be rebuilt."""
    document = {**accepted.upgraded, "state": "absent"}
    header = (f"Decommissioned with vending decommission, requested by {requested_by}"
              + (f" under change {ticket}" if ticket else "") + ".\n"
              "The request as it was applied before is in the history of this file.")
    return dump(document, header=header).encode("utf-8")


def _trailers(request: Request, action: str, requested_by: str, ticket: str | None,
              environ: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        ("Vending-Request", request.name),
        ("Vending-Action", action),
        ("Vending-Schema-Pinned", request.schema_pin),
        ("Vending-Schema-Resolved", request.schema_version),
        ("Vending-Schema-Model", schemas.latest().name),
        ("Requested-By", requested_by),
        ("Change-Ticket", ticket or ""),
        *pipeline_trailers(environ),
    ]


def _body(request: Request, action: str, config: Config, requested_by: str, ticket: str | None) -> str:
    """Free text from the request is put on one line: the body must not imitate trailers."""
    asked = f"Requested by {one_line(requested_by)}" + (f" under change {one_line(ticket)}" if ticket else "") + "."
    display = one_line(request.display_name)
    if action == "decommission":
        policy = ("delete: the subscription is cancelled when this change is deployed"
                  if config.deletion_policy == "delete" else
                  "orphan: Azure keeps the subscription and its resources; Git stops managing it")
        return f'Decommission {request.workload} subscription "{display}".\n' \
               f"Deletion policy {policy}.\n{asked}"
    return (f'{request.workload} subscription "{display}" in management group '
            f"{request.management_group}, {request.location}.\n{asked}")
