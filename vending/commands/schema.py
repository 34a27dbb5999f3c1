"""`vending schema diff|check|bump`: semantic versioning of the request interface."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from vending import reporter, schemas
from vending.commands.options import output_option
from vending.errors import EXIT_INVALID, EXIT_OK, Bug, InvalidInput, Problem
from vending.intake import read_source
from vending.loader import Json
from vending.release.checks import run_checks, steps
from vending.release.field_flow import NOT_MAPPED_PATH
from vending.release.repository import read_series
from vending.render.targets import TARGETS
from vending.schemadiff.diff import Diff, diff_schemas
from vending.schemadiff.schema_input import parse_schema
from vending.schemadiff.semver_bump import changelog_section, next_version
from vending.schemas import Release, load_releases

VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")

_REPO = click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="A repository whose interface/request holds the released versions "
                          "[default: the versions this vending ships].")


@click.group("schema")
def command() -> None:
    """Compare request schema versions, propose the next one, and check the released series.

    diff and bump report and exit 0; check exits 1 when a release rule is broken.
    OLD and NEW are schema files (JSON or YAML; - reads stdin) or released versions such as 1.0.0.
    """


@command.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Human-readable lines, or one JSON document.")
@_REPO
def diff_command(old: str, new: str, output: str, repo: Path | None) -> int:
    """Every difference between OLD and NEW, where it is, and the version bump it needs.

    major: NEW rejects a document OLD accepted, or a default changed; minor: NEW
    accepts more; patch: annotations only, or the same documents; none: identical.
    """
    try:
        before, after = load_schema(old, repo), load_schema(new, repo)
    except InvalidInput as exc:
        return _refuse(exc)
    result = diff_schemas(before, after)
    if output == "json":
        reporter.echo_json(result.as_json())
    else:
        for change in result.changes:
            click.echo(f"{change.bump!s:<5}  {change.pointer or '/'}: {change.message}")
        click.echo(f"required bump: {result.required_bump}{_counts(result)}")
    return EXIT_OK


@command.command("check")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="The repository holding interface/request, CHANGELOG.md and requests/.")
@output_option
def check_command(repo: Path, output: str) -> int:
    """Check the released request schemas: bumps, CHANGELOG sections, the lock, the pinned releases, the
    interfaces derived from the schema, and that every property of the newest reaches every render target
    (proven by rendering) or is listed, with the reason, in interface/request/not-mapped.json.

    Exit 0 when every rule holds; 1, listing every failure, when one does not.
    """
    series = read_series(repo)
    if output == "json":
        failed = run_checks(series)
        reporter.echo_json({
            "releases": [{"version": step.after.name, "over": step.before.name, "made": str(step.made),
                          "needed": str(step.diff.required_bump)}
                         for step in steps(series) if step.diff is not None and step.made is not None],
            "failures": [{"check": name, "message": failure} for name, failure in failed],
            "ok": not failed})
        return EXIT_INVALID if failed else EXIT_OK
    for step in steps(series):
        if step.diff is not None and step.made is not None:
            click.echo(f"{step.after.name}: a {step.made} release over {step.before.name}; "
                       f"its changes need a {step.diff.required_bump}")
    failures = run_checks(series)
    for name, failure in failures:
        reporter.echo_problem("schema check", Problem(f"{name}: {failure}"))
    if failures:
        click.echo(f"schema check: {len(failures)} failure{'s' if len(failures) > 1 else ''}", err=True)
        return EXIT_INVALID
    click.echo(f"schema check: {len(series.releases)} releases bumped as their changes need, locked and in "
               f"CHANGELOG.md; {len(series.requests)} stored requests pin releases that exist; every property of "
               f"the newest reaches {' and '.join(TARGETS)} or is listed in {NOT_MAPPED_PATH}")
    return EXIT_OK


@command.command("bump")
@click.argument("new")
@_REPO
def bump_command(new: str, repo: Path | None) -> int:
    """Propose the version for schema NEW over the latest release, and print its CHANGELOG section to edit."""
    latest = _releases(repo)
    usable = [r for r in latest if r.status != "removed"]
    if not usable:
        raise InvalidInput("releases.json", [Problem("lists no usable release to compare with")])
    base = usable[-1]
    try:
        before, after = load_schema(base.name, repo), load_schema(new, repo)
    except InvalidInput as exc:
        return _refuse(exc)
    result = diff_schemas(before, after)
    version = next_version(base.version, result.required_bump)
    if version is None:
        click.echo(f"{new} is the same schema as {base.name} (key order aside): no release is needed.", err=True)
        return EXIT_OK
    click.echo(f"proposed version: {version}, a {result.required_bump} release over {base.name}{_counts(result)}",
               err=True)
    click.echo(changelog_section(version, base.version, result), nl=False)
    click.echo(f"to release it: save the schema as interface/request/{version}.schema.json, add its sha256 to "
               "releases.json, and put the section above, edited, into CHANGELOG.md", err=True)
    return EXIT_OK


def load_schema(argument: str, repo: Path | None) -> Json:
    """A schema file (or - for stdin), or the released version `argument` names."""
    if argument == "-" or Path(argument).exists():
        raw, path, syntax = read_source(argument)
        return parse_schema(raw, path, syntax=syntax)
    if VERSION.match(argument):
        return _released(argument, repo)
    names = ", ".join(r.name for r in _releases(repo))
    raise InvalidInput(argument, [Problem(f"no such file, and not a released version (released: {names})")])


def _releases(repo: Path | None) -> tuple[Release, ...]:
    if repo is None:
        return schemas.releases()
    directory = repo / "interface" / "request"
    try:
        return load_releases(directory)
    except FileNotFoundError:
        raise InvalidInput(str(directory / "releases.json"), [Problem("no such file")]) from None
    except (ValueError, KeyError, TypeError, AttributeError, Bug) as exc:
        raise InvalidInput(str(directory / "releases.json"), [Problem(f"not a valid release lock: {exc}")]) from None


def _released(version: str, repo: Path | None) -> Json:
    releases = _releases(repo)
    release = next((r for r in releases if r.name == version), None)
    if release is None:
        names = ", ".join(r.name for r in releases)
        raise InvalidInput(version, [Problem(f"not a released version (released: {names})")])
    if repo is None:
        return dict(schemas.schema_for(version))
    if not release.path.is_file():
        raise InvalidInput(str(release.path), [Problem(f"release {version} is {release.status} and its file is gone")])
    try:
        loaded: Json = json.loads(release.path.read_bytes())
    except ValueError as exc:
        raise InvalidInput(str(release.path), [Problem(f"not valid JSON: {exc}")]) from None
    return loaded


def _refuse(error: InvalidInput) -> int:
    for problem in error.problems:
        reporter.echo_problem(error.path, problem)
    return EXIT_INVALID


def _counts(result: Diff) -> str:
    if not result.changes:
        return ""
    counts = {str(b): sum(1 for c in result.changes if c.bump is b) for b in {c.bump for c in result.changes}}
    parts = [f"{counts[name]} {name}" for name in ("major", "minor", "patch") if name in counts]
    return f" ({', '.join(parts)} change{'s' if len(result.changes) > 1 else ''})"
