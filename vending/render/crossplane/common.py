"""What the Crossplane modules share: the kinds vending renders and composes, and their API versions."""

from __future__ import annotations

from vending import schemas
from vending.config import Config

# Composed resources by kind: (apiVersion) for namespaced (Crossplane v2) and legacy cluster-scoped MRs.
MANAGED = {
    "composite": {
        "Subscription": "azure.m.upbound.io/v1beta1",
        "ManagementGroupSubscriptionAssociation": "management.azure.m.upbound.io/v1beta1",
        "ProviderConfig": "azure.m.upbound.io/v1beta1",
        "RoleAssignment": "authorization.azure.m.upbound.io/v1beta1",
        "BudgetSubscription": "consumption.azure.m.upbound.io/v1beta1",
        "ResourceGroup": "azure.m.upbound.io/v1beta1",
        "VirtualNetwork": "network.azure.m.upbound.io/v1beta1",
        "VirtualNetworkDNSServers": "network.azure.m.upbound.io/v1beta1",
        "VirtualNetworkPeering": "network.azure.m.upbound.io/v1beta1",
        "ResourceProviderRegistration": "azure.m.upbound.io/v1beta1",
    },
    "claim": {
        "Subscription": "azure.upbound.io/v1beta1",
        "ManagementGroupSubscriptionAssociation": "management.azure.upbound.io/v1beta1",
        "ProviderConfig": "azure.upbound.io/v1beta1",
        "RoleAssignment": "authorization.azure.upbound.io/v1beta1",
        "BudgetSubscription": "consumption.azure.upbound.io/v1beta2",
        "ResourceGroup": "azure.upbound.io/v1beta1",
        "VirtualNetwork": "network.azure.upbound.io/v1beta2",
        "VirtualNetworkDNSServers": "network.azure.upbound.io/v1beta1",
        "VirtualNetworkPeering": "network.azure.upbound.io/v1beta1",
        "ResourceProviderRegistration": "azure.upbound.io/v1beta1",
    },
}
ORPHAN_POLICIES = ["Observe", "Create", "Update", "LateInitialize"]
SUBSCRIPTION_PROVIDER_CONFIG_PREFIX = "vending-"
"""Each subscription's own ProviderConfig is named `vending-<name>` (namespaced in composite mode,
cluster-scoped in claim mode, where request names are unique across the repository)."""


def kinds(config: Config) -> dict[str, str]:
    """Kind and plural of what vending renders (`kind`) and of the composite (`xr_kind`)."""
    if config.crossplane.mode == "claim":
        return {"kind": "VendedSubscription", "plural": "vendedsubscriptions",
                "xr_kind": "XVendedSubscription", "xr_plural": "xvendedsubscriptions"}
    return {"kind": "VendedSubscription", "plural": "vendedsubscriptions",
            "xr_kind": "VendedSubscription", "xr_plural": "vendedsubscriptions"}


def api_version(config: Config) -> str:
    """The composite's apiVersion: the XRD serves one version, the newest request schema major."""
    return f"{config.crossplane.group}/{served_version()}"


def served_version() -> str:
    return f"v{schemas.latest().version.major}"


def deletion_policy(config: Config) -> str:
    return "Delete" if config.deletion_policy == "delete" else "Orphan"
