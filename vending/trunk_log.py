"""What trunk's history says: the vend commits' trailers, reverts, and when each path last changed.

Read through the git seam only (`gitops.git.run`), one `git log` a question, never one a subscription.
Commit times are committer times (when the change landed on trunk), in UTC.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vending.gitops import git

_RECORD = "\x1e"
_FIELD = "\x1f"
_REVERTS = re.compile(r"^This reverts commit ([0-9a-f]{40}|[0-9a-f]{64})\b", re.MULTILINE)
_TRAILER = re.compile(r"^([A-Za-z0-9-]+): ?(.*)$")


@dataclass(frozen=True)
class Commit:
    commit: str
    committed: datetime.datetime
    """When it landed on trunk (committer time, UTC)."""
    author_email: str
    trailers: Mapping[str, str]
    """The first value of each trailer key (vending writes each key once)."""
    reverts: str | None
    """The commit this one reverts (`git revert`'s "This reverts commit ..."), if any."""

    @property
    def action(self) -> str | None:
        """The vending action (create, update, decommission, ...); None for a commit vending did not make."""
        return self.trailers.get("Vending-Action") or None


def utc(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime.datetime | None:
    """A trailer's time (ISO 8601 with a time zone), or None when it is not one."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.astimezone(datetime.UTC)


def _trailers(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.split("\n"):
        match = _TRAILER.match(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = match.group(2).strip()
    return found


def commits(top: Path, commit: str, paths: Sequence[str] = ()) -> list[Commit]:
    """Every commit in the history of `commit` (touching `paths`, when given), newest first."""
    # -z ends each record with NUL, which no commit message holds; the body (%B) is the last field so
    # whatever a hand-made message contains stays inside its own record.
    fields = _FIELD.join(["%H", "%ct", "%ae", "%(trailers:only,unfold)", "%B"])
    args = ["log", "-z", "--no-renames", f"--format={fields}", commit]
    if paths:
        args += ["--", *paths]
    found = []
    for record in git.run(top, args).out.split("\0"):
        parts = record.split(_FIELD, 4)
        if len(parts) != 5:
            continue
        sha, seconds, email, trailers, body = parts
        reverted = _REVERTS.search(body)
        found.append(Commit(commit=sha.strip(), committed=utc(int(seconds)), author_email=email,
                            trailers=_trailers(trailers), reverts=reverted.group(1) if reverted else None))
    return found


@dataclass(frozen=True)
class Change:
    commit: str
    committed: datetime.datetime
    author_email: str


def last_changes(top: Path, commit: str, directory: str) -> dict[str, Change]:
    """path -> the newest commit that added or changed it, for the files under `directory` (one git call)."""
    out = git.run(top, ["-c", "core.quotePath=true", "log", "--no-renames", "--diff-filter=AM", "--name-only",
                        f"--format={_RECORD}%H %ct %ae", commit, "--", directory]).out
    found: dict[str, Change] = {}
    current: Change | None = None
    for line in out.split("\n"):
        if line.startswith(_RECORD):  # git quotes a path holding control characters: a path never starts so
            sha, seconds, email = line[1:].split(" ", 2)
            current = Change(commit=sha, committed=utc(int(seconds)), author_email=email)
        elif line and current is not None and line not in found:
            found[line] = current
    return found


def is_shallow(top: Path) -> bool:
    result = git.run(top, ["rev-parse", "--is-shallow-repository"], check=False)
    return result.out.strip() == "true"


def committed_at(top: Path, commit: str) -> datetime.datetime:
    return utc(int(git.run(top, ["show", "-s", "--format=%ct", commit]).out.strip()))
