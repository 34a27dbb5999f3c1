"""`vending trigger REQUEST`: validate a request here, then queue the vending pipeline with it.

The request is checked against the schema version it pins before anything is
sent (a mistake is found on the requester's machine, not in a failed run) and, given
the repository (`--repo`, or the one the current directory is in), as `validate`,
`render` and `apply` check it (`vending.policy.check_policy`), then
upgraded to the newest model, because the pipeline's parameters are the newest
schema's, and queued through the Runs API with its properties as
`templateParameters`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from vending import reporter, schemas
from vending.azdo import client
from vending.azdo.parameters import parameters_from_request
from vending.commands.options import output_option, repo_if_any, repo_option
from vending.errors import EXIT_OK, InvalidInput
from vending.fleet_addresses import tree_index
from vending.intake import accept_file
from vending.policy import check_policy
from vending.upgrade import upgrade


@click.command("trigger")
@click.argument("request", metavar="REQUEST")
@click.option("--organization", required=True, metavar="URL",
              help="The organization (or collection) URL, such as https://dev.azure.com/fabrikam.")
@click.option("--project", required=True, metavar="NAME", help="The project the pipeline is in.")
@click.option("--pipeline", "pipeline_id", required=True, type=click.IntRange(min=1), metavar="ID",
              help="The pipeline's id (definitionId in its URL).")
@click.option("--ref", default="refs/heads/main", show_default=True,
              help="The branch (or ref) of the pipeline's repository to run; a bare name means refs/heads/NAME.")
@click.option("--preview", is_flag=True,
              help="Ask Azure DevOps for the expanded YAML of the run instead of queueing it.")
@output_option
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="How long to wait for Azure DevOps.")
@repo_option
def command(*, request: str, organization: str, project: str, pipeline_id: int, ref: str, preview: bool,
            output: str, timeout: float, repo: Path | None) -> int:
    """Validate REQUEST, then queue a run of the vending pipeline with it.

    Credentials come from the environment: AZURE_DEVOPS_EXT_PAT (a personal
    access token with Build: Read & execute) or SYSTEM_ACCESSTOKEN (inside a
    pipeline). Inside a GitOps repository (or with --repo) the request is also
    checked against its configuration, allow-lists and Rego policy. Exit 0 when
    queued; 1 when the request is invalid (nothing is sent); 2 for a usage
    error; 4 when Azure DevOps refuses or fails.
    """
    base = client.organization_url(organization)
    config = repo_if_any(repo)
    try:
        accepted = accept_file(request)
        if config is not None:
            check_policy(accepted, config, addresses=tree_index(config))
    except InvalidInput as exc:
        raise exc.because("not sent: fix the request first") from None
    for warning in accepted.warnings:
        reporter.echo_problem(accepted.path, warning, "warning")
    credential = client.credential_from_env(os.environ)
    newest = schemas.latest().name
    document = upgrade(accepted.document.data, accepted.release.version.major, newest)
    parameters = parameters_from_request(document, schemas.schema_for(newest))
    run = client.run_pipeline(base, project, pipeline_id, ref=_full_ref(ref), template_parameters=parameters,
                              credential=credential, preview=preview, timeout=timeout)
    _report(run, pipeline_id, project, preview=preview, output=output)
    return EXIT_OK


def _full_ref(ref: str) -> str:
    return ref if ref.startswith("refs/") else f"refs/heads/{ref}"


def _report(run: dict[str, Any], pipeline_id: int, project: str, *, preview: bool, output: str) -> None:
    web = _web_url(run)
    summary = {"id": run.get("id"), "name": run.get("name"), "state": run.get("state"), "url": web,
               "preview": preview}
    if preview:
        summary["finalYaml"] = run.get("finalYaml", "")
    if output == "json":
        reporter.echo_json(summary)
    elif preview:
        reporter.echo(f"Preview of pipeline {pipeline_id} in {project}: nothing was queued.", err=True)
        reporter.echo(str(summary["finalYaml"]).rstrip("\n"))
    else:
        reporter.echo(f"Queued run {run.get('id')} ({run.get('name')}) of pipeline {pipeline_id} in {project}: "
                      f"{run.get('state')}")
        reporter.echo(str(web))
    if not preview:
        reporter.output_variable("runId", str(run.get("id")))
        reporter.output_variable("runState", str(run.get("state")))
        reporter.output_variable("runUrl", str(web))


def _web_url(run: dict[str, Any]) -> str:
    """`_links.web.href`: the run's page for people (`url` is the API's)."""
    links = run.get("_links")
    web = links.get("web") if isinstance(links, dict) else None
    href = web.get("href") if isinstance(web, dict) else None
    return str(href or run.get("url") or "")
