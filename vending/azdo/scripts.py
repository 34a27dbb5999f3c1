"""Bash shared by the pipelines' steps: no expression, no macro, values only from the environment.

Azure expands `$(name)` macros in a step's script before bash sees it, so no script here uses
command substitution with `$(`: output is read with backticks or `read < <(...)` instead.
"""

from __future__ import annotations

DEFUSE = """\
defuse() { sed -e 's/##vso\\[/**vso[/g' -e 's/##\\[/**[/g'; }  # no logging commands from data
"""

TERRAFORM_INSTALL = """\
if [ -n "$TERRAFORM_VERSION" ]; then
  if [[ ! "$TERRAFORM_VERSION" =~ ^[0-9]+\\.[0-9]+\\.[0-9]+$ ]]; then
    echo "##vso[task.logissue type=error]terraformVersion must be a version such as 1.9.8, or empty"
    exit 1
  fi
  case "$HOSTTYPE" in aarch64) arch=arm64 ;; *) arch=amd64 ;; esac
  zip="terraform_${TERRAFORM_VERSION}_linux_$arch.zip"
  url="https://releases.hashicorp.com/terraform/$TERRAFORM_VERSION"
  curl -fsSL -o "$AGENT_TEMPDIRECTORY/$zip" "$url/$zip"
  curl -fsSL -o "$AGENT_TEMPDIRECTORY/terraform.sha256" "$url/terraform_${TERRAFORM_VERSION}_SHA256SUMS"
  (cd "$AGENT_TEMPDIRECTORY" && grep " $zip\\$" terraform.sha256 | sha256sum --check --strict -)
  unzip -o -q "$AGENT_TEMPDIRECTORY/$zip" -d "$AGENT_TEMPDIRECTORY/terraform-bin"
  PATH="$AGENT_TEMPDIRECTORY/terraform-bin:$PATH"
elif ! command -v terraform >/dev/null; then
  echo "##vso[task.logissue type=error]terraform is not on the agent: set the terraformVersion parameter"
  exit 1
fi
export TF_PLUGIN_CACHE_DIR="$AGENT_TEMPDIRECTORY/terraform-plugins"
mkdir -p "$TF_PLUGIN_CACHE_DIR"
"""

AZURE_LOGIN = """\
# AzureCLI@2 with addSpnToEnvironment signed in with the service connection (workload identity
# federation) and handed its identity to this script: Terraform signs in with the same federated
# token (OIDC), for the azurerm provider and for the state (Entra ID, no storage key). No secret.
if [ -z "${idToken:-}" ] || [ -z "${servicePrincipalId:-}" ] || [ -z "${tenantId:-}" ]; then
  echo "##vso[task.logissue type=error]the service connection handed no federated token: use an Azure" \\
    "Resource Manager connection with workload identity federation, and addSpnToEnvironment"
  exit 1
fi
export ARM_USE_OIDC=true ARM_OIDC_TOKEN="$idToken" ARM_CLIENT_ID="$servicePrincipalId" ARM_TENANT_ID="$tenantId"
export ARM_USE_AZUREAD=true ARM_USE_CLI=false
unset ARM_CLIENT_SECRET ARM_CLIENT_CERTIFICATE_PATH ARM_ACCESS_KEY
"""
