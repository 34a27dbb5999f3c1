"""`vending decommission NAME --confirm NAME`: take a subscription out of vending, explicitly."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from vending.commands.vend_options import report, vend_options
from vending.errors import EXIT_OK, UsageError
from vending.gitops import git
from vending.gitops.session import environment, vend
from vending.gitops.vend import propose_decommission

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@click.command("decommission")
@click.argument("name")
@click.option("--confirm", required=True, metavar="NAME", help="The subscription's name again: nothing is "
              "decommissioned by accident.")
@click.option("--requested-by", metavar="EMAIL", default=None,
              help="Who asks for it (the commit's author). Default in Azure DevOps: the run's requester.")
@click.option("--ticket", default=None, help="The change ticket that approves it.")
@vend_options
def command(name: str, confirm: str, requested_by: str | None, ticket: str | None, repo: Path | None,
            remote: str, branch: str, no_push: bool, output: str) -> int:
    """Decommission subscription NAME on trunk, following the deletion policy in vending.yaml:
    orphan (the default: Azure keeps the subscription, Git stops managing it) or delete.

    The stored request stays on trunk with state: absent (the name is never reused), the
    Terraform root gets an explicit removed block, the Crossplane composite is removed, and
    the commit carries the same audit trail as apply.
    """
    if confirm != name:
        raise UsageError(f"--confirm {confirm!r} does not match {name!r}; repeat the subscription's name to "
                         "decommission it")
    who = requested_by or os.environ.get("BUILD_REQUESTEDFOREMAIL") if os.environ.get("TF_BUILD") else requested_by
    if not who or not EMAIL.match(who):
        raise UsageError("--requested-by EMAIL is required: the person who asks for the decommission is the "
                         "commit's author")
    if ticket is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}", ticket):
        raise UsageError(f"--ticket {ticket!r} is not a change ticket id such as CHG0012345")
    root = git.top_level(repo or Path.cwd())
    env = environment()
    outcome = vend(root, remote=remote, branch=branch, push=not no_push,
                   propose_at=lambda tip, fmt: propose_decommission(root, tip, name, who, ticket, env, fmt))
    report(outcome, output=output, branch=branch, pushed=not no_push)
    return EXIT_OK
