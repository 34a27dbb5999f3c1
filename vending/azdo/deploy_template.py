"""The Azure Pipelines pipeline that deploys the Terraform roots of trunk, derived from `vending.yaml`.

`vending render` writes it to DEPLOY_PATH in the GitOps repository and `vending check` compares it.
Per workload, two stages: Plan (a job: find the changed roots, `terraform init` + `plan -out`, publish
the saved plans, summary on the run) and Apply (a deployment job in the workload's environment, so
its approvals and Exclusive Lock gate it: apply the saved plans, then move the deployed marker).

- Triggered by the completion of the vend pipeline (vend commits carry `git.skipCi`, which
  suppresses CI triggers) and by a CI trigger on the roots' paths (changes merged by pull request).
- "Changed" means changed since the last successful deployment of the workload: the marker branch
  `vending/deployed/<segment>` points at the trunk commit last deployed in full, and moves (never
  forced) only when every changed root of the workload was applied. A root that failed is planned
  again by the next run; the roots of other subscriptions are applied regardless.
- Values from `vending.yaml` are names in the YAML or `env:` values (schema-checked, without `$`),
  never script text; scripts read their environment (see `vending.azdo.scripts`).
"""

from __future__ import annotations

from typing import Any

from vending.azdo.scripts import AZURE_LOGIN, DEFUSE, TERRAFORM_INSTALL
from vending.azdo.template import to_yaml
from vending.config import GENERATED_DIR, Config

DEPLOY_PATH = "interface/pipelines/deploy-subscriptions.yml"
MARKER_PREFIX = "vending/deployed/"
"""The marker branch of a workload is MARKER_PREFIX + its path segment."""
PLANS = "plans"

_GIT_TARGET = """\
repo="$BUILD_SOURCESDIRECTORY"
if [[ ! "$VENDING_BRANCH" =~ ^[A-Za-z0-9_][A-Za-z0-9._/-]*$ ]]; then
  echo "##vso[task.logissue type=error]the deploy branch must be a branch name such as main"
  exit 1
fi
git -C "$repo" fetch --quiet origin "+refs/heads/$VENDING_BRANCH:refs/remotes/origin/$VENDING_BRANCH"
"""

_ADVANCE = """\
# Move the marker to what is now deployed; the lease makes sure no other run moved it meanwhile.
advance() {
  if git -C "$repo" push --quiet --force-with-lease="refs/heads/$VENDING_MARKER:$2" origin \\
       "$1:refs/heads/$VENDING_MARKER"; then
    echo "$VENDING_MARKER now points at $1: deployed"
  else
    echo "##vso[task.logissue type=warning]$VENDING_MARKER was not moved to $1 (another run moved it, or the" \\
      "build identity may not create the branch): the next run plans these roots again"
  fi
}
"""

CHANGED_ROOTS_SCRIPT = f"""\
set -euo pipefail
{_GIT_TARGET}out="$PIPELINE_WORKSPACE/{PLANS}"
rm -rf "$out" && mkdir -p "$out"
# Deploy trunk's tip: a run started by the vend pipeline checks out the commit that run started
# from, before its vend commit landed.
target=`git -C "$repo" rev-parse --verify "refs/remotes/origin/$VENDING_BRANCH^{{commit}}"`
git -C "$repo" checkout --quiet --detach "$target"
git -C "$repo" ls-remote --refs origin "refs/heads/$VENDING_MARKER" > "$out/marker"
read -r deployed _ < "$out/marker" || deployed=""
scope="{GENERATED_DIR}/terraform/$VENDING_SEGMENT/"
if [ -n "$deployed" ]; then
  git -C "$repo" fetch --quiet origin "+refs/heads/$VENDING_MARKER:refs/remotes/origin/$VENDING_MARKER"
  echo "Roots of $scope changed since the last successful deployment, $deployed ($VENDING_MARKER):"
  git -C "$repo" diff --name-only --no-renames "$deployed" "$target" -- "$scope" > "$out/paths.txt"
else
  echo "Nothing deployed yet ($VENDING_MARKER does not exist): every root of $scope"
  git -C "$repo" ls-tree -r --name-only "$target" -- "$scope" > "$out/paths.txt"
fi
awk -F/ 'NF >= 5 {{ print $1 "/" $2 "/" $3 "/" $4 }}' "$out/paths.txt" | sort -u > "$out/roots.txt"
echo "$target" > "$out/target"
echo "$deployed" > "$out/deployed"
sed 's/^/  /' "$out/roots.txt"
echo "Target: $target"
"""

