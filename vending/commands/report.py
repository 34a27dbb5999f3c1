"""`vending report`: the fleet at a glance, its interface census, the DORA metrics of the vending flow and the
measured time to rebuild the tree, as a self-contained HTML page or as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vending import output as guard
from vending import reporter
from vending.commands.snapshot_options import snapshot_from, snapshot_options
from vending.dora import metrics
from vending.errors import EXIT_OK, UsageError
from vending.fleet_view import Snapshot, census, fleet_summary, subscriptions
from vending.rebuild import rebuild
from vending.report_html import render_html
from vending.trunk_log import commits, committed_at, is_shallow, iso
from vending.writer import write_atomic


def collect(snapshot: Snapshot) -> dict[str, Any]:
    """Every figure of the report, read from the snapshot and (for the metrics) the history of its commit."""
    subs = subscriptions(snapshot, snapshot.config())
    history = commits(snapshot.top, snapshot.head, [snapshot.prefix] if snapshot.prefix else []) \
        if snapshot.top is not None and snapshot.head is not None else []
    return {
        "source": {"label": snapshot.label, "commit": snapshot.commit,
                   "committed": iso(committed_at(snapshot.top, snapshot.commit))
                   if snapshot.top is not None and snapshot.commit is not None else None,
                   "shallow": snapshot.top is not None and is_shallow(snapshot.top)},
        "fleet": fleet_summary(subs),
        "subscriptions": [{**s.as_json(), "displayName": s.accepted.request.display_name} for s in subs],
        "census": census(subs),
        "dora": metrics(history),
        "rebuild": rebuild(snapshot).as_json(),
    }


def _write(out: Path, text: str) -> None:
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the directory {out.parent} does not exist")
    try:
        write_atomic(out, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot be written: {exc.strerror}") from None


@click.command("report")
@click.option("--output", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="A self-contained HTML page, or one JSON document with the same figures.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@snapshot_options
def command(output: str, out: Path | None, repo: Path | None, ref: str | None, working_tree: bool) -> int:
    """Report on the fleet: subscriptions by environment, management group and location; how many requests
    pin each schema release (and who pins a deprecated one); the DORA metrics of the vending flow from trunk's
    history; and the measured time to rebuild generated/ from the requests (render --all in a temporary copy).
    """
    report = collect(snapshot_from(repo, ref, working_tree))
    text = render_html(report) if output == "html" else json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        if output == "json":
            reporter.echo_json(report)
        else:
            click.echo(text, nl=False)
        return EXIT_OK
    _write(out, guard.clean(text, pipeline=False))  # secrets masked as on standard output
    reporter.echo(f"wrote the {output} report to {out}", err=True)
    return EXIT_OK
