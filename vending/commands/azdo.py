"""`vending azdo ...`: set Azure DevOps up for the GitOps repository.

`vending azdo policies` applies generated/azure-repos/branch-policies.json (required reviewers per
path, derived from `owners`) to a repository's trunk through the Policy Configurations REST API.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from vending import reporter
from vending.azdo import client, policies
from vending.commands.options import open_repo, repo_option
from vending.config import CONFIG_FILE
from vending.errors import EXIT_OK, ConfigError, RemoteError, UnsafePath, UsageError
from vending.repo_files import read_file

SCOPE = "Code (Read, write & manage)"
HINTS = client.Hints(
    scope=SCOPE,
    permission="it needs the 'Edit policies' permission on the repository (Project Settings > Repositories > "
               "Security)",
    not_found="check --organization, --project and --repository",
    refused="Azure DevOps refused the branch policies of",
    forbidden="may not change the branch policies of",
)


@click.group("azdo")
def command() -> None:
    """Set Azure DevOps up for this GitOps repository (branch policies)."""


@command.command("policies")
@repo_option
@click.option("--organization", metavar="URL",
              help="The organization (or collection) URL, such as https://dev.azure.com/fabrikam.")
@click.option("--project", metavar="NAME", help="The project the repository is in.")
@click.option("--repository", metavar="ID|NAME", help="The GitOps repository: its id, or its name (looked up).")
@click.option("--dry-run", is_flag=True, help="Print the policy configurations; send nothing.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="How long to wait for each answer of Azure DevOps.")
def policies_command(*, repo: Path | None, organization: str | None, project: str | None,
                     repository: str | None, dry_run: bool, timeout: float) -> int:
    """Apply the branch policies of generated/azure-repos/branch-policies.json to the repository's trunk:
    a Required reviewers policy per owners entry of vending.yaml, with the environment's paths as filters.

    Existing configurations with the same type, branch and path filters are updated in place; a second run
    changes nothing. Credentials come from AZURE_DEVOPS_EXT_PAT (a personal access token with the Code
    (Read, write & manage) scope) or SYSTEM_ACCESSTOKEN. Exit 0 when applied (or printed); 2 for a usage
    or configuration error; 4 when Azure DevOps refuses or fails.
    """
    config = open_repo(repo)
    desired = _committed(config.root, policies.render_platform(config))
    if dry_run:
        shown = policies.for_repository(desired, repository.lower()) if repository and policies.GUID.fullmatch(
            repository) else desired
        reporter.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        if not (repository and policies.GUID.fullmatch(repository)):
            reporter.echo("repositoryId is set to the id of --repository when the policies are applied", err=True)
        return EXIT_OK
    if not organization or not project or not repository:
        missing = [f"--{name}" for name, value in (("organization", organization), ("project", project),
                                                   ("repository", repository)) if not value]
        raise UsageError(f"{', '.join(missing)} needed to apply the branch policies (or pass --dry-run)")
    if not project.strip():
        raise UsageError("--project must name the Azure DevOps project")
    base_url = client.organization_url(organization)
    credential = client.credential_from_env(os.environ, SCOPE)
    base = policies.project_url(base_url, project)
    where = f"project {project!r} at {base_url}"

    def call(method: str, url: str, body: Any) -> tuple[Any, Any]:
        return client.call_json(method, url, body, credential=credential, where=where, organization=base_url,
                                timeout=timeout, what="a policy configuration", hints=HINTS)

    try:
        repository_id = policies.repository_id(call, base, repository)
        steps = policies.apply(call, base, policies.for_repository(desired, repository_id))
    except ValueError as exc:
        raise RemoteError(f"Azure DevOps answered {where} with {exc}") from None
    for step in steps:
        settings = step.body["settings"]
        paths = ", ".join(settings.get("filenamePatterns", [])) or "every path"
        reporter.echo(f"{step.action}: policy {step.configuration_id} (required reviewers, {paths}) on "
                      f"{settings['scope'][0]['refName']} of repository {repository_id}")
    return EXIT_OK


def _committed(root: Path, rendered: dict[str, bytes]) -> list[dict[str, Any]]:
    """The configurations of the committed file, which must be what vending.yaml renders: what is applied
    is what was reviewed."""
    if not rendered:
        raise ConfigError(f"{CONFIG_FILE} has no azureRepos or no owners, so there are no branch policies: add "
                          "owners and azureRepos.reviewers (the identity id of each owner)")
    try:
        raw = read_file(root, policies.PATH, limit=16 * 1024 * 1024)
    except UnsafePath as exc:
        raise ConfigError(str(exc)) from None
    if raw != rendered[policies.PATH]:
        state = "does not exist" if raw is None else "differs from what vending.yaml renders"
        raise ConfigError(f"{policies.PATH} {state}: run vending render --all, review and commit it first")
    document: dict[str, Any] = json.loads(raw)
    configurations: list[dict[str, Any]] = document["configurations"]
    return configurations
