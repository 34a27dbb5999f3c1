"""`vending check`: prove that generated files equal what the stored requests render."""

from __future__ import annotations

from pathlib import Path

import click

from vending import reporter
from vending.commands.options import open_repo, output_option, repo_option
from vending.commands.render import plan_json
from vending.desired import for_fleet
from vending.errors import EXIT_INVALID, EXIT_OK
from vending.plan import WorkingTree, make_plan


@click.command("check")
@repo_option
@output_option
def command(repo: Path | None, output: str) -> int:
    """Fail (exit 1, with the diff) if generated/ or the generated parts of interface/
    differ from what the stored requests and vending.yaml render. Generated files are
    never edited by hand: change the request and run vending render."""
    config = open_repo(repo)
    desired = for_fleet(config, list(config.targets))
    tree = WorkingTree(config.root)
    plan = make_plan(desired, tree)
    if output == "json":
        reporter.echo_json({**plan_json(plan, ok=not plan), "files": len(desired.files)})
        return EXIT_INVALID if plan else EXIT_OK
    if not plan:
        click.echo(f"generated files match the {len(desired.files)} files the requests render")
        return EXIT_OK
    click.echo(plan.diff(tree), nl=False)
    click.echo(f"generated files differ from what the requests render ({plan.summary()}); "
               "run vending render --all and commit the result", err=True)
    return EXIT_INVALID
