"""Print results for people (terminal and pipeline log) or for programs (JSON).

Every line goes through `vending.output` (the one writer), which masks secrets
and, on an Azure Pipelines agent, defuses logging commands hidden in the text;
only the agent's own logging commands written here (an issue in the run
summary, or an output variable) pass it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

import click

from vending import output, pipeline_log
from vending.errors import FleetInvalid, InvalidInput, Problem


def location(path: str, problem: Problem) -> str:
    if problem.line is None:
        return path
    return f"{path}:{problem.line}:{problem.column}"


def problem_line(path: str, problem: Problem, severity: str = "error") -> str:
    where = f" {problem.pointer}:" if problem.pointer else ""
    return f"{location(path, problem)}: {severity}:{where} {problem.message}"


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _say(text: str, *, err: bool, color: str | None = None) -> None:
    text = output.clean(text)  # also done by the guard on the stream under `vending.main`; idempotent
    stream = sys.stderr if err else sys.stdout
    click.echo(click.style(text, fg=color) if color and colour_wanted(stream) else text, err=err)


def _pipeline_command(line: str) -> None:
    """One of vending's own logging commands (its message already defused by `pipeline_log.command`), written past
    the guard that would defuse it."""
    if pipeline_log.in_pipeline():
        click.echo(pipeline_log.redact(output.printable(line)), file=output.trusted(sys.stderr))


def echo_problem(path: str, problem: Problem, severity: str = "error", *, text: bool = True) -> None:
    """The problem as a `file:line:column: severity: /pointer: message` line (unless `text` is
    False, for JSON output) and, under an Azure Pipelines agent, as an issue on the run."""
    if text:
        _say(problem_line(path, problem, severity), err=True, color="red" if severity == "error" else "yellow")
    where = f"{problem.pointer}: " if problem.pointer else ""
    source = None if path.startswith("<") else pipeline_log.redact(path)  # not <stdin> or <pipeline parameters>
    _pipeline_command(pipeline_log.log_issue(severity, pipeline_log.redact(f"{where}{problem.message}"), source=source,
                                     line=problem.line, column=problem.column))


def echo_invalid(error: InvalidInput | FleetInvalid, *, text: bool = True) -> None:
    """Every invalid file in `error`: its warnings, its problems, then what was not done because of it.
    The one way invalid input is reported (`vending.main` for every command; `validate` per file)."""
    for failure in error.failures if isinstance(error, FleetInvalid) else (error,):
        for warning in failure.warnings:
            echo_problem(failure.path, warning, "warning", text=text)
        for problem in failure.problems:
            echo_problem(failure.path, problem, text=text)
        if failure.consequence and text:
            _say(f"{failure.path}: {failure.consequence}", err=True)


def echo_error(message: str) -> None:
    """A fatal error: one sentence for the user, and an issue on the run under an agent."""
    _say(f"vending: error: {message}", err=True)
    _pipeline_command(pipeline_log.log_issue("error", pipeline_log.redact(message)))


def echo(text: str = "", *, err: bool = False) -> None:
    """A line of ordinary output (secrets masked, commands defused under an agent)."""
    _say(text, err=err)


def output_variable(name: str, value: str) -> None:
    """Publish a result as an output variable of the step, under an Azure Pipelines agent."""
    _pipeline_command(pipeline_log.set_output(name, pipeline_log.redact(value)))


def echo_json(payload: Any) -> None:
    text = pipeline_log.redact(json.dumps(payload, indent=2, ensure_ascii=False))
    if pipeline_log.in_pipeline():
        text = text.replace("#", "\\u0023")  # '#' occurs only inside JSON strings: lossless, and no ##vso[
    click.echo(text)
