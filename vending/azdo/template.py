"""The Azure Pipelines template that vends a subscription, and an example pipeline that uses it.

Pure functions of the newest request schema: `vending render` writes them to
`interface/pipelines/` (TEMPLATE_PATH, CONSUMER_EXAMPLE_PATH) and `vending check`
compares what is there with what they return.

Safety rules the template keeps (and the tests prove):
- Request values reach `vending` only as data, in one environment variable
  (`VENDING_PARAMETERS`) built at compile time from `convertToJson(parameters)`
  with `%` and `$` percent-encoded. Azure expands `$(name)` macros at run time in
  step inputs, `env:` values included; with no `$` left there is nothing to
  expand, so a request saying `$(System.AccessToken)` stays that text.
- No script contains a template expression (`${{ }}`) or a macro (`$(`); each
  script reads what it needs from its environment.
- Output that can carry request values (diffs, Terraform messages) passes
  through `defuse`, so it cannot smuggle `##vso[` logging commands to the agent.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import yaml

from vending.azdo.parameters import (
    NEUTRAL_DEFAULTS,
    PARAMETER_TYPES,
    PARAMETERS_VARIABLE,
    TEMPLATE_PARAMETERS,
    json_type_of,
    request_properties,
)
from vending.azdo.scripts import AZURE_LOGIN, DEFUSE, TERRAFORM_INSTALL

TEMPLATE_PATH = "interface/pipelines/vend-subscription.yml"
CONSUMER_EXAMPLE_PATH = "interface/pipelines/consumer-example.yml"
REPOSITORY_ALIAS = "vending"
"""The `resources.repositories` alias a consumer gives the vending repository."""

_RELEASE_ID = re.compile(r"^urn:vending:request:(\d+\.\d+\.\d+)$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def schema_release(schema: Mapping[str, Any]) -> str:
    """The released version a request schema is, from its `$id` (urn:vending:request:2.0.0)."""
    match = _RELEASE_ID.fullmatch(str(schema.get("$id", "")))
    if not match:
        raise ValueError(f"the request schema's $id {schema.get('$id')!r} does not name a release")
    return match.group(1)


def _display_name(name: str, required: bool) -> str:
    words = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).lower()
    return words[:1].upper() + words[1:] + ("" if required else " (optional)")


def pipeline_parameters(schema: Mapping[str, Any], release: str | None = None) -> list[dict[str, Any]]:
    """The template's runtime parameters for the request properties of `schema`, in schema order.

    Required properties have no default, so Azure refuses a run that leaves one
    out; optional ones default to the schema's default or to a neutral value
    meaning "absent". `schemaVersion` defaults to the schema's major version (a prefix
    pin: the newest release of that major), so the default moves only with a major
    release; a full version there would change the default, a major change for
    callers that leave it out, with every minor release.
    """
    release = release or schema_release(schema)
    parameters: list[dict[str, Any]] = []
    for name, prop, required in request_properties(schema):
        if name in TEMPLATE_PARAMETERS:
            raise ValueError(f"request property {name!r} clashes with a parameter of the pipeline template")
        kind = json_type_of(prop)
        parameter: dict[str, Any] = {"name": name, "displayName": _display_name(name, required),
                                     "type": PARAMETER_TYPES[kind]}
        if name == "schemaVersion":
            parameter["default"] = release.split(".", 1)[0]
        elif "default" in prop:
            parameter["default"] = prop["default"]
        elif not required:
            if kind not in NEUTRAL_DEFAULTS or "enum" in prop:
                raise ValueError(f"optional request property {name!r} ({kind}) needs a default in the schema "
                                 "to be a pipeline parameter: it has no value that means absent")
            parameter["default"] = copy.deepcopy(NEUTRAL_DEFAULTS[kind])
        if "enum" in prop:
            parameter["values"] = [str(value) for value in prop["enum"]]
        parameters.append(parameter)
    return parameters


TOOL_PARAMETERS: list[dict[str, Any]] = [
    {"name": "dryRun", "displayName": "Dry run: show what would change and vend nothing",
     "type": "boolean", "default": False},
    {"name": "gitopsRepository", "displayName": "Alias of the GitOps repository (self, or a repository resource)",
     "type": "string", "default": "self"},
    {"name": "trunkBranch", "displayName": "Trunk branch of the GitOps repository",
     "type": "string", "default": "main"},
    {"name": "environment", "displayName": "Environment whose approvals and checks gate the vend",
     "type": "string", "default": "subscription-vending"},
    {"name": "serviceConnections",
     "displayName": "Service connection by workload for the dry run's terraform plan (none: validate only)",
     "type": "object", "default": {}},
    {"name": "acceptChanges",
     "displayName": "Changes of an existing subscription to accept (location billingScope managementGroup network "
                    "addressSpace; empty: none)",
     "type": "string", "default": ""},
    {"name": "vendingVersion", "displayName": "vending version from the package index (empty: the template's tag)",
     "type": "string", "default": ""},
    {"name": "terraformVersion", "displayName": "Terraform version to download (empty: the agent's terraform)",
     "type": "string", "default": ""},
    {"name": "pool", "displayName": "Agent pool (Linux)", "type": "pool", "default": {"vmImage": "ubuntu-latest"}},
]


def _encoded(expression: str) -> str:
    """A compile-time expression for `expression` with `%` and `$` percent-encoded (see the module doc)."""
    return "${{ replace(replace(" + expression + ", '%', '%25'), '$', '%24') }}"


REQUEST_FILE = "$(Agent.TempDirectory)/vending-request.json"
ROOTS_ARTIFACT = "terraform-roots"

_DEFUSE = DEFUSE

_CHECK_TRUNK = """\
if [[ ! "$VENDING_TRUNK" =~ ^[A-Za-z0-9._/-]+$ || "$VENDING_TRUNK" == -* ]]; then
  echo "##vso[task.logissue type=error]trunkBranch must be a branch name such as main"
  exit 1
