"""Print results for people (terminal and pipeline log) or for programs (JSON)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from vending.errors import Problem


def location(path: str, problem: Problem) -> str:
    if problem.line is None:
        return path
    return f"{path}:{problem.line}:{problem.column}"


def problem_line(path: str, problem: Problem, severity: str = "error") -> str:
    where = f" {problem.pointer}:" if problem.pointer else ""
    return f"{location(path, problem)}: {severity}:{where} {problem.message}"


def echo_problem(path: str, problem: Problem, severity: str = "error") -> None:
    color = "red" if severity == "error" else "yellow"
    text = problem_line(path, problem, severity)
    click.echo(click.style(text, fg=color) if sys.stderr.isatty() else text, err=True)


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
