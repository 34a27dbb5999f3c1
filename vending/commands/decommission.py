"""`vending decommission NAME --confirm NAME`: take a subscription out of vending, explicitly."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vending import apply
from vending.commands.vend_options import report, vend_options
from vending.errors import EXIT_OK, UsageError
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
    if validate(name, field_schema("name")):  # before any path is made of it: `x/../other`, `../vending`
        raise UsageError(f"{name!r} is not a subscription name: 3-63 of a-z, 0-9 and '-', starting with a letter")
    who = requested_by
    if who is None and os.environ.get("TF_BUILD"):
        who = os.environ.get("BUILD_REQUESTEDFOREMAIL")
    if not who or validate(who, field_schema("requestedBy")):
        raise UsageError("--requested-by EMAIL is required: the person who asks for the decommission is the "
                         "commit's author")
    if ticket is not None and validate(ticket, field_schema("ticket")):
        raise UsageError(f"--ticket {ticket!r} is not a change ticket id such as CHG0012345")
    environ = dict(os.environ)
    outcome = apply.run(apply.Decommission(name=name, requested_by=who, ticket=ticket), repo or Path.cwd(),
                        remote=remote, branch=branch, push=not no_push, environ=environ, today=today_utc(environ))
    report(outcome, output=output, branch=branch, pushed=not no_push)
    return EXIT_OK
