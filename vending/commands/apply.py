"""`vending apply REQUEST`: vend a subscription onto trunk, with an audit trail, safely under
concurrent runs."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vending import apply, reporter
from vending.commands.vend_options import report, vend_options
from vending.errors import EXIT_OK
from vending.intake import accept, read_source
from vending.records import today_utc


@click.command("apply")
@click.argument("request")
@vend_options
def command(request: str, repo: Path | None, remote: str, branch: str, no_push: bool, output: str) -> int:
    """Validate REQUEST (a file, or - for stdin), check it against the fleet on the tip of trunk,
    store it as submitted, render its files, commit with an audit trail and push.

    Run it in a clone of the GitOps repository (a detached checkout, as on an Azure DevOps agent,
    is fine). Applying the same request twice changes nothing. When the push is refused because
    trunk moved, the change is derived again from the new tip and pushed again, with backoff.
    Exit 1 for an invalid request or a conflict with trunk, 3 when git fails.
    """
    raw, shown, syntax = read_source(request)
    accepted = accept(raw, shown, syntax=syntax)
    for warning in accepted.warnings:
        reporter.echo_problem(accepted.path, warning, "warning")
    suffix = ".json" if accepted.document.syntax == "json" else ".yaml"
    environ = dict(os.environ)
    outcome = apply.run(apply.Submitted(accepted=accepted, raw=raw, suffix=suffix), repo or Path.cwd(),
                        remote=remote, branch=branch, push=not no_push, environ=environ, today=today_utc(environ))
    report(outcome, output=output, branch=branch, pushed=not no_push)
    return EXIT_OK
