"""`vending render`: write what the requests render into generated/ (or show it with --dry-run)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from vending import reporter
from vending.commands.options import chosen_targets, open_repo, output_option, repo_option, target_option
from vending.desired import Tick, for_fleet, for_requests
from vending.errors import EXIT_OK, UsageError
from vending.fleet import stored_paths
from vending.plan import Plan, Tree, WorkingTree, make_plan
from vending.records import today_utc
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


def plan_json(plan: Plan, *, ok: bool) -> dict[str, object]:
    """`--output json` of render and check: every change (path, kind), the counts, and whether it passed."""
    return {"changes": [{"path": c.path, "kind": c.kind} for c in plan.changes],
            "summary": {kind: plan.count(kind) for kind in ("added", "changed", "removed")}, "ok": ok}


def print_plan(plan: Plan, tree: Tree, *, dry_run: bool) -> None:
    for change in plan.changes[:LISTED]:
        click.echo(f"{'would be ' if dry_run else ''}{change.kind}: {change.path}")
    if len(plan.changes) > LISTED:
        click.echo(f"... and {len(plan.changes) - LISTED} more")
    verb = "would change" if dry_run else "changed"
    click.echo(f"{verb}: {plan.summary()}" if plan else "nothing to change")
    if dry_run and plan:
        click.echo(plan.diff(tree), nl=False)


@click.command("render")
@click.argument("requests", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Render every stored request and the platform files.")
@target_option
@click.option("--dry-run", is_flag=True, help="Write nothing; print a summary and a unified diff.")
@repo_option
@output_option
def command(requests: tuple[Path, ...], everything: bool, target: str | None, dry_run: bool,
            repo: Path | None, output: str) -> int:
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
    if everything:
        with progress(len(stored_paths(config.root))) as tick:
            desired = for_fleet(config, targets, tick)
    else:
        desired = for_requests([str(r) for r in requests], config, targets, today_utc(os.environ))
    tree = WorkingTree(config.root)
    plan = make_plan(desired, tree)
    if not dry_run:
        apply_plan(config.root, plan)
    if output == "json":
        reporter.echo_json({**plan_json(plan, ok=True), "dryRun": dry_run})
    else:
        print_plan(plan, tree, dry_run=dry_run)
    return EXIT_OK
