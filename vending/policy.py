"""Checks of an accepted request against the repository's configuration.

They run before rendering so that every problem points at the request file,
with its line and column, instead of surfacing as a render failure.
"""

from __future__ import annotations

from vending.config import Config
from vending.errors import InvalidInput, Problem
from vending.intake import Accepted
from vending.name_templates import network_name_problems


def check_policy(accepted: Accepted, config: Config) -> None:
    problems = [*_hub_peering(accepted, config), *_network_names(accepted, config)]
    if problems:
        raise InvalidInput(accepted.path, problems)


def _hub_peering(accepted: Accepted, config: Config) -> list[Problem]:
    request = accepted.request
    if request.network is None or not request.network.hub_peering or request.location in config.hubs:
        return []
    known = ", ".join(config.hubs) or "none"
    return [accepted.document.marks.problem(
        f"hub peering is requested in {request.location}, but the platform has no hub network there "
        f"(hubs are configured for: {known}); set hubPeering: false or ask the platform team",
        "/network/hubPeering")]


def _network_names(accepted: Accepted, config: Config) -> list[Problem]:
    """The spoke network's names vending.yaml's templates make of the request must be Azure names."""
    request = accepted.request
    if request.network is None:
        return []
    templates = {"virtualNetworkName": config.virtual_network_name,
                 "resourceGroupName": config.network_resource_group_name}
    return [accepted.document.marks.problem(why, "/name") for key, template in templates.items()
            if (why := network_name_problems(template, key, request.name, request.location)) is not None]
