"""`vending schema check`: the release rules of the request interface, as independent checks.

Each check is a function of a `Series` (what the repository holds, read once by
`vending.release.repository.read_series`) returning one sentence per failure.

Adding a check (for example that the Azure DevOps pipeline template parameters,
or the Crossplane XRD, agree with the schema they derive from):

1. write `def check_<what>(series: Series) -> list[str]`, pure, one sentence per
   failure saying what is wrong and what to do; read what it needs from the
   `Series` (`series.py`: add a field there and fill it in `read_series`, which is
   the only place that touches files);
2. append `("<name>", check_<what>)` to `CHECKS` below.

The command runs every check, prints every failure and exits 1 when there is any.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from vending.errors import InvalidInput
from vending.release.derived import check_definition, check_pipeline_parameters
from vending.release.field_flow import check_field_flow
from vending.release.series import SCHEMA_DIR, Series
from vending.schemadiff.change import Bump
from vending.schemadiff.diff import Diff, diff_schemas
from vending.schemadiff.semver_bump import bump_between
from vending.schemas import PIN_PATTERN, Release, schema_file_name


@dataclass(frozen=True)
class Step:
    """One release over its predecessor: the bump it makes and the diff that decides the bump it needs."""

    before: Release
    after: Release
    made: Bump | None
    diff: Diff | None
    problem: str = ""


Check = Callable[[Series], list[str]]


def steps(series: Series) -> list[Step]:
    """Each release whose file exists, compared with the previous one whose file exists."""
    present = [r for r in series.releases if r.name in series.files]
    found = []
    for before, after in itertools.pairwise(present):
        made = bump_between(before.version, after.version)
        loaded = []
        for release in (before, after):
            where = f"{SCHEMA_DIR}/{schema_file_name(release.name)}"
            try:
                loaded.append(json.loads(series.files[release.name]))
            except ValueError as exc:
                found.append(Step(before, after, made, None, f"{where} cannot be read as JSON: {exc}"))
        if len(loaded) < 2:
            continue
        try:
            found.append(Step(before, after, made, diff_schemas(*loaded)))
        except InvalidInput as exc:
            where = f"{SCHEMA_DIR}/{schema_file_name((before if exc.path == 'the old schema' else after).name)}"
            problem = exc.problems[0]
            found.append(Step(before, after, made, None, f"{where} is not a valid JSON Schema: "
                                                         f"{problem.pointer or '/'}: {problem.message}"))
    return found


def check_bumps(series: Series) -> list[str]:
    failures = []
    for step in steps(series):
        if step.diff is None:
            failures.append(f"{step.problem}; cannot compare {step.after.name} with {step.before.name}")
            continue
        needed = step.diff.required_bump
        if step.made is None:
            failures.append(f"{step.after.name} is not newer than {step.before.name}")
        elif step.made < needed:
            breaking = [c for c in step.diff.changes if c.bump > step.made]
            listing = "".join(f"\n    {c.pointer or '/'}: {c.message}" for c in breaking)
            failures.append(
                f"{step.after.name} is released as a {step.made} over {step.before.name}, but its changes need a "
                f"{needed}; release it as {_bumped(step.before, needed)} instead, or undo:{listing}")
    return failures


def _bumped(release: Release, bump: Bump) -> str:
    version = release.version
    return str(version.bump_major() if bump is Bump.MAJOR else version.bump_minor() if bump is Bump.MINOR
               else version.bump_patch())


def check_changelog(series: Series) -> list[str]:
    if series.changelog is None:
        return ["CHANGELOG.md is missing; it needs a '## X.Y.Z' section for every release"]
    sections = set(re.findall(r"^## +v?(\d+\.\d+\.\d+)\b", series.changelog, flags=re.MULTILINE))
    return [f"CHANGELOG.md has no '## {r.name}' section; describe what {r.name} changed there"
            for r in series.releases if r.name not in sections]


def check_lock(series: Series) -> list[str]:
    failures = []
    for release in series.releases:
        where = f"{SCHEMA_DIR}/{schema_file_name(release.name)}"
        data = series.files.get(release.name)
        if data is None:
            if release.status != "removed":
                failures.append(f"{where} is missing, but release {release.name} is {release.status}; restore it")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != release.sha256:
            failures.append(
                f"{where} has changed since its release (sha256 {digest}, locked {release.sha256}); released "
                "schemas are immutable: restore the file and release the change as a new version")
    failures += [f"{SCHEMA_DIR}/{name} is not in releases.json; add its sha256 and status there to release it "
                 "(or remove the file)" for name in series.unlocked]
    return failures


def resolves_to(pin: str, releases: tuple[Release, ...]) -> Release | None:
    """The release a pin named when it was written: like `schemas.resolve_pin`, but counting removed releases,
    so that removing the release a prefix resolved to is caught rather than silently re-resolved."""
    match = PIN_PATTERN.fullmatch(pin)
    if not match:
        return None
    parts = [int(p) for p in match.groups() if p is not None]
    matching = [r for r in releases if [r.version.major, r.version.minor, r.version.patch][: len(parts)] == parts]
    return matching[-1] if matching else None


def check_pins(series: Series) -> list[str]:
    failures = []
    for request in series.requests:
        if request.problem or request.pin is None:
            failures.append(f"{request.path}: {request.problem or 'has no schemaVersion'}; cannot tell which "
                            "release it pins")
            continue
        release = resolves_to(request.pin, series.releases)
        if release is None:
            failures.append(f"{request.path} pins schemaVersion {request.pin!r}, which no release matches")
        elif release.status == "removed" or release.name not in series.files:
            gone = "removed" if release.status == "removed" else "missing its schema file"
            failures.append(
                f"{request.path} pins schemaVersion {request.pin!r}, which resolves to {release.name}, and "
                f"{release.name} is {gone}; a release a stored request pins cannot be removed: upgrade the "
                "request first")
    return failures


CHECKS: list[tuple[str, Check]] = [
    ("version bumps", check_bumps),
    ("changelog", check_changelog),
    ("lock", check_lock),
    ("pinned releases", check_pins),
    ("pipeline parameters", check_pipeline_parameters),
    ("crossplane definition", check_definition),
    ("field flow", check_field_flow),
]


def run_checks(series: Series, checks: list[tuple[str, Check]] | None = None) -> list[tuple[str, str]]:
    """(check name, failure) for every failure of every check."""
    return [(name, failure) for name, check in (checks or CHECKS) for failure in check(series)]