PLAN_SCRIPT = f"""\
set -euo pipefail
{AZURE_LOGIN}{DEFUSE}{_GIT_TARGET}{_ADVANCE}out="$PIPELINE_WORKSPACE/{PLANS}"
read -r target < "$out/target"
read -r deployed < "$out/deployed" || deployed=""
{TERRAFORM_INSTALL}export TF_IN_AUTOMATION=true TF_INPUT=false
: > "$out/planned.txt"
: > "$out/failed.txt"
summary="$out/summary.md"
printf '## Terraform plan: %s\\n\\nTrunk at %s; last deployed: %s.\\n\\n' "$VENDING_SEGMENT" "$target" \
  "${{deployed:-nothing}}" > "$summary"
while IFS= read -r root; do
  if [ ! -d "$repo/$root" ]; then
    echo "$root is no longer on trunk: nothing to plan (its state is kept)"
    printf -- '- `%s`: removed from trunk, not planned\\n' "$root" >> "$summary"
    continue
  fi
  mkdir -p "$out/$root"
  echo "##[group]terraform init and plan: $root"
  code=0
  if terraform -chdir="$repo/$root" init -input=false -no-color > "$out/$root/init.log" 2>&1; then
    terraform -chdir="$repo/$root" plan -input=false -no-color -detailed-exitcode -out="$out/$root/tfplan" \\
      > "$out/$root/plan.txt" 2>&1 || code=$?
  else
    code=1
    cp "$out/$root/init.log" "$out/$root/plan.txt"
  fi
  defuse < "$out/$root/plan.txt"
  echo "##[endgroup]"
  case "$code" in
    0) echo "$root: no changes"
       printf -- '- `%s`: no changes\\n' "$root" >> "$summary"
       rm -f "$out/$root/tfplan" ;;
    2) echo "$root" >> "$out/planned.txt"
       cp "$repo/$root/.terraform.lock.hcl" "$out/$root/" 2>/dev/null || true
       grep -E -m 1 '^(Plan|Changes to Outputs):' "$out/$root/plan.txt" > "$out/$root/headline" || true
       printf -- '- `%s`: %s\\n' "$root" "`defuse < "$out/$root/headline"`" >> "$summary" ;;
    *) echo "$root" >> "$out/failed.txt"
       echo "##vso[task.logissue type=error]terraform plan failed in $root"
       printf -- '- `%s`: **plan failed**\\n' "$root" >> "$summary" ;;
  esac
done < "$out/roots.txt"
while IFS= read -r root; do
  printf '\\n### %s\\n\\n~~~~~~~~\\n' "$root" >> "$summary"
  defuse < "$out/$root/plan.txt" >> "$summary"
  printf '~~~~~~~~\\n' >> "$summary"
done < "$out/planned.txt"
echo "##vso[task.uploadsummary]$summary"
if [ -s "$out/planned.txt" ]; then
  echo "##vso[task.setvariable variable=changes;isOutput=true]true"
elif [ ! -s "$out/failed.txt" ]; then
  advance "$target" "$deployed"  # every changed root already matches trunk: nothing waits for approval
fi
if [ -s "$out/failed.txt" ]; then
  if [ -s "$out/planned.txt" ]; then
    # The other roots' plans still go to their apply, which fails the run when it ends.
    echo "##vso[task.complete result=SucceededWithIssues;]some roots could not be planned"
  else
    exit 1
  fi
fi
"""

APPLY_SCRIPT = f"""\
set -euo pipefail
{AZURE_LOGIN}{DEFUSE}{_GIT_TARGET}{_ADVANCE}plans="$PIPELINE_WORKSPACE/$VENDING_PLANS"
read -r target < "$plans/target"
read -r deployed < "$plans/deployed" || deployed=""
git -C "$repo" checkout --quiet --detach "$target"
{TERRAFORM_INSTALL}export TF_IN_AUTOMATION=true TF_INPUT=false
failed=0
while IFS= read -r root; do
  echo "##[group]terraform apply of the saved plan: $root"
  cp "$plans/$root/.terraform.lock.hcl" "$repo/$root/" 2>/dev/null || true
  if terraform -chdir="$repo/$root" init -input=false -no-color 2>&1 | defuse &&
     terraform -chdir="$repo/$root" apply -input=false -no-color "$plans/$root/tfplan" 2>&1 | defuse; then
    echo "##[endgroup]"
    echo "$root: applied"
  else
    echo "##[endgroup]"
    echo "##vso[task.logissue type=error]terraform apply failed in $root: it is planned again by the next run"
    ((failed += 1))
  fi
done < "$plans/planned.txt"
while IFS= read -r root; do
  echo "##vso[task.logissue type=error]$root was not planned (see the plan stage): it is planned again by the next run"
  ((failed += 1))
done < "$plans/failed.txt"
if [ "$failed" -ne 0 ]; then
  echo "$failed root(s) failed; $VENDING_MARKER stays at ${{deployed:-nothing}} so that they are retried"
  exit 1
fi
advance "$target" "$deployed"
"""


