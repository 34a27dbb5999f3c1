"""The Composition, in Pipeline mode.

function-patch-and-transform composes the Subscription (the alias is its external name) and its
management group association with the platform's provider config: both act at tenant level.
The association's `subscriptionId` is patched from the composite's status in `/subscriptions/<id>`
form, because `subscriptionIdRef` would resolve to the alias resource id (a provider pitfall).

Everything inside the new subscription is composed by function-go-templating (see `gotemplate`),
once the Subscription reports its id: a ProviderConfig whose subscriptionID is the vended one, and,
through it, budgets, role assignments, resource provider registrations and the spoke network. The
provider builds the ids of budgets, resource groups, networks and peerings from its
ProviderConfig's subscription, not from the resource's own fields, so anything managed through the
platform's provider config would be looked up in the platform's subscription. The hub's side of a
peering lives in the hub's subscription and uses the platform's provider config.
"""

from __future__ import annotations

from typing import Any

from vending.config import INTERFACE_DIR, Config
from vending.render import Files, yaml_bytes
from vending.render.crossplane.common import MANAGED, ORPHAN_POLICIES, api_version, kinds
from vending.render.crossplane.gotemplate import go_template
from vending.render.crossplane.xrd import COMPOSITION_NAME, definition

DEFINITION_PATH = f"{INTERFACE_DIR}/crossplane/definition.yaml"
COMPOSITION_PATH = f"{INTERFACE_DIR}/crossplane/composition.yaml"
__all__ = ["COMPOSITION_NAME", "COMPOSITION_PATH", "DEFINITION_PATH", "composition", "render_platform"]


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
                    "step": "inside-the-subscription",
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
