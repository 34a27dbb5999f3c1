"""`vending check`: prove that generated files equal what the stored requests render."""

from __future__ import annotations

from pathlib import Path

import click

from vending.commands.options import open_repo, repo_option, report_failures
from vending.errors import EXIT_INVALID, EXIT_OK, InvalidInput
from vending.fleet import FleetInvalid
from vending.fleet_addresses import with_index
from vending.plan import make_plan
from vending.rendering import for_fleet


@click.command("check")
@repo_option
def command(repo: Path | None) -> int:
    """Fail (exit 1, with the diff) if generated/ or the generated parts of interface/
    differ from what the stored requests and vending.yaml render. Generated files are
    never edited by hand: change the request and run vending render."""
    config = open_repo(repo)
    try:
        desired = with_index(for_fleet(config, list(config.targets)), config)
    except (FleetInvalid, InvalidInput) as exc:
        report_failures(exc)
        return EXIT_INVALID
    plan = make_plan(config.root, desired.files, desired.scope)
    if not plan:
        click.echo(f"generated files match the {len(desired.files)} files the requests render")
        return EXIT_OK
    click.echo(plan.diff(), nl=False)
    click.echo(f"generated files differ from what the requests render ({plan.summary()}); "
               "run vending render --all and commit the result", err=True)
    return EXIT_INVALID
