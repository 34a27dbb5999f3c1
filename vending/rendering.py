"""What a render wants on disk: for given request files, or for the whole fleet.

Shared by `render`, `check` and `apply`; pure apart from reading requests.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vending.config import Config
from vending.errors import FleetInvalid, InvalidInput
from vending.fleet import accept_stored, load_fleet, relative
from vending.intake import Accepted, accept_file
from vending.policy import check_policy
from vending.records import Record, dated, read_record, record_facts, record_files, record_path
from vending.render import Files
from vending.render.targets import generated_scope, owned, render_platform, render_request

Tick = Callable[[], None]


@dataclass(frozen=True)
class Desired:
    files: Files
    scope: list[str]
    """Globs of the files these desired files replace: anything matched and not desired is removed."""


def render_accepted(accepted: Accepted, config: Config, targets: Iterable[str], record: Record | None,
                    source: str | None = None) -> Files:
    """The files of `accepted`, with its budgets dated from its `record`; `source` is the request's path
    relative to the repository (default: worked out from the path given)."""
    check_policy(accepted, config)
    if source is None:
        source = relative(config.root, Path(accepted.path)) if accepted.path != "<stdin>" else ""
    return render_request(dated(accepted, record, config).request, config, targets, source=source)


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
    files: Files = {}
    scope: list[str] = []
    failures: list[InvalidInput] = []
    for source in sources:
        try:
            accepted = accept_source(source, config.root)
            record = record_facts(accepted, read_record(config.root, accepted.request.name), today)
            files.update(render_accepted(accepted, config, targets, record))
        except InvalidInput as exc:
            failures.append(exc)
            continue
        files.update(record_files(accepted.request.name, record))
        scope.extend(owned(accepted.request.name, config, targets))
        scope.append(record_path(accepted.request.name))
    if failures:
        raise FleetInvalid(failures)
    return Desired(files=files, scope=scope)


def for_fleet(config: Config, targets: Sequence[str], tick: Tick | None = None) -> Desired:
    """Everything the stored requests and the configuration render: the whole generated tree."""
    files: Files = {}
    failures: list[InvalidInput] = []
    for accepted in load_fleet(config.root):
        try:
            record = read_record(config.root, accepted.request.name)
            # Stored requests are shown relative to the repository, not to the current directory.
            files.update(render_accepted(accepted, config, targets, record, source=accepted.path))
        except InvalidInput as exc:
            failures.append(exc)
        if tick:
            tick()
    if failures:
        raise FleetInvalid(failures)
    files.update(render_platform(config, targets))
    return Desired(files=files, scope=generated_scope(config, targets))
