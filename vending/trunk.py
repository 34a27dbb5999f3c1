"""What trunk holds for one subscription at a commit, and the guards a change must pass against it.

Read through the git edge (`vending.gitops.git`) by the subscription's own paths: no step scans the
fleet. A stored request trunk holds but vending cannot read is refused, never taken as absent: the
guards compare every change with it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from vending import rego
from vending.addresses import INDEX_PATH, Index
from vending.addresses import parse_index as parse_address_index
from vending.config import CONFIG_FILE, REQUESTS_DIR, Config, config_from_bytes
from vending.errors import ConfigError, InvalidInput, NotOnTrunk, VendingError
from vending.fleet_index import FLEET_INDEX, with_request_bytes
from vending.gitops import git
from vending.intake import Accepted, accept, request_syntax
from vending.model import Request
from vending.policy import PolicyInputs
from vending.records import Record, parse_record, record_path
from vending.repo_files import stored_request_paths


@dataclass(frozen=True)
class Stored:
    """Where trunk stores a subscription's request."""

    path: str
    blob: str


TIP_FILES = (CONFIG_FILE, FLEET_INDEX, INDEX_PATH)
"""The repository-wide files every vend reads at the tip, read together (one git call, not three)."""


@functools.lru_cache(maxsize=4)
def tip_files(repo: Path, tip: str) -> dict[str, bytes | None]:
    return git.show_many(repo, tip, TIP_FILES)


def config_at(repo: Path, tip: str | None) -> Config:
    """The tip's vending.yaml: trunk's policy, not the working tree's."""
    raw = tip_files(repo, tip)[CONFIG_FILE] if tip is not None else None
    if raw is None or tip is None:
        raise ConfigError(f"trunk has no {CONFIG_FILE}; a GitOps repository managed by vending needs one at its root "
                          "(see the README)")
    return config_from_bytes(raw, f"{CONFIG_FILE} (trunk {tip[:12]})", repo)


def policy_inputs_at(repo: Path, tip: str) -> PolicyInputs:
    """The tip's policy modules (policy/**.rego) and fleet index, read by path: trunk's policy, never the
    clone's working tree, which a run may not trust (an agent's checkout, a local edit)."""
    entries = git.ls_tree(repo, tip, [rego.POLICY_DIR])
    files = []
    for path, (mode, _blob) in sorted(entries.items()):
        if not path.endswith(rego.SUFFIX):
            continue
        if mode not in ("100644", "100755"):
            raise VendingError(f"{path} on trunk is not a plain file (mode {mode}); vending reads only plain "
                               "files: replace it before vending again")
        files.append((path, git.show_bytes(repo, tip, path) or b""))
    return PolicyInputs(modules=rego.modules_from(files), fleet_index=tip_files(repo, tip)[FLEET_INDEX],
                        shown=f"trunk {tip[:12]}")


def fleet_index_with(inputs: PolicyInputs, request: Request) -> bytes:
    """The tip's fleet index with the entry of `request` (what the vend commits); refused when trunk has none
    (a repository from before it: `vending render --all` writes it, `vending check` proves it)."""
    if inputs.fleet_index is None:
        raise VendingError(f"trunk ({inputs.shown}) has no {FLEET_INDEX}, the index of the fleet that policies "
                           f"read and each vend updates; run vending render --all on trunk and commit it, then "
                           "vend again")
    return with_request_bytes(inputs.fleet_index, request, f"{FLEET_INDEX} ({inputs.shown})")


def address_index_at(repo: Path, tip: str | None) -> Index:
    """The fleet's address index on the tip, read by path (none yet: no prefix is held)."""
    raw = tip_files(repo, tip)[INDEX_PATH] if tip else None
    return {} if raw is None or tip is None else parse_address_index(raw, f"{INDEX_PATH} (trunk {tip[:12]})")


def stored_request(repo: Path, tip: str | None, name: str) -> Stored | None:
    """The subscription's stored request on the tip (None: not there); refused when trunk holds it twice
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
        return Stored(path=path, blob=blob)
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


def stored_bytes(repo: Path, tip: str, path: str) -> bytes:
    """The stored request at `path` on the tip, byte for byte (it was read by `read_stored` already)."""
    raw = git.show_bytes(repo, tip, path)
    if raw is None:
        raise VendingError(f"{path} vanished from trunk ({tip[:12]}) while this run read it")
    return raw


def record_at(repo: Path, tip: str | None, name: str) -> Record | None:
    """The subscription's record on the tip (None: it has none)."""
    raw = git.show_bytes(repo, tip, record_path(name)) if tip else None
    return None if raw is None else parse_record(raw, f"{record_path(name)} (trunk {tip[:12] if tip else ''})")


def ever_networked(repo: Path, tip: str | None, name: str) -> bool:
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


def check_same_name(stored: Stored, previous: Request, name: str) -> None:
    if previous.name != name:
        raise VendingError(f"{stored.path} on trunk holds the request of {previous.name!r}, not {name!r}; trunk is "
                           "inconsistent there: fix that file before vending it again")


def check_decommissionable(stored: Stored | None, previous: Accepted | None, name: str) -> Accepted:
    """NAME's request on trunk, which `vending decommission NAME` needs."""
    if stored is None or previous is None:
        raise NotOnTrunk(f"there is no subscription {name} on trunk (no {REQUESTS_DIR}/{name}.yaml or .json)")
    if previous.request.name != name:
        raise VendingError(f"{stored.path} holds the request of {previous.request.name!r}, not {name!r}; trunk is "
                           "inconsistent there: fix that file before decommissioning anything")
    return previous


def check_change(request: Request, previous: Request | None, stored: Stored | None) -> str:
    """The action that puts `request` where trunk holds `previous` (create, update or decommission);
    refused when names would be reused or a workload would change."""
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
        if stored is None:
            raise NotOnTrunk(f"there is no subscription {request.name} on trunk to decommission")
        return "decommission"
    return "update" if stored is not None else "create"


def check_cancellable(repo: Path, tip: str, request: Request, config: Config) -> None:
    """With deletionPolicy delete, the decommission must be able to cancel the subscription."""
    if config.deletion_policy != "delete":
        return
    if request.network is None and not ever_networked(repo, tip, request.name):
        return
    raise VendingError(
        f"{request.name} cannot be deleted by deletionPolicy delete: it has (or had) a virtual network, so "
        "Azure created NetworkWatcherRG (with a network watcher) in it, which Terraform does not manage, and the "
        "module's cancel retries while resources remain until it times out. Nothing was committed. Decommission "
        "it with deletionPolicy orphan, then remove NetworkWatcherRG and cancel the subscription in Azure")
