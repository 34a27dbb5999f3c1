"""What a vending run changes on a given trunk tip: pure apart from reading that tip.

Everything is derived from the tip itself (its vending.yaml, its stored requests, its
generated files), so a retry on a newer tip re-derives the change from scratch.
Only the subscription's own paths are looked at: no step scans the fleet.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vending import schemas
from vending.config import CONFIG_FILE, REQUESTS_DIR, Config, Git, config_from_bytes
from vending.errors import ConfigError, InvalidInput, VendingError
from vending.gitops import git
from vending.gitops.commit import Identity, message, one_line, pipeline_trailers, requester_identity
from vending.gitops.tree import blob_id
from vending.intake import Accepted, accept, request_syntax
from vending.model import Request
from vending.policy import check_policy
from vending.records import Record, dated, parse_record, record_facts, record_files, record_path
from vending.render.targets import owned, render_request
from vending.render.yaml_emit import dump
from vending.repo_files import stored_request_paths


class NotOnTrunk(VendingError):
    """The subscription a command names is not on trunk."""


@dataclass(frozen=True)
class Proposal:
    name: str
    action: str
    """create, update, decommission, or noop when trunk already holds exactly this."""
    changes: dict[str, bytes | None]
    stored_blob: str | None
    """The blob of the subscription's stored request on the tip (None: not there)."""
    message: str
    author: Identity
    settings: Git
    """The committer, signing and push settings of the tip's vending.yaml."""


def trunk_config(repo: Path, tip: str | None) -> Config:
    raw = git.show_bytes(repo, tip, CONFIG_FILE) if tip else None
    if raw is None:
        raise ConfigError(f"trunk has no {CONFIG_FILE}; a GitOps repository managed by vending needs one at its root "
                          "(see the README)")
    return config_from_bytes(raw, f"{CONFIG_FILE} (trunk {tip[:12] if tip else ''})", repo)


def stored_request(repo: Path, tip: str | None, name: str) -> tuple[str, str] | None:
    """(path, blob id) of the subscription's stored request on the tip; refused when trunk holds it twice
    or as something other than a plain file (a guard must never pick one of two answers)."""
    if tip is None:
        return None
    entries = git.ls_tree(repo, tip, stored_request_paths(REQUESTS_DIR, name))
    if len(entries) > 1:
        raise VendingError(f"trunk stores the request of {name} more than once ({', '.join(sorted(entries))}); "
                           "trunk is inconsistent there: keep one of them before vending it again")
    for path, (mode, blob) in entries.items():
        if mode not in ("100644", "100755"):
            raise VendingError(f"{path} on trunk is not a plain file (mode {mode}); vending reads only plain "
                               "files: replace it before vending it again")
        return path, blob
    return None


def read_stored(repo: Path, tip: str, path: str) -> Accepted:
    """The stored request at `path` on the tip, read as its suffix says: the same way render and check read
    it. A request trunk holds but vending cannot read is refused, never taken as absent: the guards that
    compare with it (workload, no reuse of names) must not be skipped."""
    raw = git.show_bytes(repo, tip, path)
    try:
        if raw is None:
            raise InvalidInput(path, [])
        return accept(raw, path, syntax=request_syntax(path))
    except InvalidInput as exc:
        why = f": {exc.problems[0].message}" if exc.problems else ""
        raise VendingError(
            f"the stored request {path} on trunk ({tip[:12]}) cannot be read{why}; vending compares every change "
            "with it (the workload never changes, decommissioned names are never reused), so nothing is vended "
            "until it is fixed on trunk (vending check shows every problem)") from None


def trunk_record(repo: Path, tip: str | None, name: str) -> Record | None:
    """The subscription's record on the tip (None: it has none)."""
    raw = git.show_bytes(repo, tip, record_path(name)) if tip else None
    return None if raw is None else parse_record(raw, f"{record_path(name)} (trunk {tip[:12] if tip else ''})")


def _changes(repo: Path, tip: str | None, config: Config, request: Request, record: Record, stored_path: str,
             stored_bytes: bytes, object_format: str) -> dict[str, bytes | None]:
    """The paths that differ between the tip and what the request renders (None: to remove)."""
    desired = render_request(request, config, config.targets, source=stored_path)
    desired[stored_path] = stored_bytes
    desired.update(record_files(request.name, record))
    scope = owned(request.name, config, ["terraform", "crossplane"])
    scope += stored_request_paths(REQUESTS_DIR, request.name)
    scope.append(record_path(request.name))
    present = git.ls_tree(repo, tip, [entry.rstrip("/") for entry in scope]) if tip else {}
    changes: dict[str, bytes | None] = {}
    for path, content in desired.items():
        if path not in present or present[path][1] != blob_id(content, object_format):
            changes[path] = content
    for path in present:
        if path not in desired:
            changes[path] = None
    return changes


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


