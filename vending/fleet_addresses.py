"""The fleet's addresses in a repository: the index `render` writes and `check` proves, the invariant
across every stored request, and the steps a vend of one request takes against the index on trunk.

What a vend (`vending apply`) does with one request, reading only its own paths and the index:

    index = parse_index(<generated/addresses.json at the tip>)       (absent: {})
    record, index = vend_addresses(accepted, record, index, config)  (after record_facts, before dated)
    -> commit records/<name>.json (record_files) and generated/addresses.json (index_files(index)) with it;
       a retry on a newer tip derives all of it again from that tip's index
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vending.addresses import (
    ADDRESS_SPACE,
    INDEX_LIMIT,
    INDEX_PATH,
    Holder,
    Index,
    Taken,
    check_against,
    index_bytes,
    matched,
    parse_index,
    platform_holders,
    resolve,
    updated,
)
from vending.config import Config
from vending.errors import FleetInvalid, InvalidInput, Problem
from vending.intake import Accepted
from vending.loader import Document, Json, join_pointer
from vending.prefixes import canonical, span
from vending.records import Record, record_allocations
from vending.repo_files import read_file


def tree_index(config: Config) -> dict[str, str]:
    """The index in the working tree (absent: no prefix is held)."""
    raw = read_file(config.root, INDEX_PATH, limit=INDEX_LIMIT)
    return {} if raw is None else parse_index(raw)


def index_files(index: Index) -> dict[str, bytes]:
    """The index file as desired on disk: there when some prefix is held."""
    return {INDEX_PATH: index_bytes(index)} if index else {}


def concrete_prefixes(accepted: Accepted, record: Record | None) -> tuple[str, ...]:
    """The prefixes `accepted` holds with `record`: as written, and those asked for by size that the record
    holds (what the index says of it; a decommissioned subscription keeps them, its network may remain)."""
    if accepted.request.network is None:
        return ()
    prefixes, _ = resolve(accepted.request, record.allocated if record else ())
    return tuple(canonical(prefix) for prefix in prefixes if prefix)


def vend_addresses(accepted: Accepted, record: Record | None, index: Index,
                   config: Config) -> tuple[Record, dict[str, str]]:
    """For a vend of `accepted` against the fleet's `index` (on trunk): the record with each `{size: N}`
    allocated (kept if recorded), after the invariant held for its whole address space, and the index
    after the vend (`index_files` makes its file). `InvalidInput` at the request's line and column: an
    overlap, or the pools exhausted."""
    record = record_allocations(accepted, record, index, config)
    prefixes = concrete_prefixes(accepted, record)
    problems = check_against(index, accepted.request.name, prefixes, config)
    if problems:
        raise InvalidInput(accepted.path, [located(accepted.document, p) for p in problems])
    return record, updated(index, accepted.request.name, prefixes)


def located(document: Document, problem: Problem) -> Problem:
    """`problem` with the line and column of its pointer in the request as submitted."""
    return document.marks.problem(problem.message, problem.pointer)


@dataclass(frozen=True)
class _Held:
    holder: Holder
    document: Document
    pointer: str


def fleet_index_files(config: Config, stored: Iterable[tuple[Document, Record | None]]) -> dict[str, bytes]:
    """The index the stored requests imply (part of what `desired.for_fleet` renders), after the invariant
    held across every stored request (its document as loaded, and its record), hub and reserved range:
    each overlap is an error at the request file's line and column, naming who else holds the range."""
    held = [item for document, record in stored for item in _stored_prefixes(document, record)]
    taken = Taken([*(item.holder for item in held), *platform_holders(config)])
    failures: dict[str, list[Problem]] = {}
    for item in held:
        for other in taken.overlapping(item.holder.span):
            if other is item.holder or (other.kind == "subscription" and other.name == item.holder.name):
                continue
            failures.setdefault(item.document.path, []).append(item.document.marks.problem(
                f"{item.holder.span.text()} overlaps {other.describe()}: the fleet's address space is shared, so "
                "choose a free prefix, or ask for one by size ({size: N}, schema 2.1)", item.pointer))
    if failures:
        raise FleetInvalid([InvalidInput(path, problems) for path, problems in sorted(failures.items())])
    return index_files({item.holder.span.text(): item.holder.name for item in held})


def _stored_prefixes(document: Document, record: Record | None) -> list[_Held]:
    """The prefixes of a stored request (already accepted by the fleet's render): as written, and those
    asked for by size as its record holds them."""
    network = document.data.get("network")
    if not isinstance(network, dict):
        return []
    items: list[Json] = list(network.get("addressSpace") or [])
    name = str(document.data["name"])
    sizes = [(position, item["size"]) for position, item in enumerate(items) if isinstance(item, dict)]
    allocated = iter(matched(sizes, record.allocated if record else ()))
    held = []
    for position, item in enumerate(items):
        prefix = item if isinstance(item, str) else next(allocated)
        if isinstance(prefix, str):
            held.append(_Held(Holder(span(prefix), "subscription", name), document,
                              join_pointer(ADDRESS_SPACE, position)))
    return held