fi
repo="$PIPELINE_WORKSPACE/gitops"
git -C "$repo" config user.name >/dev/null || git -C "$repo" config user.name "Azure Pipelines"
git -C "$repo" config user.email >/dev/null || git -C "$repo" config user.email "azure-pipelines@vending.invalid"
"""

INSTALL_SCRIPT = """\
set -euo pipefail
if [ -z "$VENDING_VERSION" ]; then
  package="$PIPELINE_WORKSPACE/vending"
elif [[ "$VENDING_VERSION" =~ ^[0-9]+\\.[0-9]+\\.[0-9]+$ ]]; then
  package="vending==$VENDING_VERSION"
else
  echo "##vso[task.logissue type=error]vendingVersion must be a version such as 1.2.3, or empty"
  exit 1
fi
venv="$AGENT_TEMPDIRECTORY/vending-venv"
python -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "$package"
echo "##vso[task.prependpath]$venv/bin"
"$venv/bin/vending" --version
"""

DECODE_SCRIPT = f"""\
set -euo pipefail
vending request from-pipeline --env {PARAMETERS_VARIABLE} --out "$REQUEST_FILE"
"""

DRY_RUN_SCRIPT = f"""\
set -euo pipefail
{_DEFUSE}{_CHECK_TRUNK}vending apply "$REQUEST_FILE" --repo "$repo" --branch "$VENDING_TRUNK" --no-push --output json
echo "##[section]What this request would change on $VENDING_TRUNK"
git -C "$repo" --no-pager diff --stat "origin/$VENDING_TRUNK" HEAD | defuse
git -C "$repo" --no-pager diff "origin/$VENDING_TRUNK" HEAD | defuse
roots="$BUILD_ARTIFACTSTAGINGDIRECTORY/{ROOTS_ARTIFACT}"
mkdir -p "$roots"
git -C "$repo" diff --name-only "origin/$VENDING_TRUNK" HEAD -- generated/terraform \\
  | awk -F/ 'NF >= 5 {{ print $1 "/" $2 "/" $3 "/" $4 }}' | sort -u > "$roots/roots.txt"
while IFS= read -r root; do
  if [ -d "$repo/$root" ]; then
    mkdir -p "$roots/$root"
    cp -R "$repo/$root/." "$roots/$root/"
  fi
done < "$roots/roots.txt"
"""

TERRAFORM_SCRIPT = f"""\
set -euo pipefail
{_DEFUSE}roots="$PIPELINE_WORKSPACE/{ROOTS_ARTIFACT}"
if [ ! -s "$roots/roots.txt" ]; then
  echo "No Terraform root changed: nothing to validate."
  exit 0
fi
{TERRAFORM_INSTALL}status=0
while IFS= read -r root; do
  if [ ! -d "$roots/$root" ]; then
    echo "$root was removed: nothing to validate"
    continue
  fi
  echo "##[group]terraform validate $root"
  if terraform -chdir="$roots/$root" init -backend=false -input=false -no-color 2>&1 | defuse &&
     terraform -chdir="$roots/$root" validate -no-color 2>&1 | defuse; then
    echo "$root: valid"
  else
    echo "##vso[task.logissue type=error]terraform validate failed in $root"
    status=1
  fi
  echo "##[endgroup]"
