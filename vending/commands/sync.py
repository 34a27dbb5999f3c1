"""`vending sync`: roll a change of vending.yaml out to every subscription, in one commit by the operator."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vending import reporter, sync
from vending.commands.options import output_option, repo_option
from vending.errors import EXIT_OK


@click.command("sync")
@repo_option
@click.option("--remote", default="origin", show_default=True, help="The remote that holds trunk.")
@click.option("--branch", default="main", show_default=True, help="Trunk: the branch to commit onto.")
@click.option("--no-push", is_flag=True, help="Commit onto the local branch without pushing.")
@click.option("--author", default=None, metavar="'NAME <EMAIL>'",
              help="Who rolls the change out (default: git config user.name and user.email).")
@click.option("--ticket", default=None, help="The change ticket (a Change-Ticket trailer).")
@output_option
def command(repo: Path | None, remote: str, branch: str, no_push: bool, author: str | None, ticket: str | None,
            output: str) -> int:
    """Re-render every stored request with trunk's vending.yaml (after a module version bump, say) and commit
    what changed as one commit authored by the operator (Vending-Action: sync), pushed with the same retry as
    apply. Nothing to change is a no-op. Exit 1 when a stored request is invalid, 3 when git fails."""
    synced = sync.run(repo or Path.cwd(), remote=remote, branch=branch, push=not no_push, author=author,
                      ticket=ticket, environ=dict(os.environ))
    if output == "json":
        reporter.echo_json({"action": "sync" if synced.commit else "noop", "commit": synced.commit,
                            "changed": synced.changed, "attempts": synced.attempts})
    elif synced.commit is None:
        click.echo("trunk's generated files already match vending.yaml; nothing to commit")
    else:
        click.echo(f"vend: sync: {synced.changed} files changed: {synced.commit[:12]}")
    if synced.note:
        click.echo(f"note: {synced.note}", err=True)
    return EXIT_OK
