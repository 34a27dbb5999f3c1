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
    problems = [*_hub_peering(accepted, config), *_budget_periods(accepted, config),
                *_network_names(accepted, config)]
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


def _budget_periods(accepted: Accepted, config: Config) -> list[Problem]:
    """A budget's period, with vending.yaml's dates filling what it leaves out, must not be empty."""
    problems = []
    for key, budget in accepted.request.budgets.items():
        start = budget.start_date or config.budget_start_date
        end = budget.end_date or config.budget_end_date
        if end <= start:
            where = f"/budgets/{key}" if "budgets" in accepted.document.data else "/budget"
            problems.append(accepted.document.marks.problem(
                f"the budget would end on {end}, before it starts on {start} (dates the request leaves out come "
                "from vending.yaml); set startDate and endDate", where))
    return problems


def _network_names(accepted: Accepted, config: Config) -> list[Problem]:
    """The spoke network's names vending.yaml's templates make of the request must be Azure names."""
    request = accepted.request
    if request.network is None:
        return []
    templates = {"virtualNetworkName": config.virtual_network_name,
                 "resourceGroupName": config.network_resource_group_name}
    return [accepted.document.marks.problem(why, "/name") for key, template in templates.items()
            if (why := network_name_problems(template, key, request.name, request.location)) is not None]
