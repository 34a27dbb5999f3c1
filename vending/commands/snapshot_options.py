"""The options that choose what `list`, `show` and `report` read: a commit (default HEAD) or the working tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vending.commands.options import repo_option
from vending.fleet_view import Snapshot, open_snapshot

F = TypeVar("F", bound=Callable[..., Any])


def snapshot_options(function: F) -> F:
    function = click.option("--working-tree", is_flag=True,
                            help="Read the files on disk instead of a commit.")(function)
    function = click.option("--ref", default=None, metavar="COMMIT",
                            help="The commit to read: a branch, tag or commit id (default: HEAD, the checkout).")(
        function)
    decorated: F = repo_option(function)
    return decorated


def snapshot_from(repo: Path | None, ref: str | None, working_tree: bool) -> Snapshot:
    return open_snapshot(repo, ref, working_tree=working_tree)