done < "$roots/roots.txt"
exit "$status"
"""

PLAN_SCRIPT = f"""\
set -euo pipefail
{AZURE_LOGIN}{DEFUSE}roots="$PIPELINE_WORKSPACE/{ROOTS_ARTIFACT}"
if [ ! -s "$roots/roots.txt" ]; then
  echo "No Terraform root changed: nothing to plan."
  exit 0
fi
{TERRAFORM_INSTALL}export TF_IN_AUTOMATION=true TF_INPUT=false
summary="$AGENT_TEMPDIRECTORY/terraform-plan.md"
printf '## Terraform plan of the changed roots\\n\\nAgainst the deployed state; nothing is applied.\\n' > "$summary"
status=0
while IFS= read -r root; do
  if [ ! -d "$roots/$root" ]; then
    echo "$root was removed: nothing to plan"
    continue
  fi
  echo "##[group]terraform plan $root"
  # -lock=false: a plan for review reads the state and never holds the deployment's lock.
  if terraform -chdir="$roots/$root" init -input=false -no-color > "$roots/$root.log" 2>&1 &&
     terraform -chdir="$roots/$root" plan -input=false -no-color -lock=false >> "$roots/$root.log" 2>&1; then
    result=planned
  else
    result="plan failed"
    echo "##vso[task.logissue type=error]terraform plan failed in $root"
    status=1
  fi
  defuse < "$roots/$root.log"
  echo "##[endgroup]"
  printf '\\n### %s: %s\\n\\n~~~~~~~~\\n' "$root" "$result" >> "$summary"
  defuse < "$roots/$root.log" >> "$summary"
  printf '~~~~~~~~\\n' >> "$summary"
done < "$roots/roots.txt"
echo "##vso[task.uploadsummary]$summary"
exit "$status"
"""

VEND_SCRIPT = f"""\
set -euo pipefail
{_CHECK_TRUNK}vending apply "$REQUEST_FILE" --repo "$repo" --branch "$VENDING_TRUNK" --output json
"""


def _prepare_steps() -> list[dict[str, Any]]:
    """Check out the GitOps repository (able to push) and vending, install vending, read the request."""
    return [
        {"checkout": "${{ parameters.gitopsRepository }}", "path": "gitops", "fetchDepth": 0,
         "fetchTags": False, "clean": True, "persistCredentials": True},
        {"checkout": REPOSITORY_ALIAS, "path": "vending", "fetchDepth": 1, "fetchTags": False},
        {"task": "UsePythonVersion@0", "displayName": "Use Python 3.11", "inputs": {"versionSpec": "3.11"}},
        {"bash": INSTALL_SCRIPT, "displayName": "Install vending",
         "env": {"VENDING_VERSION": _encoded("parameters.vendingVersion")}},
        {"bash": DECODE_SCRIPT, "name": "request", "displayName": "Read the request from the parameters",
         "env": {PARAMETERS_VARIABLE: _encoded("convertToJson(parameters)"), "REQUEST_FILE": REQUEST_FILE}},
    ]


CONNECTION = "${{ parameters.serviceConnections[parameters.workload] }}"
"""The service connection of the request's workload (`workload` is one of its schema's `values`)."""
PLAN_IF_CONNECTED = "${{ if parameters.serviceConnections[parameters.workload] }}"


def _plan_step(env: dict[str, str]) -> dict[str, Any]:
    """terraform plan of the changed roots, signed in as the deploy pipeline signs in for that workload."""
    return {"task": "AzureCLI@2", "displayName": "terraform plan",
            "inputs": {"azureSubscription": CONNECTION, "scriptType": "bash", "scriptLocation": "inlineScript",
                       "addSpnToEnvironment": True, "inlineScript": PLAN_SCRIPT},
            "env": env}


def pipeline_template(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The template as data (what `render_pipeline_template` writes)."""
    trunk = {"VENDING_TRUNK": _encoded("parameters.trunkBranch"), "REQUEST_FILE": REQUEST_FILE,
             # read by vending apply (vending.guardrails): the dry run and the vend accept the same changes
             "VENDING_ACCEPT_CHANGE": _encoded("parameters.acceptChanges")}
    terraform = {"TERRAFORM_VERSION": _encoded("parameters.terraformVersion"), "TF_IN_AUTOMATION": "true",
                 "TF_INPUT": "false"}
    return {
        "parameters": [*pipeline_parameters(schema), *TOOL_PARAMETERS],
        "pool": "${{ parameters.pool }}",
        "stages": [
            {"stage": "DryRun", "displayName": "Dry run: what the request would change",
             "jobs": [{"job": "DryRun", "displayName": "Render and commit locally, without pushing",
                       "timeoutInMinutes": 30,
                       "steps": [*_prepare_steps(),
                                 {"bash": DRY_RUN_SCRIPT, "name": "dryRun", "displayName": "What would change",
                                  "env": trunk},
                                 {"publish": f"$(Build.ArtifactStagingDirectory)/{ROOTS_ARTIFACT}",
                                  "artifact": ROOTS_ARTIFACT, "displayName": "Publish the changed Terraform roots"}]}]},
            {"stage": "Terraform", "displayName": "Terraform validate (and plan) of the changed roots",
             "dependsOn": "DryRun",
             "jobs": [{"job": "Validate", "displayName": "terraform validate, and plan with the workload's connection",
                       "timeoutInMinutes": 30,
                       "steps": [{"checkout": "none"},
                                 {"download": "current", "artifact": ROOTS_ARTIFACT},
                                 {"bash": TERRAFORM_SCRIPT, "displayName": "terraform validate", "env": terraform},
                                 {PLAN_IF_CONNECTED: [_plan_step(terraform)]}]}]},
            {"stage": "Vend", "displayName": "Vend: commit and push to trunk",
             "dependsOn": ["DryRun", "Terraform"],
             "condition": "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'), "
                          "not(${{ parameters.dryRun }}))",
             "jobs": [{"deployment": "Vend", "displayName": "vending apply",
                       "environment": "${{ parameters.environment }}", "timeoutInMinutes": 30,
                       "strategy": {"runOnce": {"deploy": {"steps": [
                           {"download": "none"},
                           *_prepare_steps(),
                           {"bash": VEND_SCRIPT, "name": "vend", "displayName": "vending apply", "env": trunk},
                       ]}}}}]},
        ],
    }


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, lists indented under their key, no aliases."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # Azure Pipelines does not accept YAML anchors and aliases


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def to_yaml(header: str, data: Mapping[str, Any]) -> str:
    body = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=4096)
    return header + body


