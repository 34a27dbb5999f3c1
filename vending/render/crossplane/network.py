"""The spoke network of a request as the Composition composes it: names and hub peering, resolved
from vending.yaml at render time so that the composite carries them and both targets agree."""

from __future__ import annotations

import uuid
from typing import Any

from vending.config import Config
from vending.model import Request
from vending.render.terraform import hub_for, network_names

# The AVM module's peering options (modules/virtual-network/variables.tf, v0.1.1), in the provider's
# field names: `tohub` is the spoke's peering to the hub, `fromhub` the hub's peering to the spoke.
MODULE_PEERING_DEFAULTS = {
    "toHub": {"allowForwardedTraffic": True, "allowGatewayTransit": False, "allowVirtualNetworkAccess": True,
              "useRemoteGateways": True},
    "fromHub": {"allowForwardedTraffic": True, "allowGatewayTransit": True, "allowVirtualNetworkAccess": True,
                "useRemoteGateways": False},
}


def peering_name(remote_id: str) -> str:
    """The AVM module's default peering name: `peer-${uuidv5("url", <remote network id>)}`."""
    return f"peer-{uuid.uuid5(uuid.NAMESPACE_URL, remote_id)}"


def hub_peering_options(request: Request, config: Config) -> dict[str, dict[str, bool]]:
    """The options of both peerings with the hub of the request's location: one place for the
    per-hub gateway settings of vending.yaml, the same the Terraform root passes to the module."""
    gateways = config.hub_peering[request.location]
    options = {direction: dict(defaults) for direction, defaults in MODULE_PEERING_DEFAULTS.items()}
    options["toHub"].update(useRemoteGateways=gateways.use_remote_gateways, allowGatewayTransit=False)
    options["fromHub"].update(useRemoteGateways=False, allowGatewayTransit=gateways.allow_gateway_transit)
    return options


def network_spec(request: Request, config: Config) -> dict[str, Any] | None:
    """What the Composition needs beyond the request to compose the spoke network and its peering."""
    if request.network is None:
        return None
    group, vnet = network_names(request, config)
    resolved: dict[str, Any] = {"resourceGroupName": group, "virtualNetworkName": vnet}
    if request.network.hub_peering:
        hub = hub_for(request, config)
        parts = hub.split("/")
        options = hub_peering_options(request, config)
        resolved["hub"] = {
            "id": hub,
            "resourceGroupName": parts[4],
            "virtualNetworkName": parts[8],
            "toHub": {"name": peering_name(hub), **options["toHub"]},
            "fromHub": options["fromHub"],
        }
    return resolved
