"""`vending list`: every subscription on trunk, one line (or JSON object) each."""

from __future__ import annotations

from pathlib import Path

import click

from vending import reporter
from vending.commands.snapshot_options import snapshot_from, snapshot_options
from vending.errors import EXIT_OK
from vending.fleet_view import Subscription, matches_pin, subscriptions
from vending.text_table import table
from vending.trunk_log import iso

HEADINGS = ("NAME", "WORKLOAD", "ENVIRONMENT", "STATE", "SCHEMA", "REQUESTED BY", "TICKET", "MANAGEMENT GROUP",
            "LOCATION", "LAST CHANGE")


def _row(subscription: Subscription) -> tuple[str, ...]:
    request = subscription.accepted.request
    last = subscription.last
    changed = f"{iso(last.committed)[:10]} {last.commit[:12]} {last.author_email}" if last else "-"
    return (request.name, request.workload, subscription.environment, request.state,
            f"{request.schema_pin} -> {request.schema_version}", request.requested_by, request.ticket or "-",
            request.management_group, request.location, changed)


@click.command("list")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="An aligned table, or one JSON document.")
@click.option("--workload", type=click.Choice(["Production", "DevTest"]), default=None,
              help="Only subscriptions of this workload.")
@click.option("--state", type=click.Choice(["present", "absent"]), default=None,
              help="Only subscriptions in this state (absent: decommissioned).")
@click.option("--pinned", default=None, metavar="VERSION",
              help="Only requests pinning VERSION as written, or resolving to a release it names "
                   "(1 matches 1.0.0 and 1.1.0).")
@snapshot_options
def command(output: str, workload: str | None, state: str | None, pinned: str | None, repo: Path | None,
            ref: str | None, working_tree: bool) -> int:
    """List every subscription stored in the GitOps repository, at a commit (default HEAD) or in the
    working tree, with its request's facts and the last commit that changed its request."""
    snapshot = snapshot_from(repo, ref, working_tree)
    found = [s for s in subscriptions(snapshot, snapshot.config())
             if (workload is None or s.accepted.request.workload == workload)
             and (state is None or s.accepted.request.state == state)
             and (pinned is None or matches_pin(s, pinned))]
    if output == "json":
        reporter.echo_json({"subscriptions": [s.as_json() for s in found]})
    elif found:
        for line in table(HEADINGS, [_row(s) for s in found]):
            reporter.echo(line)
    else:
        reporter.echo(f"no subscriptions in {snapshot.label}" + (" match the filters" if
                                                                 workload or state or pinned else ""), err=True)
    return EXIT_OK
