"""The function-go-templating template: everything composed inside a vended subscription, once its
id is known (its own ProviderConfig, role assignments, budgets, resource provider registrations,
the spoke network and both hub peerings).

Nothing from vending.yaml is pasted into the template's text: configuration values enter as Go
string literals (`go_literal`), which the template parser reads as data, and every value reaches
the YAML through `toJson`, so neither a template action nor YAML structure can be injected.
"""

from __future__ import annotations

import json
from typing import Any

from vending.budgets import END_TIME, START_TIME
from vending.config import Config
from vending.render.crossplane.common import MANAGED, ORPHAN_POLICIES, SUBSCRIPTION_PROVIDER_CONFIG_PREFIX

NAME_ANNOTATION = "gotemplating.fn.crossplane.io/composition-resource-name"
READY_ANNOTATION = "gotemplating.fn.crossplane.io/ready"
URL_NAMESPACE_BYTES = "".join(f"\\x{b:02x}" for b in bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8"))
"""RFC 4122's URL namespace, as the bytes of a Go string literal (for uuidv5, as Terraform's uuidv5("url"))."""


def go_literal(value: Any) -> str:
    """`value` as a Go template literal: strings quoted (JSON escapes are Go escapes), maps and
    lists built with sprig's dict and list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        items = " ".join(f"{go_literal(str(k))} {go_literal(v)}" for k, v in value.items())
        return f"(dict {items})" if items else "(dict)"
    if isinstance(value, list | tuple):
        return f"(list {' '.join(go_literal(v) for v in value)})" if value else "(list)"
    raise TypeError(f"no Go literal for {type(value).__name__}")


def _provider_config_spec(config: Config) -> dict[str, Any]:
    """The per-subscription ProviderConfig's spec without subscriptionID (added by the template)."""
    credentials = config.crossplane.credentials
    spec: dict[str, Any] = {"credentials": {"source": credentials.source}}
    if credentials.secret_ref is not None:
        spec["credentials"]["secretRef"] = {"name": credentials.secret_ref.name, "key": credentials.secret_ref.key,
                                            "namespace": credentials.secret_ref.namespace}
    if credentials.tenant_id:
        spec["tenantID"] = credentials.tenant_id
    if credentials.client_id:
        spec["clientID"] = credentials.client_id
    return spec


def _preamble(config: Config) -> str:
    claim = config.crossplane.mode == "claim"
    platform_ref = {"name": config.crossplane.provider_config} if claim else \
        {"kind": "ClusterProviderConfig", "name": config.crossplane.provider_config}
    lines = [
        "{{- $xr := .observed.composite.resource }}",
        "{{- $spec := $xr.spec }}",
        '{{- $platform := dig "platform" (dict) $spec }}',
        '{{- $observed := getComposedResource . "subscription" }}',
        '{{- $subscriptionId := "" }}',
        "{{- if $observed }}",
        '{{- $subscriptionId = dig "status" "atProvider" "subscriptionId" "" $observed }}',
        "{{- end }}",
        '{{- $deletionPolicy := dig "deletionPolicy" "Orphan" $spec }}',
        '{{- $managementPolicies := list "*" }}',
        '{{- if eq $deletionPolicy "Orphan" }}',
        f"{{{{- $managementPolicies = {go_literal(ORPHAN_POLICIES)} }}}}",
        "{{- end }}",
        f"{{{{- $platformRef := {go_literal(platform_ref)} }}}}",
        f'{{{{- $pcName := printf "%s%s" {go_literal(SUBSCRIPTION_PROVIDER_CONFIG_PREFIX)} $spec.name }}}}',
        "{{- $subscriptionRef := dict \"name\" $pcName }}" if claim else
        '{{- $subscriptionRef := dict "kind" "ProviderConfig" "name" $pcName }}',
        f"{{{{- $pcSpec := {go_literal(_provider_config_spec(config))} }}}}",
        '{{- $_ := set $pcSpec "subscriptionID" $subscriptionId }}',
    ]
    if not claim and config.crossplane.credentials.secret_ref is not None:
        # The provider reads a namespaced ProviderConfig's secret from its own namespace.
        lines.append('{{- $_ := set (get $pcSpec "credentials").secretRef "namespace" $xr.metadata.namespace }}')
    lines.append('{{- $subscriptionScope := printf "/subscriptions/%s" $subscriptionId }}')
    return "\n".join(lines) + "\n"


def _header(kind: str, name_expr: str, config: Config, *, ref: str = "", external: str | None = None,
            managed: bool = True, ready: bool = False, object_name: str | None = None) -> str:
    """The start of one composed resource, up to and including `forProvider:` for a managed one."""
    annotations = [f"    {NAME_ANNOTATION}: {{{{ {name_expr} | toJson }}}}"]
    if external is not None:
        annotations.append(f"    crossplane.io/external-name: {{{{ {external} | toJson }}}}")
    if ready:
        annotations.append(f'    {READY_ANNOTATION}: "True"')
    text = ("---\n"
            f"apiVersion: {MANAGED[config.crossplane.mode][kind]}\n"
            f"kind: {kind}\n"
            "metadata:\n"
            + (f"  name: {{{{ {object_name} | toJson }}}}\n" if object_name else "")
            + "  annotations:\n" + "\n".join(annotations) + "\n")
    if not managed:
        return text
    policy = ("  deletionPolicy: {{ $deletionPolicy | toJson }}\n" if config.crossplane.mode == "claim"
              else "  managementPolicies: {{ $managementPolicies | toJson }}\n")
    return text + "spec:\n" + policy + f"  providerConfigRef: {{{{ {ref} | toJson }}}}\n" + "  forProvider:\n"


def _provider_config(config: Config) -> str:
    return (_header("ProviderConfig", '"provider-config"', config, managed=False, ready=True, object_name="$pcName")
            + "spec: {{ $pcSpec | toJson }}\n")


def _role_assignments(config: Config) -> str:
    return (
        '{{- range $key, $ra := dig "roleAssignments" (dict) $spec }}\n'
        + _header("RoleAssignment", 'printf "role-%s" $key', config, ref="$subscriptionRef")
        + "    scope: {{ $subscriptionScope | toJson }}\n"
        "    principalId: {{ $ra.principalId | toJson }}\n"
        '{{- if hasPrefix "/" $ra.definition }}\n'
        "    roleDefinitionId: {{ printf \"%s%s\" $subscriptionScope $ra.definition | toJson }}\n"
        "{{- else }}\n"
        "    roleDefinitionName: {{ $ra.definition | toJson }}\n"
        "{{- end }}\n"
        '{{- if hasKey $ra "principalType" }}\n'
        "    principalType: {{ $ra.principalType | toJson }}\n"
        "{{- end }}\n"
        "{{- end }}\n"
    )


def _budgets(config: Config) -> str:
    return (
        '{{- range $key, $budget := dig "budgets" (dict) $spec }}\n'
        + _header("BudgetSubscription", 'printf "budget-%s" $key', config, ref="$subscriptionRef",
                  external="$key")
        + "    subscriptionId: {{ $subscriptionScope | toJson }}\n"
        "    amount: {{ $budget.amount | toJson }}\n"
        "    timeGrain: {{ $budget.timeGrain | toJson }}\n"
        "    timePeriod:\n"
        f"      startDate: {{{{ printf \"%s{START_TIME}\" $budget.startDate | toJson }}}}\n"
        f"      endDate: {{{{ printf \"%s{END_TIME}\" $budget.endDate | toJson }}}}\n"
        "    notification:\n"
        "{{- range $name, $n := $budget.notifications }}\n"
        "    - enabled: true\n"
        "      operator: {{ $n.operator | toJson }}\n"
        "      threshold: {{ $n.threshold | toJson }}\n"
        "      thresholdType: {{ $n.thresholdType | toJson }}\n"
        "      contactEmails: {{ $n.contactEmails | toJson }}\n"
        "{{- end }}\n"
        "{{- end }}\n"
    )


def _resource_providers(config: Config) -> str:
    # The external name is the registration's id, so that a namespace Azure already registered is
    # observed and adopted instead of failing as "already exists".
    return (
        '{{- $namespaces := concat (dig "resourceProviders" (list) $platform)'
        ' (dig "resourceProviders" (list) $spec) | uniq | sortAlpha }}\n'
        "{{- range $namespace := $namespaces }}\n"
        + _header("ResourceProviderRegistration", 'printf "resource-provider-%s" (lower $namespace)', config,
                  ref="$subscriptionRef", external='printf "%s/providers/%s" $subscriptionScope $namespace')
        + "    name: {{ $namespace | toJson }}\n"
        "{{- end }}\n"
    )


def _peering(direction: str, config: Config, *, ref: str, external: str, local: str, remote: str,
             options: str) -> str:
    """One side of hub peering: the peering on `local`'s network (`resourceGroupName`,
    `virtualNetworkName`) towards the network id `remote`, with the options in `options`."""
    return (
        _header("VirtualNetworkPeering", f'"peering-{direction}"', config, ref=ref, external=external)
        + f"    resourceGroupName: {{{{ {local}.resourceGroupName | toJson }}}}\n"
        f"    virtualNetworkName: {{{{ {local}.virtualNetworkName | toJson }}}}\n"
        f"    remoteVirtualNetworkId: {{{{ {remote} | toJson }}}}\n"
        + "".join(f"    {option}: {{{{ {options}.{option} | toJson }}}}\n" for option in (
            "allowForwardedTraffic", "allowGatewayTransit", "allowVirtualNetworkAccess", "useRemoteGateways"))
    )


def _network(config: Config) -> str:
    uuidv5 = (
        # uuidv5("url", $spokeId) as Terraform computes it: SHA-1 of the namespace's bytes and the
        # name, with the version (5) and RFC 4122 variant bits set.
        f'{{{{- $sum := sha1sum (printf "%s%s" "{URL_NAMESPACE_BYTES}" $spokeId) }}}}\n'
        '{{- $variant := get (dict "0" "8" "1" "9" "2" "a" "3" "b" "4" "8" "5" "9" "6" "a" "7" "b"'
        ' "8" "8" "9" "9" "a" "a" "b" "b" "c" "8" "d" "9" "e" "a" "f" "b") (substr 16 17 $sum) }}\n'
        '{{- $fromHubName := printf "peer-%s-%s-5%s-%s%s-%s" (substr 0 8 $sum) (substr 8 12 $sum)'
        " (substr 13 16 $sum) $variant (substr 17 20 $sum) (substr 20 32 $sum) }}\n"
    )
    return (
        '{{- if hasKey $spec "network" }}\n'
        "{{- $names := $platform.network }}\n"
        '{{- $spokeId := printf "%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/%s"'
        " $subscriptionScope $names.resourceGroupName $names.virtualNetworkName }}\n"
        + _header("ResourceGroup", '"network-resource-group"', config, ref="$subscriptionRef",
                  external="$names.resourceGroupName")
        + "    location: {{ $spec.location | toJson }}\n"
        + _header("VirtualNetwork", '"virtual-network"', config, ref="$subscriptionRef",
                  external="$names.virtualNetworkName")
        + "    location: {{ $spec.location | toJson }}\n"
        "    resourceGroupName: {{ $names.resourceGroupName | toJson }}\n"
        "    addressSpace: {{ $spec.network.addressSpace | toJson }}\n"
        '{{- if dig "dnsServers" (list) $spec.network }}\n'
        + _header("VirtualNetworkDNSServers", '"virtual-network-dns-servers"', config, ref="$subscriptionRef")
        + "    virtualNetworkId: {{ $spokeId | toJson }}\n"
        "    dnsServers: {{ $spec.network.dnsServers | toJson }}\n"
        "{{- end }}\n"
        '{{- if and (dig "hubPeering" false $spec.network) (hasKey $names "hub") }}\n'
        "{{- $hub := $names.hub }}\n"
        + _peering("to-hub", config, ref="$subscriptionRef", external="$hub.toHub.name", local="$names",
                   remote="$hub.id", options="$hub.toHub")
        + uuidv5
        + _peering("from-hub", config, ref="$platformRef", external="$fromHubName", local="$hub",
                   remote="$spokeId", options="$hub.fromHub")
        + "{{- end }}\n"
        "{{- end }}\n"
    )


def go_template(config: Config) -> str:
    """Everything inside the subscription, one composed resource per stable key, once it exists."""
    return (
        _preamble(config)
        + "{{- if $subscriptionId }}\n"
        + _provider_config(config)
        + _role_assignments(config)
        + _budgets(config)
        + _resource_providers(config)
        + _network(config)
        + "{{- end }}\n"
    )
