"""Checks of vending.yaml's address settings: hub prefixes, reserved ranges, allocation pools."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vending.errors import Problem
from vending.loader import Marks, join_pointer
from vending.prefixes import Span, canonical, prefix_problem, span

__all__ = ["address_problems", "canonical"]


def address_problems(network: Mapping[str, Any], marks: Marks) -> list[Problem]:
    """Every prefix must be a network address; a pool may not overlap another pool, a hub's prefixes or
    a reserved range (allocation would hand out space that is not free, or the same space twice)."""
    problems: list[Problem] = []
    fixed: list[tuple[Span, str]] = []
    pools: list[tuple[Span, str]] = []
    for pointer, prefix, is_pool in _prefixes(network):
        why = prefix_problem(prefix, ipv4_only=is_pool)
        if why is not None:
            problems.append(marks.problem(why, pointer))
        else:
            (pools if is_pool else fixed).append((span(prefix), pointer))
    for position, (pool, pointer) in enumerate(pools):
        for other, where in [*pools[:position], *fixed]:
            if pool.overlaps(other):
                problems.append(marks.problem(
                    f"the pool {pool.text()} overlaps {other.text()} at {where}: a pool must be free space, apart from "
                    "the other pools, the hubs' prefixes and the reserved ranges", pointer))
    return problems


def _prefixes(network: Mapping[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(pointer, prefix, whether it is a pool's) for every prefix in the network settings."""
    for location, hub in network.get("hubs", {}).items():
        if isinstance(hub, Mapping):
            where = join_pointer(join_pointer("/network/hubs", location), "addressPrefixes")
            prefixes = hub.get("addressPrefixes", ())
            yield from ((join_pointer(where, i), prefix, False) for i, prefix in enumerate(prefixes))
    yield from ((f"/network/reserved/{i}", prefix, False) for i, prefix in enumerate(network.get("reserved", ())))
    for location, by_workload in network.get("pools", {}).items():
        for workload, prefixes in by_workload.items():
            where = join_pointer(join_pointer("/network/pools", location), workload)
            yield from ((join_pointer(where, i), prefix, True) for i, prefix in enumerate(prefixes))
