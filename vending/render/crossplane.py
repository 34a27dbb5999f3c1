"""The Crossplane target: a composite resource (or legacy claim) per subscription, and the
platform side (CompositeResourceDefinition and Composition) derived from the request schema.

The Composition runs in Pipeline mode. function-patch-and-transform composes the
Subscription (the alias is its external name) and its management group
association. The association's `subscriptionId` is patched from the composite's
status in `/subscriptions/<id>` form, because `subscriptionIdRef` would resolve
to the alias resource id, a known provider pitfall. Role assignments and budgets
vary in number and are keyed by stable names, which patch-and-transform cannot
iterate over, so function-go-templating composes one resource per key; they wait
for the subscription id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vending import schemas
from vending.budgets import dates
from vending.config import GENERATED_DIR, INTERFACE_DIR, Config
from vending.model import Request
from vending.render import Files, yaml_bytes
from vending.render.openapi import structural

COMPOSITION_NAME = "vendedsubscriptions-azure"
DEFINITION_PATH = f"{INTERFACE_DIR}/crossplane/definition.yaml"
COMPOSITION_PATH = f"{INTERFACE_DIR}/crossplane/composition.yaml"
NOT_IN_SPEC = ("schemaVersion", "state")

# Composed resources: (apiVersion, kind) for namespaced (Crossplane v2) and legacy cluster-scoped MRs.
MANAGED = {
    "composite": {
        "Subscription": "azure.m.upbound.io/v1beta1",
        "ManagementGroupSubscriptionAssociation": "management.azure.m.upbound.io/v1beta1",
        "RoleAssignment": "authorization.azure.m.upbound.io/v1beta1",
        "BudgetSubscription": "consumption.azure.m.upbound.io/v1beta1",
    },
    "claim": {
        "Subscription": "azure.upbound.io/v1beta1",
        "ManagementGroupSubscriptionAssociation": "management.azure.upbound.io/v1beta1",
        "RoleAssignment": "authorization.azure.upbound.io/v1beta1",
        "BudgetSubscription": "consumption.azure.upbound.io/v1beta2",
    },
}
ORPHAN_POLICIES = ["Observe", "Create", "Update", "LateInitialize"]


def kinds(config: Config) -> dict[str, str]:
    """Kind and plural of what vending renders (`kind`) and of the composite (`xr_kind`)."""
    if config.crossplane.mode == "claim":
        return {"kind": "VendedSubscription", "plural": "vendedsubscriptions",
                "xr_kind": "XVendedSubscription", "xr_plural": "xvendedsubscriptions"}
    return {"kind": "VendedSubscription", "plural": "vendedsubscriptions",
            "xr_kind": "VendedSubscription", "xr_plural": "vendedsubscriptions"}


def api_version(config: Config) -> str:
    return f"{config.crossplane.group}/v{schemas.latest().version.major}"


def manifest_path(name: str, workload: str, config: Config) -> str:
    return f"{GENERATED_DIR}/crossplane/{config.environment(workload)}/{name}.yaml"


def owned(name: str, config: Config) -> list[str]:
    return [f"{GENERATED_DIR}/crossplane/{env}/{name}.yaml" for env in config.environments.values()]


def deletion_policy(config: Config) -> str:
    return "Delete" if config.deletion_policy == "delete" else "Orphan"


def spec_of(request: Request, config: Config) -> dict[str, Any]:
    """The composite's spec: the request in the newest schema's shape, with every default resolved."""
    spec: dict[str, Any] = {
        "name": request.name,
        "displayName": request.display_name,
        "workload": request.workload,
        "billingScope": request.billing_scope,
        "managementGroup": request.management_group,
        "location": request.location,
        "requestedBy": request.requested_by,
    }
    if request.ticket:
        spec["ticket"] = request.ticket
    if request.tags:
        spec["tags"] = dict(request.tags)
    if request.budgets:
        spec["budgets"] = {
            key: {
                "amount": budget.amount,
                "timeGrain": budget.time_grain,
                "startDate": dates(budget)[0],
                "endDate": dates(budget)[1],
                "notifications": {
                    name: {"threshold": n.threshold, "thresholdType": n.threshold_type, "operator": n.operator,
                           "contactEmails": list(n.contact_emails)}
                    for name, n in budget.notifications.items()
                },
            }
            for key, budget in request.budgets.items()
        }
    if request.network is not None:
        network: dict[str, Any] = {"addressSpace": list(request.network.address_space),
                                   "hubPeering": request.network.hub_peering}
        if request.network.dns_servers:
            network["dnsServers"] = list(request.network.dns_servers)
        spec["network"] = network
    if request.role_assignments:
        spec["roleAssignments"] = {
            key: {"principalId": ra.principal_id, "definition": ra.definition,
                  **({"principalType": ra.principal_type} if ra.principal_type else {})}
            for key, ra in request.role_assignments.items()
        }
    if request.resource_providers:
        spec["resourceProviders"] = list(request.resource_providers)
    spec["deletionPolicy"] = deletion_policy(config)
    return spec


def render(request: Request, config: Config, *, source: str = "") -> Files:
    """The composite (or claim) of `request`. A decommissioned subscription renders nothing: the
    CD tool prunes its composite, and the composed resources' deletion policy, rendered into every
    composite from vending.yaml, decides whether Azure keeps the subscription (Orphan) or not."""
    if request.state == "absent":
        return {}
    names = kinds(config)
    env = config.environment(request.workload)
    manifest = {
        "apiVersion": api_version(config),
        "kind": names["kind"],
        "metadata": {
            "name": request.name,
            "namespace": config.crossplane.namespaces[request.workload],
            "labels": {"vending.azure.com/environment": env, "vending.azure.com/workload": request.workload},
        },
        "spec": spec_of(request, config),
    }
    origin = f" from {source}" if source else ""
    header = (f"Generated by vending{origin} (request schema {request.schema_version}).\n"
              "Do not edit: change the request and run vending render.")
    return {manifest_path(request.name, request.workload, config): yaml_bytes(manifest, header=header)}


def xr_openapi(release: schemas.Release) -> dict[str, Any]:
    """The openAPIV3Schema of one XRD version, derived from a released request schema."""
    return openapi_for(schemas.schema_for(release.name))


def openapi_for(request_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The openAPIV3Schema of a composite whose spec is a request of `request_schema`."""
    properties = {k: v for k, v in request_schema["properties"].items() if k not in NOT_IN_SPEC}
    spec_schema = structural({
        "type": "object",
        "description": request_schema["description"],
        "required": [name for name in request_schema["required"] if name not in NOT_IN_SPEC],
        "properties": {
            **properties,
            "deletionPolicy": {
                "type": "string", "enum": ["Orphan", "Delete"], "default": "Orphan",
                "description": "What happens in Azure when this resource is deleted: Orphan keeps the "
                               "subscription and its resources; Delete cancels the subscription. "
                               "Set by vending from the repository's deletion policy.",
            },
        },
    }, request_schema)
    return {
        "type": "object",
        "properties": {
            "spec": spec_schema,
            "status": {"type": "object", "properties": {"subscriptionId": {
                "type": "string", "description": "The id of the subscription, once Azure has created it."}}},
        },
        "required": ["spec"],
    }


