"""The released request schemas: where they are, which exist, how a pin resolves.

Released schema files are immutable. `interface/request/releases.json` locks
the sha256 of each one; a file that no longer matches its lock is refused, so a
consumer pinning a version always gets exactly what was released.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from vending.errors import Bug, PinError

# At most nine digits a part: no release needs more, and Python refuses to convert very long numbers.
PIN_PATTERN = re.compile(r"^(0|[1-9][0-9]{0,8})(?:\.(0|[1-9][0-9]{0,8}))?(?:\.(0|[1-9][0-9]{0,8}))?$")
STATUSES = ("supported", "deprecated", "removed")


def interface_root() -> Path:
    """`interface/`: packaged inside the wheel, or beside the package in a checkout."""
    packaged = Path(__file__).parent / "_interface"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "interface"


def request_schema_dir(root: Path | None = None) -> Path:
    return (root or interface_root()) / "request"


@dataclass(frozen=True)
class Release:
    version: semver.Version
    sha256: str
    status: str
    message: str
    path: Path

    @property
    def name(self) -> str:
        return str(self.version)

    @property
    def label(self) -> str:
        return self.name if self.status == "supported" else f"{self.name} ({self.status})"


def schema_file_name(version: str) -> str:
    return f"{version}.schema.json"


def load_releases(directory: Path) -> tuple[Release, ...]:
    """The releases listed in `releases.json` of `directory`, oldest first."""
    lock_path = directory / "releases.json"
    doc = json.loads(lock_path.read_text(encoding="utf-8"))
    releases = []
    for version, entry in doc["releases"].items():
        status = entry.get("status", "supported")
        if status not in STATUSES:
            raise Bug(f"{lock_path}: release {version} has unknown status {status!r}")
        releases.append(Release(
            version=semver.Version.parse(version),
            sha256=entry["sha256"],
            status=status,
            message=entry.get("message", ""),
            path=directory / schema_file_name(version),
        ))
    return tuple(sorted(releases, key=lambda r: r.version))


@functools.cache
def releases() -> tuple[Release, ...]:
    return load_releases(request_schema_dir())


def usable(all_releases: tuple[Release, ...] | None = None) -> tuple[Release, ...]:
    return tuple(r for r in (all_releases or releases()) if r.status != "removed")


def latest() -> Release:
    return usable()[-1]


def supported_list(all_releases: tuple[Release, ...] | None = None) -> str:
    return ", ".join(r.label for r in usable(all_releases))


def resolve_pin(pin: str, all_releases: tuple[Release, ...] | None = None) -> Release:
    """The release a `schemaVersion` pin names: exact, or the newest matching a prefix."""
    candidates = all_releases or releases()
    match = PIN_PATTERN.fullmatch(pin)
    if not match:
        raise PinError(
            f"schemaVersion {pin[:40]!r}{'...' if len(pin) > 40 else ''} is not a version; write a released "
            "version such as "
            f"\"{latest().name}\" or a prefix such as \"{latest().version.major}\" "
            f"(supported: {supported_list(candidates)})")
    parts = [int(p) for p in match.groups() if p is not None]
    if len(parts) == 3:
        for release in candidates:
            if [release.version.major, release.version.minor, release.version.patch] == parts:
                if release.status == "removed":
                    note = f" {release.message}" if release.message else ""
                    raise PinError(
                        f"schema version {pin} was removed.{note} Supported: {supported_list(candidates)}")
                return release
    else:
        matching = [
            r for r in usable(candidates)
            if [r.version.major, r.version.minor, r.version.patch][: len(parts)] == parts
        ]
        if matching:
            return matching[-1]
    raise PinError(f"unknown schema version {pin!r}; supported: {supported_list(candidates)}")


def verify_lock(release: Release) -> bytes:
    """The bytes of a released schema, refused if they differ from the lock."""
    try:
        raw = release.path.read_bytes()
    except FileNotFoundError:
        raise Bug(f"released schema {release.path} is missing from the installation") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != release.sha256:
        raise Bug(
            f"{release.path} has sha256 {digest}, but release {release.name} is locked at "
            f"{release.sha256}; released schemas are immutable: restore the file and release a new version")
    return raw


@functools.cache
def schema_for(version: str) -> Mapping[str, Any]:
    """The parsed JSON Schema of a released version (lock-checked)."""
    for release in releases():
        if release.name == version:
            loaded: dict[str, Any] = json.loads(verify_lock(release))
            return loaded
    raise Bug(f"no released schema {version}")


def resolve_ref(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`node` with its local `$ref` ("#/a/b", a JSON pointer into `schema`) followed, recursively; the
    sibling keywords of a reference win over the target's. None for a reference that is not local or names
    nothing. The one place `$ref`s of our own schemas are followed (the derived interfaces use it)."""
    ref = node.get("$ref")
    if ref is None:
        return node
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    target: Any = schema
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        target = target.get(key) if isinstance(target, Mapping) else None
    resolved = resolve_ref(schema, target) if isinstance(target, Mapping) else None
    if resolved is None:
        return None
    return {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}


def subschema_at(schema: Mapping[str, Any], tokens: list[str]) -> Mapping[str, Any] | None:
    """The subschema that applies to the instance at `tokens`, following properties, items,
    additionalProperties and local `$ref`s; None where that is not simple to tell."""
    node: Mapping[str, Any] | None = schema
    for token in [None, *tokens]:
        node = resolve_ref(schema, node) if node is not None else None
        if node is None:
            return None
        if token is None:
            continue
        if token in node.get("properties", {}):
            node = node["properties"][token]
        elif isinstance(node.get("additionalProperties"), Mapping):
            node = node["additionalProperties"]
        elif isinstance(node.get("items"), Mapping) and token.isdigit():
            node = node["items"]
        else:
            return None
    return node


def field_schema(name: str) -> dict[str, Any]:
    """The newest release's rule for the top-level field `name`, standalone (with its `$defs`),
    so that a value given on the command line is held to the same rule as in a request."""
    schema = schema_for(latest().name)
    return {"$defs": schema.get("$defs", {}), **schema["properties"][name]}


def first_release_allowing(pointer: str, after: Release) -> Release | None:
    """The oldest release newer than `after` whose schema has a property at `pointer`."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    for release in usable():
        if release.version <= after.version:
            continue
        parent = subschema_at(schema_for(release.name), tokens[:-1])
        if parent is not None and tokens and tokens[-1] in parent.get("properties", {}):
            return release
    return None
