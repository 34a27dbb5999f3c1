"""`vending validate PATH...`: check requests against the schema version each one pins."""

from __future__ import annotations

from pathlib import Path

import click

from vending import reporter
from vending.errors import EXIT_INVALID, EXIT_OK, InvalidInput, Problem
from vending.intake import Accepted, Rejected, accept_file
from vending.repo_files import is_request_file, walk


def expand(sources: tuple[str, ...]) -> list[str]:
    """Paths as given; a directory stands for the request files under it, sorted."""
    paths: list[str] = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            paths.extend(str(p) for p in walk(path) if is_request_file(p.name))
        else:
            paths.append(source)
    return paths


def _result(source: str) -> tuple[dict[str, object], Accepted | None, InvalidInput | None]:
    try:
        accepted = accept_file(source)
    except InvalidInput as exc:
        release = exc.release if isinstance(exc, Rejected) else None
        warnings = exc.warnings if isinstance(exc, Rejected) else ()
        return _json(exc.path, False, release.name if release else None, exc.problems, warnings), None, exc
    return _json(accepted.path, True, accepted.release.name, (), accepted.warnings), accepted, None


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
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Human-readable lines, or one JSON document.")
def command(paths: tuple[str, ...], output: str) -> int:
    """Validate request files (YAML or JSON; - reads stdin; a directory means the requests in it).

    Each request is checked against exactly the schema version it pins, then
    upgraded to the newest model. Exit 0 when all are valid, 1 when any is not.
    """
    results = []
    failed = False
    for source in expand(paths):
        payload, accepted, error = _result(source)
        results.append(payload)
        failed = failed or error is not None
        text = output == "text"  # with JSON, problems still become issues under Azure Pipelines
        if accepted is not None:
            for warning in accepted.warnings:
                reporter.echo_problem(accepted.path, warning, "warning", text=text)
            if text:
                reporter.echo(f"{accepted.path}: valid (schema {accepted.request.schema_version})")
        elif error is not None:
            for warning in getattr(error, "warnings", ()):
                reporter.echo_problem(error.path, warning, "warning", text=text)
            for problem in error.problems:
                reporter.echo_problem(error.path, problem, text=text)
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
