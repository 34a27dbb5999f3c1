"""`vending validate PATH...`: check requests against the schema version each one pins and, given the
repository (`--repo`, or the one the current directory is in), against everything else `render`,
`apply` and `trigger` check (`vending.policy.check_policy`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vending import reporter
from vending.commands.options import output_option, repo_if_any, repo_option
from vending.errors import EXIT_INVALID, EXIT_OK, InvalidInput, Problem
from vending.intake import Accepted, accept_file
from vending.repo_files import request_names

if TYPE_CHECKING:
    from vending.addresses import Index
    from vending.config import Config


def expand(sources: tuple[str, ...]) -> list[str]:
    """Paths as given; a directory stands for the request files directly in it, sorted (the rule that
    finds the stored requests in requests/)."""
    paths: list[str] = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            paths.extend(str(path / name) for name in request_names(path, source.rstrip("/") or "/"))
        else:
            paths.append(source)
    return paths


def _result(source: str, config: Config | None,
            addresses: Index) -> tuple[dict[str, object], Accepted | None, InvalidInput | None]:
    try:
        accepted = accept_file(source)
    except InvalidInput as exc:
        return _json(exc.path, False, exc.release, exc.problems, exc.warnings), None, exc
    if config is not None:
        from vending.policy import check_policy  # noqa: PLC0415 - a request alone loads no repository checks

        try:
            check_policy(accepted, config, addresses=addresses)
        except InvalidInput as exc:
            refused = InvalidInput(exc.path, exc.problems, accepted.warnings, release=accepted.release.name)
            return _json(refused.path, False, refused.release, refused.problems, refused.warnings), None, refused
    return _json(accepted.path, True, accepted.release.name, (), accepted.warnings), accepted, None


def _address_index(config: Config | None) -> Index:
    if config is None:
        return {}
    from vending.fleet_addresses import tree_index  # noqa: PLC0415 - only inside a repository

    return tree_index(config)


def _json(path: str, valid: bool, version: str | None, errors: tuple[Problem, ...],
          warnings: tuple[Problem, ...]) -> dict[str, object]:
    return {
        "path": path,
        "valid": valid,
        "schemaVersion": version,
        "errors": [p.as_json() for p in errors],
        "warnings": [p.as_json() for p in warnings],
    }


@click.command("validate")
@click.argument("paths", nargs=-1, required=True)
@output_option
@repo_option
def command(paths: tuple[str, ...], output: str, repo: Path | None) -> int:
    """Validate request files (YAML or JSON; - reads stdin; a directory means the requests in it).

    Each request is checked against exactly the schema version it pins, then
    upgraded to the newest model. Inside a GitOps repository (or with --repo)
    it is also checked as render and apply check it: the repository's
    configuration, allow-lists and Rego policy. Exit 0 when all are valid, 1
    when any is not.
    """
    config = repo_if_any(repo)
    addresses = _address_index(config)
    results = []
    failed = False
    for source in expand(paths):
        payload, accepted, error = _result(source, config, addresses)
        results.append(payload)
        failed = failed or error is not None
        text = output == "text"  # with JSON, problems still become issues under Azure Pipelines
        if accepted is not None:
            for warning in accepted.warnings:
                reporter.echo_problem(accepted.path, warning, "warning", text=text)
            if text:
                reporter.echo(f"{accepted.path}: valid (schema {accepted.request.schema_version})")
        elif error is not None:
            reporter.echo_invalid(error, text=text)
    if output == "json":
        reporter.echo_json({"results": results})
    elif not results:
        reporter.echo("no request files found", err=True)
    _output_variables(results, valid=not failed and bool(results))
    return EXIT_INVALID if failed or not results else EXIT_OK


def _output_variables(results: list[dict[str, object]], *, valid: bool) -> None:
    """Under Azure Pipelines: `valid`, and the resolved `schemaVersion` of a single request."""
    reporter.output_variable("valid", "true" if valid else "false")
    if len(results) == 1 and results[0]["schemaVersion"]:
        reporter.output_variable("schemaVersion", str(results[0]["schemaVersion"]))
