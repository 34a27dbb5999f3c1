"""What a run wants in the repository: the files its accepted requests render, and the paths it owns.

One function, `desired`, for every command: `render`, `check` and `init` compare its result with the
working tree, `apply` and `decommission` with the git tree at trunk's tip (`vending/plan.py`). Pure
apart from the two readers below, which read requests and records from the working tree.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vending.addresses import INDEX_PATH
from vending.config import REQUESTS_DIR, Config
from vending.errors import FleetInvalid, InvalidInput
from vending.fleet import accept_stored, load_fleet, relative
from vending.fleet_addresses import fleet_index_files, index_files, tree_index, vend_addresses
from vending.fleet_index import FLEET_INDEX, MAX_INDEX_BYTES, index_bytes, with_request_bytes
from vending.intake import Accepted, accept_file
from vending.model import Request
from vending.policy import PolicyInputs, check_policy
from vending.records import Record, dated, read_record, record_facts, record_files, record_path
from vending.render import Files
from vending.render.targets import generated_scope, owned, render_platform, render_request
from vending.repo_files import read_file, stored_request_paths

Tick = Callable[[], None]


@dataclass(frozen=True)
class Subscription:
    """One subscription's inputs to a render."""

    accepted: Accepted
    record: Record | None
    """Its facts (budget start dates); written beside it unless the whole fleet is rendered."""
    source: str
    """The request's path relative to the repository, as generated headers name it ("" for stdin)."""
    stored: bytes | None = None
    """The request as submitted, stored at `source` (apply); None: the run does not store it."""


@dataclass(frozen=True)
class Desired:
    files: Files
    scope: list[str]
    """Globs of the files these desired files replace: anything matched and not desired is removed."""


def desired(subscriptions: Iterable[Subscription], config: Config, targets: Sequence[str], *,
            fleet: bool, owned_targets: Sequence[str] | None = None, tick: Tick | None = None,
            failures: Sequence[InvalidInput] = (), policy_inputs: PolicyInputs | None = None) -> Desired:
    """The files of `subscriptions` for `targets`, each checked against the repository's policy.

    With `fleet`, the subscriptions are every stored request: the result is the whole generated tree
    with the platform files, and records are only read. Otherwise each subscription's own paths are
    replaced: its files of `owned_targets` (default: `targets`), its record and, when the run stores
    its request, every path that request may have. `FleetInvalid` lists every subscription that
    cannot be rendered, after the `failures` met while reading them. `policy_inputs`: the policy and
    fleet index to check with when they are not the working tree's (apply: trunk's tip)."""
    files: Files = {}
    scope: list[str] = []
    failed = list(failures)
    resolved: list[Request] = []
    for subscription in subscriptions:
        accepted = subscription.accepted
        name = accepted.request.name
        try:
            check_policy(accepted, config, policy_inputs)
            request = dated(accepted, subscription.record, config).request
            files.update(render_request(request, config, targets, source=subscription.source))
            resolved.append(request)
        except InvalidInput as exc:
            failed.append(exc)
            continue
        finally:
            if tick:
                tick()
        if fleet:
            continue
        if subscription.record is not None:
            files.update(record_files(name, subscription.record))
        scope.extend(owned(name, config, owned_targets or targets))
        scope.append(record_path(name))
        if subscription.stored is not None:
            files[subscription.source] = subscription.stored
            scope.extend(stored_request_paths(REQUESTS_DIR, name))
    if failed:
        raise FleetInvalid(failed)
    if fleet:
        files.update(render_platform(config, targets))
        files[FLEET_INDEX] = index_bytes(resolved)  # with the prefixes allocated by size, from the records
        scope = [*generated_scope(config, targets), FLEET_INDEX]
    return Desired(files=files, scope=scope)


def accept_source(source: str, root: Path) -> Accepted:
    """A request file named on the command line: one inside the repository is repository content and read
    as such (no links, no special files); one outside it (a local dry run) is read as given."""
    if source != "-":
        try:
            inner = Path(os.path.normpath(Path.cwd() / source)).relative_to(root)
        except ValueError:
            pass
        else:
            return accept_stored(root, inner.as_posix(), source)
    return accept_file(source)


def for_requests(sources: Sequence[str], config: Config, targets: Sequence[str], today: datetime.date) -> Desired:
    """The files of the given request files, replacing whatever each subscription had, and each one's
    record with the facts of `today` added (a new request is vended today)."""
    subscriptions: list[Subscription] = []
    failures: list[InvalidInput] = []
    index = tree_index(config)  # requests rendered together never get overlapping prefixes
    for source in sources:
        try:
            accepted = accept_source(source, config.root)
            record = record_facts(accepted, read_record(config.root, accepted.request.name), today)
            record, index = vend_addresses(accepted, record, index, config)
        except InvalidInput as exc:
            failures.append(exc)
            continue
        shown = relative(config.root, Path(accepted.path)) if accepted.path != "<stdin>" else ""
        subscriptions.append(Subscription(accepted=accepted, record=record, source=shown))
    result = desired(subscriptions, config, targets, fleet=False, failures=failures)
    files = {**result.files, **index_files(index)}
    fleet = read_file(config.root, FLEET_INDEX, limit=MAX_INDEX_BYTES)
    if fleet is not None:  # each rendered subscription's entry, as apply commits it (render --all starts the file)
        for subscription in subscriptions:
            fleet = with_request_bytes(fleet, dated(subscription.accepted, subscription.record, config).request,
                                       FLEET_INDEX)
        files[FLEET_INDEX] = fleet
    return Desired(files=files, scope=[*result.scope, INDEX_PATH, FLEET_INDEX])


def for_fleet(config: Config, targets: Sequence[str], tick: Tick | None = None) -> Desired:
    """Everything the stored requests, their records and the configuration render: the whole generated tree."""
    subscriptions: list[Subscription] = []
    failures: list[InvalidInput] = []
    for accepted in load_fleet(config.root):
        try:
            record = read_record(config.root, accepted.request.name)
        except InvalidInput as exc:
            failures.append(exc)
            if tick:
                tick()
            continue
        # Stored requests are shown relative to the repository, not to the current directory.
        subscriptions.append(Subscription(accepted=accepted, record=record, source=accepted.path))
    result = desired(subscriptions, config, targets, fleet=True, tick=tick, failures=failures)
    index = fleet_index_files(config, [(s.accepted.document, s.record) for s in subscriptions])
    return Desired(files={**result.files, **index}, scope=[*result.scope, INDEX_PATH])
