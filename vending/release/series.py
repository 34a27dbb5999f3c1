"""What the release checks read from a repository, once (`repository.read_series`): the series of
released request schemas and what depends on them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vending.schemas import Release

SCHEMA_DIR = "interface/request"


@dataclass(frozen=True)
class StoredRequest:
    path: str
    pin: str | None
    problem: str = ""
    """Why the pin could not be read, if it could not."""


@dataclass(frozen=True)
class Series:
    """The released request schemas of a repository and what depends on them."""

    root: Path
    releases: tuple[Release, ...]
    """From the lock, oldest first, whatever their status."""
    files: dict[str, bytes]
    """The bytes of each release's schema file that exists, by version."""
    unlocked: tuple[str, ...]
    """Schema files in the directory that the lock does not list."""
    changelog: str | None
    requests: tuple[StoredRequest, ...]
    pipeline_template: bytes | None = None
    """The committed Azure DevOps template the request schema derives (`interface/pipelines/`), if any."""
    definition: bytes | None = None
    """The committed Crossplane composite resource definition (`interface/crossplane/`), if any."""
    config: tuple[str, bytes] | None = None
    """(how to name it, bytes) of the configuration the field flow renders with: the repository's
    vending.yaml, or the embedded default where it has none."""
    not_mapped: bytes | None = None
    """The list of properties deliberately not mapped to a target (`interface/request/not-mapped.json`)."""
