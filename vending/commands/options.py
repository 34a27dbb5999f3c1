"""Options and helpers shared by several subcommands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vending import reporter
from vending.config import CONFIG_FILE, Config, find_root, load_config
from vending.errors import InvalidInput
from vending.fleet import FleetInvalid

F = TypeVar("F", bound=Callable[..., Any])


def repo_option(function: F) -> F:
    return click.option(
        "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="The GitOps repository (default: the nearest directory above the current one with vending.yaml).",
    )(function)


def target_option(function: F) -> F:
    return click.option(
        "--target", type=click.Choice(["terraform", "crossplane", "all"]), default=None,
        help="What to render (default: the targets in vending.yaml).",
    )(function)


def open_repo(repo: Path | None) -> Config:
    root = repo.resolve() if repo else find_root(Path.cwd())
    config = load_config(root)
    for warning in config.warnings:
        reporter.echo_problem(CONFIG_FILE, warning, "warning")
    return config


def chosen_targets(config: Config, target: str | None) -> list[str]:
    if target is None:
        return list(config.targets)
    return ["terraform", "crossplane"] if target == "all" else [target]


def report_failures(error: FleetInvalid | InvalidInput) -> None:
    failures = error.failures if isinstance(error, FleetInvalid) else [error]
    for failure in failures:
        for problem in failure.problems:
            reporter.echo_problem(failure.path, problem)
