"""What a render wants on disk: for given request files, or for the whole fleet.

Shared by `render`, `check` and `apply`; pure apart from reading requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vending.config import Config
from vending.errors import InvalidInput
from vending.fleet import FleetInvalid, load_fleet, relative
from vending.intake import Accepted, accept_file
from vending.policy import check_policy
from vending.render import Files
from vending.render.targets import generated_scope, owned, render_platform, render_request

Tick = Callable[[], None]


@dataclass(frozen=True)
class Desired:
    files: Files
    scope: list[str]
    """Globs of the files these desired files replace: anything matched and not desired is removed."""


def render_accepted(accepted: Accepted, config: Config, targets: Iterable[str], source: str | None = None) -> Files:
    """`source`: the request's path relative to the repository (default: worked out from the path given)."""
    check_policy(accepted, config)
    if source is None:
        source = relative(config.root, Path(accepted.path)) if accepted.path != "<stdin>" else ""
    return render_request(accepted.request, config, targets, source=source)


def for_requests(sources: Sequence[str], config: Config, targets: Sequence[str]) -> Desired:
    """The files of the given request files, replacing whatever each subscription had."""
    files: Files = {}
    scope: list[str] = []
    failures: list[InvalidInput] = []
    for source in sources:
        try:
            accepted = accept_file(source)
            files.update(render_accepted(accepted, config, targets))
        except InvalidInput as exc:
            failures.append(exc)
            continue
        scope.extend(owned(accepted.request.name, config, targets))
    if failures:
        raise FleetInvalid(failures)
    return Desired(files=files, scope=scope)


def for_fleet(config: Config, targets: Sequence[str], tick: Tick | None = None) -> Desired:
    """Everything the stored requests and the configuration render: the whole generated tree."""
    files: Files = {}
    failures: list[InvalidInput] = []
    for accepted in load_fleet(config.root):
        try:
            # Stored requests are shown relative to the repository, not to the current directory.
            files.update(render_accepted(accepted, config, targets, source=accepted.path))
        except InvalidInput as exc:
            failures.append(exc)
        if tick:
            tick()
    if failures:
        raise FleetInvalid(failures)
    files.update(render_platform(config, targets))
    return Desired(files=files, scope=generated_scope(config, targets))
