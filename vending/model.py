"""The typed, immutable request the rest of the code sees: always the newest schema's model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeVar

from vending.errors import Bug
from vending.loader import Json
from vending.roles import normalize_definition

Workload = Literal["Production", "DevTest"]
State = Literal["present", "absent"]

T = TypeVar("T")


def frozen_map(items: Mapping[str, T]) -> Mapping[str, T]:
    """A read-only mapping with sorted keys, so iteration order never depends on input order."""
    return MappingProxyType({key: items[key] for key in sorted(items)})


@dataclass(frozen=True)
class Notification:
    threshold: int
    threshold_type: str
    operator: str
    contact_emails: tuple[str, ...]


@dataclass(frozen=True)
class Budget:
    amount: int | float
    time_grain: str
    start_date: str | None
    end_date: str | None
    notifications: Mapping[str, Notification]


@dataclass(frozen=True)
class Network:
    address_space: tuple[str, ...]
    """The prefixes in the request's order: those written as prefixes, and (once `records.dated` resolved
    them) those asked for by size; a renderer sees every one resolved."""
    hub_peering: bool
    dns_servers: tuple[str, ...]
    pending: tuple[tuple[int, int], ...] = ()
    """(position in addressSpace, prefix length) of each prefix asked for by size (2.1.0 `{size: N}`) and not
    resolved yet from the subscription's record: missing from `address_space` until then."""

    def prefixes(self) -> list[str]:
        """The address space to render: every prefix concrete, or a `Bug` (rendering must never guess one)."""
        if self.pending:
            raise Bug(f"address prefixes asked for by size were not resolved from the record: {self.pending}")
        return list(self.address_space)


@dataclass(frozen=True)
class RoleAssignment:
    principal_id: str
    definition: str
    principal_type: str | None


@dataclass(frozen=True)
class Request:
    name: str
    display_name: str
    workload: Workload
    billing_scope: str
    management_group: str
    location: str
    requested_by: str
    ticket: str | None
    tags: Mapping[str, str]
    budgets: Mapping[str, Budget]
    network: Network | None
    role_assignments: Mapping[str, RoleAssignment]
    resource_providers: tuple[str, ...]
    state: State
    schema_pin: str
    """The `schemaVersion` as the request wrote it (`1.1`)."""
    schema_version: str
    """The release the pin resolved to and the request was validated against (`1.1.0`)."""

    @property
    def production(self) -> bool:
        return self.workload == "Production"


def build_request(doc: Mapping[str, Json], *, schema_pin: str, schema_version: str) -> Request:
    """The model of `doc`, which must be valid under the newest schema (defaults filled here)."""
    network = doc.get("network")
    return Request(
        name=doc["name"],
        display_name=doc["displayName"],
        workload=doc["workload"],
        billing_scope=doc["billingScope"],
        management_group=doc["managementGroup"],
        location=doc["location"],
        requested_by=doc["requestedBy"],
        ticket=doc.get("ticket"),
        tags=frozen_map(doc.get("tags", {})),
        budgets=frozen_map({key: _budget(value) for key, value in doc.get("budgets", {}).items()}),
        network=None if network is None else Network(
            address_space=tuple(item for item in network["addressSpace"] if isinstance(item, str)),
            hub_peering=network.get("hubPeering", False),
            dns_servers=tuple(network.get("dnsServers", ())),
            pending=tuple((position, item["size"]) for position, item in enumerate(network["addressSpace"])
                          if isinstance(item, Mapping)),
        ),
        role_assignments=frozen_map({
            key: RoleAssignment(
                principal_id=value["principalId"].lower(),  # GUIDs are case-insensitive; the module wants lower
                definition=normalize_definition(value["definition"]),
                principal_type=value.get("principalType"),
            )
            for key, value in doc.get("roleAssignments", {}).items()
        }),
        resource_providers=tuple(sorted(doc.get("resourceProviders", ()))),
        state=doc.get("state", "present"),
        schema_pin=schema_pin,
        schema_version=schema_version,
    )


def _budget(value: Mapping[str, Json]) -> Budget:
    return Budget(
        amount=value["amount"],
        time_grain=value["timeGrain"],
        start_date=value.get("startDate"),
        end_date=value.get("endDate"),
        notifications=frozen_map({
            key: Notification(
                threshold=n["threshold"],
                threshold_type=n.get("thresholdType", "Actual"),
                operator=n.get("operator", "GreaterThan"),
                contact_emails=tuple(n["contactEmails"]),
            )
            for key, n in value["notifications"].items()
        }),
    )
