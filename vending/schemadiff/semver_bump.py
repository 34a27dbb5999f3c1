"""Version numbers from bumps: how two releases differ, what comes next, and its CHANGELOG section."""

from __future__ import annotations

import semver

from vending.schemadiff.change import Bump
from vending.schemadiff.diff import Diff

_INTRO = {
    Bump.MAJOR: "Breaking: some {old} requests are rejected, or render differently, under {new}.",
    Bump.MINOR: "Additive: every {old} request is valid under {new} unchanged.",
    Bump.PATCH: "Annotations only: {new} accepts exactly the requests {old} did.",
}
_HEADINGS = {Bump.MAJOR: "Breaking changes", Bump.MINOR: "Additions", Bump.PATCH: "Other changes"}


def bump_between(before: semver.Version, after: semver.Version) -> Bump | None:
    """The bump `after` makes over `before`; None when it is not newer."""
    if after <= before:
        return None
    if after.major != before.major:
        return Bump.MAJOR
    if after.minor != before.minor:
        return Bump.MINOR
    return Bump.PATCH


def next_version(latest: semver.Version, bump: Bump) -> semver.Version | None:
    if bump is Bump.MAJOR:
        return latest.bump_major()
    if bump is Bump.MINOR:
        return latest.bump_minor()
    if bump is Bump.PATCH:
        return latest.bump_patch()
    return None


def changelog_section(version: semver.Version, previous: semver.Version, diff: Diff) -> str:
    """A `## X.Y.Z` section listing the changes, grouped by bump, for a person to edit into prose."""
    lines = [f"## {version}", "", _INTRO[diff.required_bump].format(old=previous, new=version)]
    for bump in (Bump.MAJOR, Bump.MINOR, Bump.PATCH):
        group = [c for c in diff.changes if c.bump is bump]
        if group:
            lines += ["", f"{_HEADINGS[bump]}:", ""]
            lines += [f"- `{c.pointer or '/'}`: {c.message}" for c in group]
    return "\n".join(lines) + "\n"
