"""Options and output shared by the commands that write to trunk (apply, decommission)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from vending import reporter
from vending.apply import Outcome
from vending.commands.options import output_option, repo_option

F = TypeVar("F", bound=Callable[..., Any])


def vend_options(function: F) -> F:
    options = [
        repo_option,
        click.option("--remote", default="origin", show_default=True, help="The remote that holds trunk."),
        click.option("--branch", default="main", show_default=True, help="Trunk: the branch to commit onto."),
        click.option("--no-push", is_flag=True,
                     help="Commit onto the local branch and move the checkout to it, without pushing."),
        output_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def report(outcome: Outcome, *, output: str, branch: str, pushed: bool) -> None:
    reporter.output_variable("subscription", outcome.name)
    reporter.output_variable("action", outcome.action)
    reporter.output_variable("commit", outcome.commit or "")
    if output == "json":
        reporter.echo_json({"subscription": outcome.name, "action": outcome.action, "commit": outcome.commit,
                            "attempts": outcome.attempts})
    elif outcome.commit is None:
        click.echo(f"{outcome.name}: trunk already holds this request; nothing to commit")
    else:
        where = f"pushed to {branch}" if pushed else f"committed on the local {branch} (not pushed)"
        tries = "" if outcome.attempts == 1 else f" after {outcome.attempts} attempts"
        click.echo(f"vend: {outcome.action} subscription {outcome.name}: {outcome.commit[:12]} {where}{tries}")
    if outcome.note:
        click.echo(f"note: {outcome.note}", err=True)
