"""The fleet as people look at it: every stored request with its facts, read at a commit or in the working tree.

`list`, `show` and `report` read the same facts here. At a commit (default HEAD) everything comes from
that commit's tree, its `vending.yaml` included; with the working tree, from the files on disk, with the
last changes taken from HEAD's history when the directory is a git repository.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from vending import schemas
from vending.config import CONFIG_FILE, REQUESTS_DIR, Config, config_from_bytes, find_root, load_config
from vending.desired import Desired
from vending.errors import ConfigError, FleetInvalid, InvalidInput, Problem, UsageError
from vending.fleet import check_stored, load_fleet
from vending.gitops import git
from vending.gitops.tree import blob_id, object_format_of
from vending.intake import Accepted, accept, request_syntax
from vending.loader import MAX_BYTES
from vending.plan import make_plan
from vending.repo_files import is_request_file, list_files, read_file
from vending.trunk_log import Change, iso, last_changes

PLAIN_MODES = ("100644", "100755")


@dataclass(frozen=True)
class Snapshot:
    """The GitOps repository at one commit, or its working tree (`commit` None)."""

    root: Path
    top: Path | None
    """The git repository's top level (None: the working tree is not in a git repository)."""
    prefix: str
    """The GitOps root relative to `top`, with a trailing slash ("" when it is the top level)."""
    commit: str | None
    head: str | None
    """The commit whose history gives the last changes: `commit`, or HEAD for the working tree."""

    @property
    def label(self) -> str:
        return f"commit {self.commit[:12]}" if self.commit else "the working tree"

    def _tree(self, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        assert self.top is not None and self.commit is not None
        entries = git.ls_tree(self.top, self.commit, [self.prefix + p.rstrip("/") for p in paths])
        return {path[len(self.prefix):]: entry for path, entry in entries.items() if path.startswith(self.prefix)}

    def files(self, directory: str) -> dict[str, str]:
        """path -> mode of the files under `directory` (recursively); in the working tree, regular files only
        (a link there is refused, as every command refuses it)."""
        if self.commit is None:
            return {path: "100644" for path in list_files(self.root, directory)}
        return {path: mode for path, (mode, _blob) in self._tree([directory]).items()}

    def read(self, relative: str) -> bytes | None:
        if self.commit is None:
            return read_file(self.root, relative, limit=MAX_BYTES)
        assert self.top is not None
        return git.show_bytes(self.top, self.commit, self.prefix + relative)

    def existing(self, scope: Iterable[str]) -> list[str]:
        """The files that exist under the paths and directories (ending in /) of `scope`, sorted."""
        found: set[str] = set()
        for entry in scope:
            if entry.endswith("/"):
                found.update(self.files(entry.rstrip("/")))
            elif (self.commit is None and (self.root / entry).is_file()) or \
                    (self.commit is not None and self._tree([entry])):
                found.add(entry)
        return sorted(found)

    def holds(self, path: str, content: bytes) -> bool:
        """Whether `path` holds exactly `content` (with `existing` and `read`, a `vending.plan.Tree`)."""
        if self.commit is None:
            return read_file(self.root, path) == content
        assert self.top is not None
        entry = self._tree([path]).get(path)
        return entry is not None and entry[1] == blob_id(content, object_format_of(self.top))

    def differing(self, files: Mapping[str, bytes], scope: Iterable[str]) -> list[str]:
        """The paths where the snapshot differs from `files`: other bytes, missing, or present under `scope`
        and not in `files` (the plan `render` would make against it)."""
        return [change.path for change in make_plan(Desired(files=dict(files), scope=list(scope)), self).changes]

    def config(self) -> Config:
        if self.commit is None:
            return load_config(self.root)
        raw = self.read(CONFIG_FILE)
        if raw is None:
            raise ConfigError(f"{self.label} has no {CONFIG_FILE}; pass --ref with a commit of the GitOps "
                              "repository, or --working-tree")
        return config_from_bytes(raw, f"{CONFIG_FILE} ({self.label})", self.root)


def open_snapshot(repo: Path | None, ref: str | None, *, working_tree: bool) -> Snapshot:
    if working_tree and ref is not None:
        raise UsageError("give --ref or --working-tree, not both")
    root = repo.resolve() if repo else find_root(Path.cwd())
    if working_tree:
        try:
            top: Path | None = git.top_level(root)
        except UsageError:
            top = None
        head = git.resolve(top, "HEAD") if top is not None else None
        return Snapshot(root=root, top=top, prefix=_prefix(root, top), commit=None, head=head)
    try:
        top = git.top_level(root)
    except UsageError:
        raise UsageError(f"{root} is not in a git repository, so there is no commit to read; pass "
                         "--working-tree to read the files on disk") from None
    commit = git.resolve(top, ref or "HEAD")
    if commit is None:
        raise UsageError(f"--ref {ref or 'HEAD'!r} names no commit in {top}; pass a branch, tag or commit "
                         "(or --working-tree to read the files on disk)")
    return Snapshot(root=root, top=top, prefix=_prefix(root, top), commit=commit, head=commit)


def _prefix(root: Path, top: Path | None) -> str:
    if top is None:
        return ""
    inner = root.resolve().relative_to(top.resolve()).as_posix()
    return "" if inner == "." else inner + "/"


@dataclass(frozen=True)
class Subscription:
    accepted: Accepted
    path: str
    """The stored request, relative to the repository root."""
    environment: str
    last: Change | None

    def as_json(self) -> dict[str, Any]:
        request = self.accepted.request
        return {
            "name": request.name,
            "workload": request.workload,
            "environment": self.environment,
            "state": request.state,
            "schemaPinned": request.schema_pin,
            "schemaResolved": request.schema_version,
            "requestedBy": request.requested_by,
            "ticket": request.ticket,
            "managementGroup": request.management_group,
            "location": request.location,
            "lastCommit": self.last.commit if self.last else None,
            "lastChanged": iso(self.last.committed) if self.last else None,
        }


def stored_requests(snapshot: Snapshot) -> list[Accepted]:
    """Every stored request of the snapshot, accepted; `FleetInvalid` names every one that is not."""
    if snapshot.commit is None:
        return load_fleet(snapshot.root)
    failures: list[InvalidInput] = []
    accepted: list[Accepted] = []
    seen: dict[str, str] = {}
    for path, mode in sorted(snapshot.files(REQUESTS_DIR).items()):
        if PurePosixPath(path).parent.as_posix() != REQUESTS_DIR or not is_request_file(path):
            continue
        try:
            if mode not in PLAIN_MODES:
                raise InvalidInput(path, [Problem(f"not a plain file (mode {mode}); vending reads only plain files")])
            raw = snapshot.read(path)
            item = accept(raw or b"", path, syntax=request_syntax(path))
            check_stored(item, Path(path), path)
        except InvalidInput as exc:
            failures.append(exc)
            continue
        if item.request.name in seen:
            failures.append(InvalidInput(path, [Problem(f"{item.request.name!r} is stored twice: here and in "
                                                        f"{seen[item.request.name]}")]))
            continue
        seen[item.request.name] = path
        accepted.append(item)
    if failures:
        raise FleetInvalid(failures)
    return accepted


def subscriptions(snapshot: Snapshot, config: Config) -> list[Subscription]:
    """Every stored request with its environment and last change, sorted by name."""
    accepted = stored_requests(snapshot)
    changes: dict[str, Change] = {}
    if snapshot.top is not None and snapshot.head is not None:
        changes = {path[len(snapshot.prefix):]: change for path, change in
                   last_changes(snapshot.top, snapshot.head, snapshot.prefix + REQUESTS_DIR).items()}
    found = []
    for item in accepted:
        path = _relative_path(item.path, snapshot.root)
        found.append(Subscription(accepted=item, path=path, environment=config.environment(item.request.workload),
                                  last=changes.get(path)))
    return sorted(found, key=lambda s: s.accepted.request.name)


def _relative_path(shown: str, root: Path) -> str:
    path = Path(shown)
    return path.relative_to(root).as_posix() if path.is_absolute() else PurePosixPath(shown).as_posix()


def matches_pin(subscription: Subscription, pinned: str) -> bool:
    """Whether the request pins `pinned` as written, or resolves to a release `pinned` names (`1` matches
    1.0.0 and 1.1.0; `1.0` and `1.0.0` match 1.0.0)."""
    request = subscription.accepted.request
    if request.schema_pin == pinned:
        return True
    asked = pinned.split(".")
    return request.schema_version.split(".")[:len(asked)] == asked


def fleet_summary(subs: list[Subscription]) -> dict[str, Any]:
    """Counts of the subscriptions that exist (state present) by environment, management group and location."""
    present = [s for s in subs if s.accepted.request.state == "present"]

    def count(key: Any) -> dict[str, int]:
        return dict(sorted(Counter(key(s) for s in present).items()))

    return {
        "total": len(subs),
        "present": len(present),
        "absent": len(subs) - len(present),
        "byEnvironment": count(lambda s: s.environment),
        "byManagementGroup": count(lambda s: s.accepted.request.management_group),
        "byLocation": count(lambda s: s.accepted.request.location),
    }


def census(subs: list[Subscription]) -> dict[str, Any]:
    """How many stored requests pin each released schema version, and who pins a deprecated one."""
    releases = []
    for release in schemas.releases():
        pinning = [s for s in subs if s.accepted.request.schema_version == release.name]
        releases.append({
            "release": release.name,
            "status": release.status,
            "count": len(pinning),
            "pins": dict(sorted(Counter(s.accepted.request.schema_pin for s in pinning).items())),
        })
    deprecated = {r.name for r in schemas.releases() if r.status != "supported"}
    return {
        "releases": releases,
        "deprecated": [
            {"name": s.accepted.request.name, "requestedBy": s.accepted.request.requested_by,
             "schemaPinned": s.accepted.request.schema_pin, "schemaResolved": s.accepted.request.schema_version,
             "state": s.accepted.request.state}
            for s in subs if s.accepted.request.schema_version in deprecated
        ],
    }