def definition(config: Config) -> dict[str, Any]:
    """The CompositeResourceDefinition: one served version per schema major, the newest referenceable."""
    names = kinds(config)
    newest_per_major: dict[int, schemas.Release] = {}
    for release in schemas.usable():
        newest_per_major[release.version.major] = release
    latest_major = max(newest_per_major)
    versions = []
    for major, release in sorted(newest_per_major.items()):
        version: dict[str, Any] = {
            "name": f"v{major}",
            "served": True,
            "referenceable": major == latest_major,
        }
        if major != latest_major:
            version["deprecated"] = True
            version["deprecationWarning"] = (
                f"v{major} follows request schema {release.name}; vending renders v{latest_major}.")
        version["schema"] = {"openAPIV3Schema": xr_openapi(release)}
        versions.append(version)
    spec: dict[str, Any] = {
        "group": config.crossplane.group,
        "names": {"kind": names["xr_kind"], "plural": names["xr_plural"]},
    }
    if config.crossplane.mode == "claim":
        spec["claimNames"] = {"kind": names["kind"], "plural": names["plural"]}
    else:
        spec["scope"] = "Namespaced"
    spec["defaultCompositionRef"] = {"name": COMPOSITION_NAME}
    spec["versions"] = versions
    return {
        "apiVersion": "apiextensions.crossplane.io/v1" if config.crossplane.mode == "claim"
        else "apiextensions.crossplane.io/v2",
        "kind": "CompositeResourceDefinition",
        "metadata": {"name": f"{names['xr_plural']}.{config.crossplane.group}"},
        "spec": spec,
    }


