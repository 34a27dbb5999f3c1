"""The options and helpers every command shares, each with one meaning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vending import reporter
from vending.config import CONFIG_FILE, Config, find_root, load_config

F = TypeVar("F", bound=Callable[..., Any])


def repo_option(function: F) -> F:
    return click.option(
        "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="The GitOps repository, or any directory inside it (default: the current directory).",
    )(function)


def output_option(function: F) -> F:
    return click.option(
        "--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="Human-readable lines, or one JSON document.",
    )(function)


def target_option(function: F) -> F:
    return click.option(
        "--target", type=click.Choice(["terraform", "crossplane", "all"]), default=None,
        help="What to render (default: the targets in vending.yaml).",
    )(function)


def open_repo(repo: Path | None) -> Config:
    """The configuration of the repository `--repo` names (the nearest directory at or above it, or above
    the current directory, holding vending.yaml), its warnings printed."""
    config = load_config(find_root(repo or Path.cwd()))
    for warning in config.warnings:
        reporter.echo_problem(CONFIG_FILE, warning, "warning")
    return config


def repo_if_any(repo: Path | None) -> Config | None:
    """For the commands that also work on a request alone (validate, trigger): the repository `--repo`
    names, else the one the current directory is in (the nearest vending.yaml at or above it), whose
    checks then run too; None outside any repository."""
    if repo is None:
        start = Path.cwd().resolve()
        if not any((directory / CONFIG_FILE).is_file() for directory in (start, *start.parents)):
            return None
    return open_repo(repo)


def chosen_targets(config: Config, target: str | None) -> list[str]:
    if target is None:
        return list(config.targets)
    return ["terraform", "crossplane"] if target == "all" else [target]
