"""Checks of an accepted request against the repository's configuration.

They run before rendering so that every problem points at the request file,
with its line and column, instead of surfacing as a render failure.
"""

from __future__ import annotations

from vending import naming, roles
from vending.config import CONFIG_FILE, Config
from vending.errors import InvalidInput, Problem
from vending.intake import Accepted
from vending.loader import join_pointer
from vending.render.terraform import network_names


def check_policy(accepted: Accepted, config: Config) -> None:
    problems = [*_hub_peering(accepted, config), *_custom_roles(accepted, config), *_derived_names(accepted, config)]
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


def _custom_roles(accepted: Accepted, config: Config) -> list[Problem]:
    """A role name that is not built in is looked up in the tenant only at apply, after the subscription is
    created: it must be one the platform declared (`roles.custom` in vending.yaml)."""
    problems = []
    data = accepted.document.data.get("roleAssignments")
    entries = (((f"/roleAssignments/{i}/role", e["role"]) for i, e in enumerate(data)) if isinstance(data, list)
               else ((join_pointer(join_pointer("/roleAssignments", k), "definition"), e["definition"])
                     for k, e in (data or {}).items()))
    for pointer, definition in entries:
        if roles.is_custom(definition) and definition not in config.custom_roles:
            allowed = ", ".join(repr(name) for name in config.custom_roles) or "none"
            problems.append(accepted.document.marks.problem(
                f"{definition!r} is neither a built-in role nor a custom role this repository allows (custom roles "
                f"in {CONFIG_FILE}: {allowed}); the module looks role names up exactly, at apply time, after the "
                f"subscription is created: use the built-in name or the role definition id, or add the custom "
                f"role to roles.custom in {CONFIG_FILE}", pointer))
    return problems


def _derived_names(accepted: Accepted, config: Config) -> list[Problem]:
    """Every name vending derives from a template must be one Azure accepts, or the apply fails midway."""
    request = accepted.request
    if request.network is None or request.state == "absent":
        return []
    problems = []
    group, vnet = network_names(request, config)
    for key, name, template in (("resourceGroupName", group, config.network_resource_group_name),
                                ("virtualNetworkName", vnet, config.virtual_network_name)):
        rule = naming.name_problem(key, name)
        if rule:
            pointer = "/name" if "{name}" in template or "{location}" not in template else "/location"
            problems.append(accepted.document.marks.problem(
                f"the {'virtual network' if key == 'virtualNetworkName' else 'network resource group'} would be "
                f"named {name!r} ({len(name)} characters, from network.{key} {template!r} in {CONFIG_FILE}), "
                f"which Azure refuses: {rule}; choose a shorter name or ask the platform team", pointer))
    return problems
