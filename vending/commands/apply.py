"""`vending apply REQUEST`: vend a subscription onto trunk, with an audit trail, safely under
concurrent runs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click

from vending import apply, guardrails, reporter
from vending.commands.vend_options import report, vend_options
from vending.errors import EXIT_OK, UsageError
from vending.intake import accept, read_source
from vending.records import today_utc


@click.command("apply")
@click.argument("request")
@click.option("--accept-change", "accept_change", multiple=True, type=click.Choice(guardrails.KINDS), metavar="KIND",
              help="Accept a change of an existing subscription that a guardrail stops "
                   f"({', '.join(guardrails.KINDS)}); repeatable. The commit records each in a "
                   f"{guardrails.TRAILER} trailer. In a pipeline: {guardrails.ENV_VAR}.")
@vend_options
def command(request: str, accept_change: tuple[str, ...], repo: Path | None, remote: str, branch: str, no_push: bool,
            output: str) -> int:
    """Validate REQUEST (a file, or - for stdin), check it against the fleet on the tip of trunk,
    store it as submitted, render its files, commit with an audit trail and push.

    Run it in a clone of the GitOps repository (a detached checkout, as on an Azure DevOps agent,
    is fine). Applying the same request twice changes nothing. When the push is refused because
    trunk moved, the change is derived again from the new tip and pushed again, with backoff.
    An update Azure cannot make in place, or one across a governance boundary (location, billing
    scope, management group, removing the network, re-addressing a peered network), is refused unless
    accepted with --accept-change. Exit 1 for an invalid request, a refused change or a conflict with
    trunk, 3 when git fails.
    """
    environ = dict(os.environ)
    accepted_kinds = (*accept_change, *_kinds_from_env(environ))
    raw, shown, syntax = read_source(request)
    accepted = accept(raw, shown, syntax=syntax)
    for warning in accepted.warnings:
        reporter.echo_problem(accepted.path, warning, "warning")
    suffix = ".json" if accepted.document.syntax == "json" else ".yaml"
    submitted = apply.Submitted(accepted=accepted, raw=raw, suffix=suffix, accept_changes=accepted_kinds)
    outcome = apply.run(submitted, repo or Path.cwd(),
                        remote=remote, branch=branch, push=not no_push, environ=environ, today=today_utc(environ))
    report(outcome, output=output, branch=branch, pushed=not no_push)
    return EXIT_OK


def _kinds_from_env(environ: Mapping[str, str]) -> tuple[str, ...]:
    kinds = guardrails.kinds_from_env(environ.get(guardrails.ENV_VAR))
    unknown = [kind for kind in kinds if kind not in guardrails.KINDS]
    if unknown:
        raise UsageError(f"{guardrails.ENV_VAR} names {', '.join(map(repr, unknown))}, which no guardrail is; "
                         f"the kinds are {', '.join(guardrails.KINDS)}")
    return kinds