def propose(repo: Path, tip: str | None, accepted: Accepted, stored_bytes: bytes, suffix: str,
            environ: Mapping[str, str], object_format: str, *, today: datetime.date,
            requested_by: str | None = None, ticket: str | None = None) -> Proposal:
    """The change that puts `accepted` (stored as `stored_bytes`) on the tip, vended on `today`: facts
    the tip's record already holds are kept, so a retry on a newer tip keeps the first-recorded ones."""
    config = trunk_config(repo, tip)
    check_policy(accepted, config)
    request = accepted.request
    stored = stored_request(repo, tip, request.name)
    previous = _previous(repo, tip, stored, request.name)
    if previous is not None and previous.state == "absent" and request.state == "present":
        raise VendingError(
            f"{request.name} was decommissioned; subscription names are never reused (the alias may still "
            "exist in Azure): choose another name")
    if previous is not None and previous.workload != request.workload:
        raise VendingError(
            f"{request.name} is a {previous.workload} subscription; its workload cannot change: Azure fixes it "
            "when the subscription is created, and its Terraform state lives under that environment's key. "
            "Vend a new subscription instead")
    if request.state == "absent":
        action = "decommission"
        if stored is None:
            raise NotOnTrunk(f"there is no subscription {request.name} on trunk to decommission")
        _check_cancellable(request, config, ever_networked=_ever_networked(repo, tip, request.name))
    else:
        action = "update" if stored is not None else "create"
    stored_path = f"{REQUESTS_DIR}/{request.name}{suffix}"
    record = record_facts(accepted, trunk_record(repo, tip, request.name), today)
    request = dated(accepted, record, config).request
    changes = _changes(repo, tip, config, request, record, stored_path, stored_bytes, object_format)
    who = requested_by or request.requested_by
    why = ticket if requested_by is not None else request.ticket
    text = message(f"vend: {action} subscription {request.name}", _body(request, action, config, who, why),
                   _trailers(request, action, who, why, environ), config.git.skip_ci)
    return Proposal(name=request.name, action=action if changes else "noop", changes=changes,
                    stored_blob=stored[1] if stored else None, message=text, author=requester_identity(who),
                    settings=config.git)


def _ever_networked(repo: Path, tip: str | None, name: str) -> bool:
    """Whether any version of the subscription's stored request on trunk asked for a network. Azure leaves
    NetworkWatcherRG behind when a network is removed, so an earlier one counts as much as the current one;
    a version vending cannot read counts as one that had a network (the guard must not pass blindly)."""
    if tip is None:
        return False
    for commit, path in git.versions(repo, tip, stored_request_paths(REQUESTS_DIR, name)):
        raw = git.show_bytes(repo, commit, path)
        try:
            if raw is None or accept(raw, path, syntax=request_syntax(path)).request.network is not None:
                return True
        except InvalidInput:
            return True
    return False


def _check_cancellable(request: Request, config: Config, *, ever_networked: bool) -> None:
    """With deletionPolicy delete, the decommission must be able to cancel the subscription."""
    if config.deletion_policy != "delete" or not (ever_networked or request.network is not None):
        return
    raise VendingError(
        f"{request.name} cannot be deleted by deletionPolicy delete: it has (or had) a virtual network, so "
        "Azure created NetworkWatcherRG (with a network watcher) in it, which Terraform does not manage, and the "
        "module's cancel retries while resources remain until it times out. Nothing was committed. Decommission "
        "it with deletionPolicy orphan, then remove NetworkWatcherRG and cancel the subscription in Azure")


def _previous(repo: Path, tip: str | None, stored: tuple[str, str] | None, name: str) -> Request | None:
    """The subscription's request as stored on the tip (None: new)."""
    if tip is None or stored is None:
        return None
    previous = read_stored(repo, tip, stored[0]).request
    if previous.name != name:
        raise VendingError(f"{stored[0]} on trunk holds the request of {previous.name!r}, not {name!r}; trunk is "
                           "inconsistent there: fix that file before vending it again")
    return previous


def decommission_document(accepted: Accepted, requested_by: str, ticket: str | None) -> bytes:
    """The stored request of a decommissioned subscription: the request as last applied, in the newest
    schema, with `state: absent`. It stays on trunk, so the name stays taken and the tree can be rebuilt."""
    document = {**accepted.upgraded, "state": "absent"}
    header = (f"Decommissioned with vending decommission, requested by {requested_by}"
              + (f" under change {ticket}" if ticket else "") + ".\n"
              "The request as it was applied before is in the history of this file.")
    return dump(document, header=header).encode("utf-8")


def propose_decommission(repo: Path, tip: str | None, name: str, requested_by: str, ticket: str | None,
                         environ: Mapping[str, str], object_format: str, today: datetime.date) -> Proposal:
    stored = stored_request(repo, tip, name)
    if stored is None or tip is None:
        raise NotOnTrunk(f"there is no subscription {name} on trunk (no {REQUESTS_DIR}/{name}.yaml or .json)")
    current = read_stored(repo, tip, stored[0])
    if current.request.name != name:
        raise VendingError(f"{stored[0]} holds the request of {current.request.name!r}, not {name!r}; trunk is "
                           "inconsistent there: fix that file before decommissioning anything")
    if current.request.state == "absent":
        return Proposal(name=name, action="noop", changes={}, stored_blob=stored[1], message="",
                        author=requester_identity(requested_by), settings=trunk_config(repo, tip).git)
    document = decommission_document(current, requested_by, ticket)
    absent = accept(document, f"{REQUESTS_DIR}/{name}.yaml")
    return propose(repo, tip, absent, document, ".yaml", environ, object_format, today=today,
                   requested_by=requested_by, ticket=ticket)
