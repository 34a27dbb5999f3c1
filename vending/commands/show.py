"""`vending show NAME`: one subscription's stored request, the files it owns, and its history on trunk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from vending import reporter
from vending.commands.snapshot_options import snapshot_from, snapshot_options
from vending.config import REQUESTS_DIR
from vending.errors import EXIT_OK, NotFound, UsageError, VendingError
from vending.fleet import check_stored
from vending.fleet_view import Snapshot, Subscription
from vending.intake import accept, request_syntax
from vending.records import record_path
from vending.render.targets import owned
from vending.repo_files import stored_request_paths
from vending.text_table import table
from vending.trunk_log import Commit, commits, iso, last_changes

NAME = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")


def history_entry(commit: Commit) -> dict[str, Any]:
    """One commit of a subscription's history, from its trailers (None where the commit has none: a commit
    made by hand; a `git revert` of a vend commit is a "revert")."""
    trailers = commit.trailers
    return {
        "commit": commit.commit,
        "date": iso(commit.committed),
        "action": commit.action or ("revert" if commit.reverts else None),
        "requestedBy": trailers.get("Requested-By") or None,
        "ticket": trailers.get("Change-Ticket") or None,
        "run": trailers.get("Pipeline-Run") or trailers.get("Build-Id") or None,
    }


def _find(snapshot: Snapshot, name: str) -> tuple[str, bytes]:
    found = [(path, raw) for path in stored_request_paths(REQUESTS_DIR, name)
             if (raw := snapshot.read(path)) is not None]
    if not found:
        raise NotFound(f"there is no subscription {name} in {snapshot.label} (no {REQUESTS_DIR}/{name}.yaml or "
                       ".json); vending list shows every subscription")
    if len(found) > 1:
        raise VendingError(f"{name} is stored more than once ({', '.join(p for p, _ in found)}); keep one of them")
    return found[0]


@click.command("show")
@click.argument("name")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Human-readable sections, or one JSON document.")
@snapshot_options
def command(name: str, output: str, repo: Path | None, ref: str | None, working_tree: bool) -> int:
    """Show subscription NAME: its request as stored, the files it owns, and its history from the
    trailers of the commits that changed its request or record."""
    if not NAME.fullmatch(name):
        raise UsageError(f"{name[:80]!r} is not a subscription name (3-63 of a-z, 0-9 and -, starting with a "
                         "letter)")
    snapshot = snapshot_from(repo, ref, working_tree)
    config = snapshot.config()
    path, raw = _find(snapshot, name)
    accepted = accept(raw, path, syntax=request_syntax(path))
    check_stored(accepted, Path(path), path)
    last = None
    history: list[dict[str, Any]] = []
    if snapshot.top is not None and snapshot.head is not None:
        mine = [snapshot.prefix + p for p in [*stored_request_paths(REQUESTS_DIR, name), record_path(name)]]
        history = [history_entry(c) for c in commits(snapshot.top, snapshot.head, mine)]
        last = last_changes(snapshot.top, snapshot.head, snapshot.prefix + path).get(snapshot.prefix + path)
    subscription = Subscription(accepted=accepted, path=path, environment=config.environment(
        accepted.request.workload), last=last)
    files = snapshot.existing([path, record_path(name), *owned(name, config, ["terraform", "crossplane"])])
    if output == "json":
        reporter.echo_json({"subscription": subscription.as_json(), "path": path, "request": accepted.document.data,
                            "files": files, "history": history})
        return EXIT_OK
    for key, value in subscription.as_json().items():
        reporter.echo(f"{key + ':':17} {'-' if value is None else value}")
    reporter.echo(f"\nrequest ({path}):")
    for line in raw.decode("utf-8").splitlines():
        reporter.echo(f"  {line}".rstrip())
    reporter.echo("\nfiles:")
    for file in files:
        reporter.echo(f"  {file}")
    reporter.echo("\nhistory:")
    rows = [tuple("-" if entry[k] is None else str(entry[k]) for k in ("date", "commit", "action", "requestedBy",
                                                                        "ticket", "run")) for entry in history]
    for line in table(("DATE", "COMMIT", "ACTION", "REQUESTED BY", "TICKET", "RUN"),
                      [(r[0], r[1][:12], *r[2:]) for r in rows]):
        reporter.echo(f"  {line}")
    return EXIT_OK
