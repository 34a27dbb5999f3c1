"""Guardrails on change: an update of a subscription on trunk that Azure cannot make in place, or that moves
the subscription across a governance boundary, is refused unless the run accepts it by name.

    location         the virtual network and its resource group are created anew in the new region
                     (an Azure resource's location never changes in place), with everything in them
    billingScope     the module sets the billing scope only when it creates the alias: the change
                     would be stored and rendered but never reach Azure
    managementGroup  the subscription leaves the old group: its policy assignments, role assignments
                     and budgets inherited from there stop applying
    network          the virtual network, its resource group and its peerings are destroyed
    addressSpace     of a network peered with the hub: prefixes in use by subnets cannot be removed,
                     and the hub's side of the peering sees the new space only once it is synced

An accepted change is written into the commit as a `Vending-Accepted-Change` trailer saying what it does.
Pure: the caller reads trunk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from vending.config import Config
from vending.errors import InvalidInput, Problem
from vending.intake import Accepted
from vending.model import Request
from vending.render.terraform import network_names

KINDS = ("location", "billingScope", "managementGroup", "network", "addressSpace")
TRAILER = "Vending-Accepted-Change"
ENV_VAR = "VENDING_ACCEPT_CHANGE"
"""Kinds accepted by the environment (separated by spaces or commas): how a pipeline run says so."""


@dataclass(frozen=True)
class Change:
    kind: str
    pointer: str
    """The request field that changes (where the refusal points)."""
    was: str
    becomes: str
    effect: str
    """What it does in Azure, in a few words: the trailer's text."""

    def trailer(self) -> tuple[str, str]:
        return TRAILER, f"{self.kind} ({self.effect})"


def kinds_from_env(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").replace(",", " ").split() if part)


def risky_changes(request: Request, previous: Request, config: Config) -> list[Change]:
    """The changes from `previous` (on trunk) to `request` that a guardrail stops, in the order of KINDS."""
    changes: list[Change] = []
    network = previous.network
    if request.location != previous.location and network is not None:
        group, vnet = network_names(previous, config)
        changes.append(Change("location", "/location", previous.location, request.location,
                              f"replaces the virtual network {group}/{vnet} and its resource group"))
    if request.billing_scope != previous.billing_scope:
        changes.append(Change("billingScope", "/billingScope", previous.billing_scope, request.billing_scope,
                              "ignored by the module after creation: the alias keeps its billing scope"))
    if request.management_group != previous.management_group:
        changes.append(Change("managementGroup", "/managementGroup", previous.management_group,
                              request.management_group,
                              f"moves the subscription out of {previous.management_group}'s policy inheritance "
                              f"into {request.management_group}'s"))
    if network is not None and request.network is None:
        group, vnet = network_names(previous, config)
        changes.append(Change("network", "", "a network", "none",
                              f"destroys the virtual network {group}/{vnet}, its resource group and peerings"))
    if (network is not None and request.network is not None and network.hub_peering
            and set(request.network.address_space) != set(network.address_space)):
        changes.append(Change("addressSpace", "/network/addressSpace", ", ".join(network.address_space),
                              ", ".join(request.network.address_space),
                              "re-addresses a virtual network peered with the hub: prefixes subnets use cannot "
                              "be removed, and the hub's peering must be synced"))
    return changes


def guard(accepted: Accepted, previous: Request | None, config: Config, accept: Collection[str]) -> list[Change]:
    """The risky changes `accepted` makes to `previous`, all accepted by name in `accept`; otherwise each
    refused one is a problem at its field (exit 1, nothing committed)."""
    request = accepted.request
    if previous is None or request.state == "absent" or previous.state == "absent":
        return []
    changes = risky_changes(request, previous, config)
    refused = [change for change in changes if change.kind not in accept]
    if refused:
        raise InvalidInput(accepted.path, [_problem(accepted, change) for change in refused])
    return changes


def _problem(accepted: Accepted, change: Change) -> Problem:
    return accepted.document.marks.problem(
        f"{change.kind} changes from {change.was} to {change.becomes} on an existing subscription: this "
        f"{change.effect}. Nothing was committed; if that is intended, run again with "
        f"--accept-change {change.kind} (a pipeline sets {ENV_VAR}={change.kind}), or vend a new subscription",
        change.pointer)