def _stage_id(kind: str, workload: str) -> str:
    return f"{kind}_{workload}"


def _azure_cli(script: str, connection: str, name: str, display: str, env: dict[str, str]) -> dict[str, Any]:
    return {"task": "AzureCLI@2", "name": name, "displayName": display,
            "inputs": {"azureSubscription": connection, "scriptType": "bash", "scriptLocation": "inlineScript",
                       "addSpnToEnvironment": True, "inlineScript": script},
            "env": env}


def _checkout() -> dict[str, Any]:
    # persistCredentials: the scripts fetch trunk and push the marker branch with the build identity.
    return {"checkout": "self", "fetchDepth": 0, "fetchTags": False, "clean": True, "persistCredentials": True}


def _stages(config: Config, workload: str) -> list[dict[str, Any]]:
    deploy = config.deploy
    segment = config.environment(workload)
    plan_id, apply_id = _stage_id("Plan", workload), _stage_id("Apply", workload)
    artifact = f"{PLANS}-{segment}"
    env = {"VENDING_BRANCH": deploy.branch, "VENDING_SEGMENT": segment,
           "VENDING_MARKER": MARKER_PREFIX + segment, "TERRAFORM_VERSION": deploy.terraform_version}
    connection = deploy.service_connections[workload]
    plan = {"stage": plan_id, "displayName": f"Plan {workload} ({GENERATED_DIR}/terraform/{segment})",
            "dependsOn": [],
            "jobs": [{"job": "Plan", "displayName": "Changed roots: terraform init and plan -out",
                      "timeoutInMinutes": 60,
                      "steps": [
                          _checkout(),
                          {"bash": CHANGED_ROOTS_SCRIPT, "name": "roots",
                           "displayName": "Roots changed since the last successful deployment", "env": env},
                          _azure_cli(PLAN_SCRIPT, connection, "plan", "terraform plan", env),
                          {"publish": f"$(Pipeline.Workspace)/{PLANS}", "artifact": artifact,
                           "displayName": "Publish the saved plans", "condition": "succeededOrFailed()"},
                      ]}]}
    apply = {"stage": apply_id, "displayName": f"Apply {workload}: the saved plans, after approval",
             "dependsOn": plan_id,
             "condition": f"and(succeeded(), eq(dependencies.{plan_id}.outputs['Plan.plan.changes'], 'true'))",
             "lockBehavior": "sequential",
             "jobs": [{"deployment": "Apply", "displayName": "terraform apply of the saved plans",
                       "environment": deploy.environments[workload], "timeoutInMinutes": 120,
                       "strategy": {"runOnce": {"deploy": {"steps": [
                           {"download": "current", "artifact": artifact, "displayName": "The saved plans"},
                           _checkout(),
                           _azure_cli(APPLY_SCRIPT, connection, "apply", "terraform apply",
                                      {**env, "VENDING_PLANS": artifact}),
                       ]}}}}]}
    return [plan, apply]


def deploy_pipeline(config: Config) -> dict[str, Any]:
    """The deploy pipeline as data (what `render_deploy_pipeline` writes)."""
    deploy = config.deploy
    roots = f"{GENERATED_DIR}/terraform"
    return {
        "trigger": {"batch": True, "branches": {"include": [deploy.branch]}, "paths": {"include": [roots]}},
        "pr": "none",
        "resources": {"pipelines": [{"pipeline": "vend", "source": deploy.vend_pipeline,
                                     "trigger": {"branches": {"include": [deploy.branch]}}}]},
        "lockBehavior": "sequential",
        "pool": dict(deploy.pool),
        "stages": [stage for workload in ("Production", "DevTest") for stage in _stages(config, workload)],
    }


def render_deploy_pipeline(config: Config) -> str:
    """The text of DEPLOY_PATH for `config`."""
    deploy = config.deploy
    header = (
        "# Generated by `vending render` from vending.yaml (deploy): do not edit; change vending.yaml\n"
        "# and render again.\n"
        "#\n"
        "# Deploys the Terraform roots of trunk: per workload, plan the roots changed since the last\n"
        "# successful deployment (the branch vending/deployed/<segment>), then apply the saved plans in\n"
        "# the workload's environment "
        f"({deploy.environments['Production']}, {deploy.environments['DevTest']}), after its approvals\n"
        "# and checks. Set-up: docs/azure-devops.md.\n"
    )
    return to_yaml(header, deploy_pipeline(config))
