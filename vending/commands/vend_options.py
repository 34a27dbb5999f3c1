"""Options and output shared by the commands that write to trunk (apply, decommission)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vending import reporter
from vending.errors import EXIT_OK
from vending.gitops import git
from vending.gitops.session import Outcome, ProposeAt, vend

F = TypeVar("F", bound=Callable[..., Any])


def vend_options(function: F) -> F:
    options = [
        click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="The clone of the GitOps repository (default: the current directory)."),
        click.option("--remote", default="origin", show_default=True, help="The remote that holds trunk."),
        click.option("--branch", default="main", show_default=True, help="Trunk: the branch to commit onto."),
        click.option("--no-push", is_flag=True,
                     help="Commit onto the local branch and move the checkout to it, without pushing."),
        click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def run_vend(repo: Path | None, remote: str, branch: str, no_push: bool, output: str,
             propose_at: Callable[[Path], ProposeAt]) -> int:
    """Land what `propose_at(root)` proposes on trunk and report it: the body of apply and decommission."""
    root = git.top_level(repo or Path.cwd())
    outcome = vend(root, remote=remote, branch=branch, push=not no_push, propose_at=propose_at(root))
    report(outcome, output=output, branch=branch, pushed=not no_push)
    return EXIT_OK


def report(outcome: Outcome, *, output: str, branch: str, pushed: bool) -> None:
    landed = outcome.landed
    reporter.output_variable("subscription", outcome.name)
    reporter.output_variable("action", landed.action)
    reporter.output_variable("commit", landed.commit or "")
    if output == "json":
        reporter.echo_json({"subscription": outcome.name, "action": landed.action, "commit": landed.commit,
                            "attempts": landed.attempts})
    elif landed.commit is None:
        click.echo(f"{outcome.name}: trunk already holds this request; nothing to commit")
    else:
        where = f"pushed to {branch}" if pushed else f"committed on the local {branch} (not pushed)"
        tries = "" if landed.attempts == 1 else f" after {landed.attempts} attempts"
        click.echo(f"vend: {landed.action} subscription {outcome.name}: {landed.commit[:12]} {where}{tries}")
    if outcome.note:
        click.echo(f"note: {outcome.note}", err=True)
