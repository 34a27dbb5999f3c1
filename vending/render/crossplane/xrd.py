"""The CompositeResourceDefinition, derived from the newest request schema.

It serves one version, the newest schema major, which is also the one stored. Serving an older
major beside it without a conversion webhook would store a v1 object unchanged as v2 (the API
server only rewrites apiVersion), and the Composition would then read a v1 shape (`budget`, lists)
as v2; vending renders every composite in the newest shape, so nothing needs the older majors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vending import schemas
from vending.config import Config
from vending.render.crossplane.common import kinds, served_version
from vending.render.openapi import structural

NOT_IN_SPEC = ("schemaVersion", "state")
COMPOSITION_NAME = "vendedsubscriptions-azure"


def _flags(names: list[str]) -> dict[str, Any]:
    return {name: {"type": "boolean"} for name in names}


PEERING_OPTIONS = ["allowForwardedTraffic", "allowGatewayTransit", "allowVirtualNetworkAccess", "useRemoteGateways"]
PLATFORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Resolved by vending from the repository's vending.yaml when it renders (not part of the "
                   "request): what the platform adds, so that the Composition never reads configuration.",
    "required": ["resourceProviders"],
    "properties": {
        "resourceProviders": {
            "type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set",
            "description": "The platform's baseline of resource providers, registered before the request's own.",
        },
        "network": {
            "type": "object",
            "description": "Names of the spoke network's resource group and virtual network, and its hub.",
            "required": ["resourceGroupName", "virtualNetworkName"],
            "properties": {
                "resourceGroupName": {"type": "string", "minLength": 1, "maxLength": 90},
                "virtualNetworkName": {"type": "string", "minLength": 2, "maxLength": 64},
                "hub": {
                    "type": "object",
                    "description": "The hub network of the location and the options of both peerings.",
                    "required": ["id", "resourceGroupName", "virtualNetworkName", "toHub", "fromHub"],
                    "properties": {
                        "id": {"type": "string", "minLength": 1},
                        "resourceGroupName": {"type": "string", "minLength": 1},
                        "virtualNetworkName": {"type": "string", "minLength": 1},
                        "toHub": {"type": "object", "required": ["name", *PEERING_OPTIONS],
                                  "properties": {"name": {"type": "string", "minLength": 1},
                                                 **_flags(PEERING_OPTIONS)}},
                        "fromHub": {"type": "object", "required": PEERING_OPTIONS,
                                    "properties": _flags(PEERING_OPTIONS)},
                    },
                },
            },
        },
    },
}
SPEC_RULES = [
    {"rule": "!has(self.network) || has(self.platform.network)",
     "message": "a composite with a network needs spec.platform.network (vending renders it)"},
    {"rule": "!has(self.network) || !has(self.network.hubPeering) || !self.network.hubPeering"
             " || (has(self.platform.network) && has(self.platform.network.hub))",
     "message": "a composite with hub peering needs spec.platform.network.hub (vending renders it)"},
]
ROOT_RULES = [{"rule": "has(self.spec)", "message": "spec is required"}]


def openapi_for(request_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The openAPIV3Schema of a composite whose spec is a request of `request_schema`, with every
    value the Composition reads required (budget dates, the platform's additions)."""
    properties = {k: v for k, v in request_schema["properties"].items() if k not in NOT_IN_SPEC}
    spec_schema = structural({
        "type": "object",
        "description": request_schema["description"],
        "required": [*(name for name in request_schema["required"] if name not in NOT_IN_SPEC), "platform"],
        "properties": {
            **properties,
            "deletionPolicy": {
                "type": "string", "enum": ["Orphan", "Delete"], "default": "Orphan",
                "description": "What happens in Azure when this resource is deleted: Orphan keeps the "
                               "subscription and its resources; Delete cancels the subscription. "
                               "Set by vending from the repository's deletion policy.",
            },
            "platform": PLATFORM_SCHEMA,
        },
    }, request_schema)
    address_space = spec_schema["properties"].get("network", {}).get("properties", {}).get("addressSpace")
    if address_space is not None and "anyOf" in address_space["items"]:
        # 2.1.0 lets a request ask for a prefix by size; vending allocates it before rendering, so a composite
        # carries prefixes only (and a structural schema could not say "string or object" anyway).
        address_space["items"] = structural(request_schema["$defs"]["ipv4Cidr"], request_schema)
        address_space["x-kubernetes-list-type"] = "set"
        address_space["description"] = ("IPv4 prefixes of the virtual network; one the request asked for by size "
                                        "is the prefix vending allocated and recorded for it.")
    budget = spec_schema["properties"].get("budgets", {}).get("additionalProperties")
    if budget is not None:  # vending resolves the dates; the template must never see them missing
        budget["required"] = [*budget["required"], "startDate", "endDate"]
    spec_schema["x-kubernetes-validations"] = SPEC_RULES
    # Crossplane keeps the root's validation rules but drops its `required` (crossplane-runtime
    # pkg/xcrd genCrdVersion), so "spec is required" is a rule.
    return {
        "type": "object",
        "properties": {
            "spec": spec_schema,
            "status": {"type": "object", "properties": {"subscriptionId": {
                "type": "string", "description": "The id of the subscription, once Azure has created it."}}},
        },
        "x-kubernetes-validations": ROOT_RULES,
    }


def definition(config: Config) -> dict[str, Any]:
    """The CompositeResourceDefinition: one version, served and referenceable, the newest major."""
    names = kinds(config)
    release = schemas.latest()
    spec: dict[str, Any] = {
        "group": config.crossplane.group,
        "names": {"kind": names["xr_kind"], "plural": names["xr_plural"]},
    }
    if config.crossplane.mode == "claim":
        spec["claimNames"] = {"kind": names["kind"], "plural": names["plural"]}
    else:
        spec["scope"] = "Namespaced"
    spec["defaultCompositionRef"] = {"name": COMPOSITION_NAME}
    spec["versions"] = [{
        "name": served_version(),
        "served": True,
        "referenceable": True,
        "schema": {"openAPIV3Schema": openapi_for(schemas.schema_for(release.name))},
    }]
    return {
        "apiVersion": "apiextensions.crossplane.io/v1" if config.crossplane.mode == "claim"
        else "apiextensions.crossplane.io/v2",
        "kind": "CompositeResourceDefinition",
        "metadata": {"name": f"{names['xr_plural']}.{config.crossplane.group}"},
        "spec": spec,
    }
