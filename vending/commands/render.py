"""`vending render`: write what the requests render into generated/ (or show it with --dry-run)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from vending.commands.options import chosen_targets, open_repo, repo_option, report_failures, target_option
from vending.errors import EXIT_INVALID, EXIT_OK, InvalidInput, UsageError
from vending.fleet import FleetInvalid, stored_paths
from vending.fleet_addresses import for_requests, with_index
from vending.plan import Plan, make_plan
from vending.records import today_utc
from vending.rendering import Tick, for_fleet
from vending.writer import apply_plan

PROGRESS_FROM = 50


@contextmanager
def progress(total: int) -> Iterator[Tick | None]:
    """A progress bar on a terminal for large runs; nothing in logs and pipelines."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    # rich costs ~50 ms to import; only a terminal with a large run pays for it.
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rendering", total=total)
        yield lambda: bar.advance(task)


LISTED = 100


def print_plan(plan: Plan, *, dry_run: bool) -> None:
    for change in plan.changes[:LISTED]:
        click.echo(f"{'would be ' if dry_run else ''}{change.kind}: {change.path}")
    if len(plan.changes) > LISTED:
        click.echo(f"... and {len(plan.changes) - LISTED} more")
    verb = "would change" if dry_run else "changed"
    click.echo(f"{verb}: {plan.summary()}" if plan else "nothing to change")
    if dry_run and plan:
        click.echo(plan.diff(), nl=False)


@click.command("render")
@click.argument("requests", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Render every stored request and the platform files.")
@target_option
@click.option("--dry-run", is_flag=True, help="Write nothing; print a summary and a unified diff.")
@repo_option
def command(requests: tuple[Path, ...], everything: bool, target: str | None, dry_run: bool,
            repo: Path | None) -> int:
    """Render Terraform and/or Crossplane for requests into generated/.

    Files are written atomically and only under generated/ (and the generated
    parts of interface/). A request file may live anywhere (a local dry run);
    its record (records/NAME.json) gets the facts fixed on the day it is vended,
    such as a new budget's start date (today in UTC, or VENDING_TODAY).
    --all renders the stored requests under requests/ with their records and
    removes generated files no request renders any more.
    """
    if bool(requests) == everything:
        raise UsageError("give request files or --all (not both)")
    config = open_repo(repo)
    targets = chosen_targets(config, target)
    try:
        if everything:
            with progress(len(stored_paths(config.root))) as tick:
                desired = with_index(for_fleet(config, targets, tick), config)
        else:
            desired = for_requests([str(r) for r in requests], config, targets, today_utc(os.environ))
    except (FleetInvalid, InvalidInput) as exc:
        report_failures(exc)
        return EXIT_INVALID
    plan = make_plan(config.root, desired.files, desired.scope)
    if not dry_run:
        apply_plan(config.root, plan)
    print_plan(plan, dry_run=dry_run)
    return EXIT_OK