def _from(field: str, to: str, **extra: Any) -> dict[str, Any]:
    return {"type": "FromCompositeFieldPath", "fromFieldPath": field, "toFieldPath": to, **extra}


def _fmt(pattern: str) -> list[dict[str, Any]]:
    return [{"type": "string", "string": {"type": "Format", "fmt": pattern}}]


def _policy_patch(config: Config) -> dict[str, Any]:
    if config.crossplane.mode == "claim":
        return _from("spec.deletionPolicy", "spec.deletionPolicy")
    return _from("spec.deletionPolicy", "spec.managementPolicies", transforms=[
        {"type": "map", "map": {"Orphan": ORPHAN_POLICIES, "Delete": ["*"]}}])


def _base(kind: str, config: Config) -> dict[str, Any]:
    spec: dict[str, Any] = {"forProvider": {}}
    if config.crossplane.mode == "claim":
        spec["providerConfigRef"] = {"name": config.crossplane.provider_config}
    else:
        spec["providerConfigRef"] = {"kind": "ClusterProviderConfig", "name": config.crossplane.provider_config}
    return {"apiVersion": MANAGED[config.crossplane.mode][kind], "kind": kind, "spec": spec}


def patch_and_transform_resources(config: Config) -> list[dict[str, Any]]:
    return [
        {
            "name": "subscription",
            "base": _base("Subscription", config),
            "patches": [
                _from("spec.name", "metadata.annotations[crossplane.io/external-name]"),
                _from("spec.displayName", "spec.forProvider.subscriptionName"),
                _from("spec.workload", "spec.forProvider.workload"),
                _from("spec.billingScope", "spec.forProvider.billingScopeId"),
                _from("spec.tags", "spec.forProvider.tags"),
                _policy_patch(config),
                {"type": "ToCompositeFieldPath", "fromFieldPath": "status.atProvider.subscriptionId",
                 "toFieldPath": "status.subscriptionId"},
            ],
        },
        {
            "name": "management-group-association",
            "base": _base("ManagementGroupSubscriptionAssociation", config),
            "patches": [
                _from("spec.managementGroup", "spec.forProvider.managementGroupId",
                      transforms=_fmt("/providers/Microsoft.Management/managementGroups/%s")),
                _from("status.subscriptionId", "spec.forProvider.subscriptionId",
                      policy={"fromFieldPath": "Required"}, transforms=_fmt("/subscriptions/%s")),
                _policy_patch(config),
            ],
        },
    ]


