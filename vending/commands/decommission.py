"""`vending decommission NAME --confirm NAME`: take a subscription out of vending, explicitly."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vending.commands.vend_options import run_vend, vend_options
from vending.errors import UsageError
from vending.gitops.vend import propose_decommission
from vending.records import today_utc
from vending.schemas import field_schema
from vending.validation import validate


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
    who = requested_by
    if who is None and os.environ.get("TF_BUILD"):
        who = os.environ.get("BUILD_REQUESTEDFOREMAIL")
    if not who or validate(who, field_schema("requestedBy")):
        raise UsageError("--requested-by EMAIL is required: the person who asks for the decommission is the "
                         "commit's author")
    if ticket is not None and validate(ticket, field_schema("ticket")):
        raise UsageError(f"--ticket {ticket!r} is not a change ticket id such as CHG0012345")
    env = dict(os.environ)
    requester = who
    today = today_utc(env)
    return run_vend(repo, remote, branch, no_push, output, lambda root: lambda tip, fmt: propose_decommission(
        root, tip, name, requester, ticket, env, fmt, today))
