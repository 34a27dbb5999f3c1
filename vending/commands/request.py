"""`vending request from-pipeline`: turn the pipeline's parameters back into a request file.

The pipeline template hands every parameter over in one environment variable
(see `vending.azdo.parameters`); this command decodes it, drops optional
parameters left at their neutral default, validates the request as `vending
validate` would, and writes it as JSON. On any problem it writes nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import click

from vending import reporter, schemas
from vending.azdo.parameters import PARAMETERS_VARIABLE, SOURCE, parse_environment_value, request_from_parameters
from vending.errors import EXIT_OK, InvalidInput, Problem, UsageError
from vending.intake import accept
from vending.writer import write_atomic


@click.group("request")
def group() -> None:
    """Work with request files."""


@group.command("from-pipeline")
@click.option("--env", "variable", default=PARAMETERS_VARIABLE, show_default=True, metavar="NAME",
              help="The environment variable the pipeline template put the parameters in.")
@click.option("--out", "out", required=True, metavar="PATH",
              help="Where to write the request (JSON); - for standard output.")
def from_pipeline(variable: str, out: str) -> int:
    """Write the request described by the pipeline's parameters.

    Reads the percent-encoded JSON of all parameters from the environment
    variable NAME, keeps the request's properties (dropping optional ones left
    at '', {} or []), validates the request and writes it to PATH. Exit 0 when
    written; 1 when the parameters are missing or do not make a valid request,
    and then nothing is written.
    """
    raw = os.environ.get(variable)
    if raw is None:
        raise InvalidInput(SOURCE, [Problem(f"the environment variable {variable} is not set: the pipeline step "
                                            "must map the template's parameters into it")])
    newest = schemas.latest()
    try:
        doc = request_from_parameters(parse_environment_value(raw), schemas.schema_for(newest.name))
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        accepted = accept(text.encode(), SOURCE, syntax="json")
    except InvalidInput as exc:  # parameters have no file lines: the pointer says which parameter
        raise InvalidInput(SOURCE, _unlocated(exc.problems), _unlocated(exc.warnings),
                           release=exc.release) from None
    for warning in _unlocated(accepted.warnings):
        reporter.echo_problem(SOURCE, warning, "warning")
    _write(out, doc, text)
    reporter.output_variable("subscription", accepted.request.name)
    reporter.output_variable("schemaVersion", accepted.release.name)
    if out != "-":
        reporter.echo(f"{out}: request for {accepted.request.name} (schema {accepted.release.name})", err=True)
    return EXIT_OK


def _unlocated(problems: tuple[Problem, ...]) -> list[Problem]:
    return [replace(problem, line=None, column=None) for problem in problems]


def _write(out: str, doc: dict[str, object], text: str) -> None:
    if out == "-":
        reporter.echo_json(doc)
        return
    target = Path(out)
    if target.is_dir():
        raise UsageError(f"--out {out} is a directory; name the request file to write")
    try:
        write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from None


command = group