def go_template(config: Config) -> str:
    """Role assignments and budgets, one composed resource per stable key, once the subscription exists."""
    managed = MANAGED[config.crossplane.mode]
    if config.crossplane.mode == "claim":
        policy_lines = "  deletionPolicy: {{ $deletionPolicy | toJson }}\n"
        provider = f"  providerConfigRef:\n    name: {config.crossplane.provider_config}\n"
    else:
        policy_lines = "  managementPolicies: {{ $managementPolicies | toJson }}\n"
        provider = ("  providerConfigRef:\n    kind: ClusterProviderConfig\n"
                    f"    name: {config.crossplane.provider_config}\n")
    orphan = " ".join(f'"{p}"' for p in ORPHAN_POLICIES)
    return (
        "{{- $xr := .observed.composite.resource }}\n"
        '{{- $subscriptionId := dig "status" "subscriptionId" "" $xr }}\n'
        '{{- $deletionPolicy := dig "spec" "deletionPolicy" "Orphan" $xr }}\n'
        '{{- $managementPolicies := list "*" }}\n'
        '{{- if eq $deletionPolicy "Orphan" }}\n'
        f"{{{{- $managementPolicies = list {orphan} }}}}\n"
        "{{- end }}\n"
        "{{- if $subscriptionId }}\n"
        '{{- range $key, $ra := dig "spec" "roleAssignments" dict $xr }}\n'
        "---\n"
        f"apiVersion: {managed['RoleAssignment']}\n"
        "kind: RoleAssignment\n"
        "metadata:\n"
        "  annotations:\n"
        '    gotemplating.fn.crossplane.io/composition-resource-name: {{ printf "role-%s" $key | toJson }}\n'
        "spec:\n"
        f"{policy_lines}{provider}"
        "  forProvider:\n"
        '    scope: {{ printf "/subscriptions/%s" $subscriptionId | toJson }}\n'
        "    principalId: {{ $ra.principalId | toJson }}\n"
        '{{- if hasPrefix "/" $ra.definition }}\n'
        "    roleDefinitionId: {{ $ra.definition | toJson }}\n"
        "{{- else }}\n"
        "    roleDefinitionName: {{ $ra.definition | toJson }}\n"
        "{{- end }}\n"
        '{{- if hasKey $ra "principalType" }}\n'
        "    principalType: {{ $ra.principalType | toJson }}\n"
        "{{- end }}\n"
        "{{- end }}\n"
        '{{- range $key, $budget := dig "spec" "budgets" dict $xr }}\n'
        "---\n"
        f"apiVersion: {managed['BudgetSubscription']}\n"
        "kind: BudgetSubscription\n"
        "metadata:\n"
        "  annotations:\n"
        '    gotemplating.fn.crossplane.io/composition-resource-name: {{ printf "budget-%s" $key | toJson }}\n'
        "    crossplane.io/external-name: {{ $key | toJson }}\n"
        "spec:\n"
        f"{policy_lines}{provider}"
        "  forProvider:\n"
        '    subscriptionId: {{ printf "/subscriptions/%s" $subscriptionId | toJson }}\n'
        "    amount: {{ $budget.amount | toJson }}\n"
        "    timeGrain: {{ $budget.timeGrain | toJson }}\n"
        "    timePeriod:\n"
        '      startDate: {{ printf "%sT00:00:00Z" $budget.startDate | toJson }}\n'
        '      endDate: {{ printf "%sT00:00:00Z" $budget.endDate | toJson }}\n'
        "    notification:\n"
        "{{- range $name, $n := $budget.notifications }}\n"
        "    - enabled: true\n"
        "      operator: {{ $n.operator | toJson }}\n"
        "      threshold: {{ $n.threshold | toJson }}\n"
        "      thresholdType: {{ $n.thresholdType | toJson }}\n"
        "      contactEmails: {{ $n.contactEmails | toJson }}\n"
        "{{- end }}\n"
        "{{- end }}\n"
        "{{- end }}\n"
    )


def composition(config: Config) -> dict[str, Any]:
    names = kinds(config)
    return {
        "apiVersion": "apiextensions.crossplane.io/v1",
        "kind": "Composition",
        "metadata": {"name": COMPOSITION_NAME},
        "spec": {
            "compositeTypeRef": {"apiVersion": api_version(config), "kind": names["xr_kind"]},
            "mode": "Pipeline",
            "pipeline": [
                {
                    "step": "subscription",
                    "functionRef": {"name": "function-patch-and-transform"},
                    "input": {"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources",
                              "resources": patch_and_transform_resources(config)},
                },
                {
                    "step": "role-assignments-and-budgets",
                    "functionRef": {"name": "function-go-templating"},
                    "input": {"apiVersion": "gotemplating.fn.crossplane.io/v1beta1", "kind": "GoTemplate",
                              "source": "Inline", "inline": {"template": go_template(config)}},
                },
                {"step": "ready", "functionRef": {"name": "function-auto-ready"}},
            ],
        },
    }


PLATFORM_HEADER = ("Generated by vending render from the request schema and vending.yaml.\n"
                   "Do not edit: change those and run vending render --all.")


def render_platform(config: Config) -> Files:
    return {
        DEFINITION_PATH: yaml_bytes(definition(config), header=PLATFORM_HEADER),
        COMPOSITION_PATH: yaml_bytes(composition(config), header=PLATFORM_HEADER),
    }