def render_pipeline_template(schema: Mapping[str, Any]) -> str:
    """The text of `interface/pipelines/vend-subscription.yml` for the newest request schema."""
    header = (
        f"# Generated by `vending render` from request schema {schema_release(schema)}: do not edit;\n"
        "# change the schema or vending and render again.\n"
        "#\n"
        "# The subscription-vending pipeline. Consumers extend it from a tag of the vending\n"
        f"# repository (see {CONSUMER_EXAMPLE_PATH} and docs/azure-devops.md).\n"
        "# Request values reach vending only as data: all parameters travel in the\n"
        f"# {PARAMETERS_VARIABLE} environment variable as JSON with '%' and '$' percent-encoded, so\n"
        "# the agent's macro expansion has nothing to expand; no script contains an expression.\n"
    )
    return to_yaml(header, pipeline_template(schema))


def consumer_example(schema: Mapping[str, Any], *, version: str, repository: str) -> dict[str, Any]:
    """The consumer example as data (what `render_consumer_example` writes)."""
    if not _VERSION.fullmatch(version):
        raise ValueError(f"version {version!r} is not a release such as 1.2.3")
    request = pipeline_parameters(schema)
    dry_run = next(p for p in TOOL_PARAMETERS if p["name"] == "dryRun")
    passed = {p["name"]: "${{ parameters." + p["name"] + " }}" for p in [*request, dry_run]}
    return {
        "trigger": "none",
        "pr": "none",
        "resources": {"repositories": [
            {"repository": REPOSITORY_ALIAS, "type": "git", "name": repository, "ref": f"refs/tags/v{version}"}]},
        "parameters": [*request, dry_run],
        "extends": {"template": f"{TEMPLATE_PATH}@{REPOSITORY_ALIAS}",
                    "parameters": {**passed, "trunkBranch": "main", "environment": "subscription-vending",
                                   # as deploy.serviceConnections in vending.yaml: the dry run plans as the deploy
                                   "serviceConnections": dict(EXAMPLE_SERVICE_CONNECTIONS)}},
    }


EXAMPLE_SERVICE_CONNECTIONS = {"Production": "sc-vending-production", "DevTest": "sc-vending-devtest"}


def render_consumer_example(schema: Mapping[str, Any], *, version: str,
                            repository: str = "Platform/vending") -> str:
    """The text of `interface/pipelines/consumer-example.yml`: a pipeline in the GitOps repository
    that pins the template to tag v`version` of `repository` and passes every parameter through."""
    header = (
        f"# Generated by `vending render` from request schema {schema_release(schema)}: do not edit.\n"
        "#\n"
        "# An example pipeline for the GitOps repository: it pins the vending template by tag and\n"
        "# passes its runtime parameters through. Queue it with `vending trigger` (the Runs API)\n"
        "# or from the web UI. Copy it, set the repository name and the tag, and keep the rest.\n"
    )
    return to_yaml(header, consumer_example(schema, version=version, repository=repository))
