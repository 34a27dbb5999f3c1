"""The fleet's address space: one invariant, and first-free allocation. Pure: no files, no clock.

The invariant: no two subscriptions' prefixes overlap, and none overlaps a hub's prefixes
(`network.hubs.<location>.addressPrefixes`) or a reserved range (`network.reserved`), in IPv4
and IPv6 alike. What the fleet holds is the **index**, `generated/addresses.json` on trunk:
every prefix of every stored request (allocated ones from the records), mapped to its owner,
in address order. It derives from the requests and records (`vending render --all` writes it,
`vending check` proves it), so one read by path gives a command the whole fleet's space
without a scan. The functions a vend uses:

    check_against(index, name, prefixes, config) -> list[Problem]   the invariant for one request
    allocate(index, request, config, recorded)   -> tuple[str, ...]  a prefix for each {size: N}
    updated_index(index, name, prefixes)         -> bytes            the index after the vend

A prefix is handled as an interval of integers (family, first, last): comparing and searching
10,000 of them costs microseconds, where `ip_network.overlaps` would cost milliseconds.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from vending.config import CONFIG_FILE, Config
from vending.errors import InvalidInput, Problem
from vending.loader import join_pointer, load_bytes
from vending.model import Request
from vending.prefixes import Span, canonical, prefix_problem, span, written_as_stored
from vending.render import json_bytes

INDEX_PATH = "generated/addresses.json"
INDEX_SHAPE = ('the index maps each prefix to the subscription holding it ({"10.20.0.0/24": "payments-prod"}); it '
               "is generated: run vending render --all")
ADDRESS_SPACE = "/network/addressSpace"
INDEX_LIMIT = 64 * 1024 * 1024
"""An entry is about 40 bytes: room for over a million prefixes (a request file's limit is 1 MiB)."""

Index = Mapping[str, str]
"""Prefix (canonical CIDR text) -> the name of the subscription that holds it."""


@dataclass(frozen=True)
class Holder:
    """Something that holds a range of addresses: a subscription, a hub, or a reserved range."""

    span: Span
    kind: str
    """subscription, hub or reserved."""
    name: str
    """The subscription's name, or the hub's location ('' for a reserved range)."""

    def describe(self) -> str:
        text = self.span.text()
        if self.kind == "subscription":
            return f"{text} of subscription {self.name!r}"
        if self.kind == "hub":
            return (f"{text} of the hub network in {self.name} (network.hubs.{self.name}.addressPrefixes in "
                    f"{CONFIG_FILE})")
        return f"the reserved range {text} (network.reserved in {CONFIG_FILE})"


def platform_holders(config: Config) -> list[Holder]:
    """The hubs' prefixes and the reserved ranges: what no subscription may overlap."""
    holders = [Holder(span(prefix), "hub", location)
               for location, prefixes in config.hub_prefixes.items() for prefix in prefixes]
    holders.extend(Holder(span(prefix), "reserved", "") for prefix in config.reserved)
    return holders


def index_holders(index: Index, *, without: str = "") -> list[Holder]:
    """The subscriptions' prefixes in `index`, except those of `without`."""
    return [Holder(span(prefix), "subscription", owner) for prefix, owner in index.items() if owner != without]


class Taken:
    """Holders sorted by first address, for finding what overlaps a span without a scan."""

    def __init__(self, holders: Iterable[Holder]) -> None:
        # Plain tuples as sort keys: compared in C, where comparing Span objects would run Python per pair.
        self._holders = sorted(holders, key=lambda h: (h.span.family, h.span.first, h.span.last, h.kind, h.name))
        self._firsts = [(h.span.family, h.span.first) for h in self._holders]
        # Running maximum of `last` per family, so a search can stop once nothing earlier can reach.
        self._reach: list[int] = []
        reach, family = -1, 0
        for holder in self._holders:
            if holder.span.family != family:
                reach, family = -1, holder.span.family
            reach = max(reach, holder.span.last)
            self._reach.append(reach)

    def overlapping(self, target: Span) -> Iterator[Holder]:
        """Every holder overlapping `target`, lowest first address first."""
        end = bisect.bisect_right(self._firsts, (target.family, target.last))
        found = []
        position = end - 1
        while position >= 0 and self._holders[position].span.family == target.family \
                and self._reach[position] >= target.first:
            if self._holders[position].span.overlaps(target):
                found.append(self._holders[position])
            position -= 1
        return reversed(found)


def check_against(index: Index, name: str, prefixes: Sequence[str], config: Config) -> list[Problem]:
    """The invariant for subscription `name` whose address space is `prefixes` (concrete, in the
    request's order): each problem points at `/network/addressSpace/<i>` and names who holds the
    overlapping range. `name`'s own entries in the index are its previous prefixes, not a conflict.
    One pass over the index, comparing integers: no sort, no object per entry."""
    targets = [span(prefix) for prefix in prefixes]
    hits: list[list[Holder]] = [[] for _ in targets]
    for prefix, owner in index.items():
        if owner == name:
            continue
        held = span(prefix)
        for position, target in enumerate(targets):
            if held.first <= target.last and target.first <= held.last and held.family == target.family:
                hits[position].append(Holder(held, "subscription", owner))
    for holder in platform_holders(config):
        for position, target in enumerate(targets):
            if holder.span.overlaps(target):
                hits[position].append(holder)
    return [Problem(f"{target.text()} overlaps {holder.describe()}: the fleet's address space is shared, so "
                    "choose a free prefix, or ask for one by size ({size: N}, schema 2.1)",
                    join_pointer(ADDRESS_SPACE, position))
            for position, target in enumerate(targets)
            for holder in sorted(hits[position], key=_holder_order)]


def _holder_order(holder: Holder) -> tuple[int, int, int, str, str]:
    return holder.span.family, holder.span.first, holder.span.last, holder.kind, holder.name


class PoolsExhausted(Exception):
    """No pool has a free prefix of the size asked for at `position` of addressSpace; the message says
    which pools were searched."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def sizes_of(request: Request) -> list[tuple[int, int]]:
    """(position in addressSpace, prefix length) of each prefix the request asks for by size."""
    return [] if request.network is None else list(request.network.pending)


def matched(sizes: Sequence[tuple[int, int]], recorded: Sequence[str]) -> list[str | None]:
    """The recorded allocation each size keeps: the first unused recorded prefix of that length, in
    order (a size the request no longer asks for releases its prefix; one it still asks for keeps it
    wherever it moved in the list)."""
    unused = list(recorded)
    kept: list[str | None] = []
    for _, length in sizes:
        match = next((prefix for prefix in unused if span(prefix).length == length), None)
        if match is not None:
            unused.remove(match)
        kept.append(match)
    return kept


def allocate(index: Index, request: Request, config: Config, recorded: Sequence[str] = ()) -> tuple[str, ...]:
    """A prefix for each `{size: N}` of `request`, in order: the recorded one it keeps (`matched`), or
    the first free prefix of that length in the pools of its location and workload, searched in the
    order configured, lowest address first, skipping every prefix of another subscription in `index`,
    of a hub, of a reserved range, and those of the request itself. `PoolsExhausted` when none is free."""
    sizes = sizes_of(request)
    kept = matched(sizes, recorded)
    literal = request.network.address_space if request.network is not None else ()
    taken = [span(prefix) for prefix, owner in index.items() if owner != request.name]
    taken.extend(holder.span for holder in platform_holders(config))
    taken.extend(span(prefix) for prefix in [*literal, *(k for k in kept if k is not None)])
    pools = config.pools.get(request.location, {}).get(request.workload, ())
    allocated: list[str] = []
    for (position, length), keep in zip(sizes, kept, strict=True):
        if keep is not None:
            allocated.append(keep)
            continue
        found = first_free(taken, [span(pool) for pool in pools], length)
        if found is None:
            where = f"network.pools.{request.location}.{request.workload}"
            searched = ", ".join(pools) or "none configured"
            raise PoolsExhausted(f"no free /{length} is left in the pools for {request.workload} in "
                                 f"{request.location} ({where} in {CONFIG_FILE}: {searched}); ask the platform team "
                                 "to add a pool, or ask for a smaller prefix", position)
        taken.append(found)
        allocated.append(found.text())
    return tuple(allocated)


def runs(taken: Iterable[Span], family: int) -> tuple[list[int], list[int]]:
    """(firsts, lasts) of the disjoint runs of taken addresses of `family`, in address order."""
    firsts: list[int] = []
    lasts: list[int] = []
    for first, last in sorted((s.first, s.last) for s in taken if s.family == family):
        if lasts and first <= lasts[-1] + 1:
            lasts[-1] = max(lasts[-1], last)
        else:
            firsts.append(first)
            lasts.append(last)
    return firsts, lasts


def first_free(taken: Sequence[Span], pools: Sequence[Span], length: int) -> Span | None:
    """The lowest free, aligned span of prefix `length` in the first pool that has one: one walk along the
    runs of taken addresses, jumping past each run that is in the way."""
    taken_runs: dict[int, tuple[list[int], list[int]]] = {}
    for pool in pools:
        bits = 32 if pool.family == 4 else 128
        if length < pool.length or length > bits:
            continue
        if pool.family not in taken_runs:
            taken_runs[pool.family] = runs(taken, pool.family)
        firsts, lasts = taken_runs[pool.family]
        block = 1 << (bits - length)
        start = pool.first
        run = bisect.bisect_left(lasts, start)  # the first run that ends at or after start
        while start + block - 1 <= pool.last:
            if run < len(firsts) and firsts[run] <= start + block - 1:
                start = -(-(lasts[run] + 1) // block) * block  # the next aligned start past the run
                run += 1
                continue
            return Span(pool.family, start, start + block - 1)
    return None


def resolve(request: Request, recorded: Sequence[str]) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """(the address space with each `{size: N}` replaced by its recorded prefix, the (position, length)
    of those with none recorded)."""
    sizes = sizes_of(request)
    kept = matched(sizes, recorded)
    literal = list(request.network.address_space if request.network is not None else ())
    missing = [size for size, keep in zip(sizes, kept, strict=True) if keep is None]
    for (position, _), keep in zip(sizes, kept, strict=True):
        literal.insert(position, keep or "")
    return tuple(literal), missing


def parse_index(raw: bytes, path: str = INDEX_PATH) -> dict[str, str]:
    """The index in `raw`; one edited into another shape is refused, naming what is wrong."""
    data = load_bytes(raw, path, syntax="json", max_bytes=INDEX_LIMIT).data
    problems = []
    index: dict[str, str] = {}
    for prefix, owner in data.items():
        stored_form = written_as_stored(prefix)
        if stored_form and isinstance(owner, str):
            index[prefix] = owner
            continue
        why = prefix_problem(prefix)
        if why is None and not stored_form:
            why = f"{prefix} is not written as {canonical(prefix)}"
        problems.append(Problem(f"{why or 'the owner must be a subscription name'}; {INDEX_SHAPE}",
                                join_pointer("", prefix)))
    if problems:
        raise InvalidInput(path, problems)
    return index


def index_bytes(index: Index) -> bytes:
    """The index as stored: prefixes in address order (IPv4 first), the same bytes on every machine.
    Byte-identical to `json_bytes` of the sorted mapping, a line at a time (apply writes it on every vend)."""
    if not index:
        return json_bytes({})
    lines = ",\n".join(f"  {_string(prefix)}: {_string(index[prefix])}" for prefix in sorted(index, key=_address_order))
    return f"{{\n{lines}\n}}\n".encode()


_string = json.JSONEncoder(ensure_ascii=False).encode


def _address_order(prefix: str) -> tuple[int, int, int]:
    """As `ipaddress` sorts networks: by family, first address, then the shorter prefix first."""
    where = span(prefix)
    return where.family, where.first, where.length


def updated_index(index: Index, name: str, prefixes: Sequence[str]) -> bytes:
    """The index after subscription `name` holds exactly `prefixes`: its old entries released."""
    return index_bytes(updated(index, name, prefixes))


def updated(index: Index, name: str, prefixes: Sequence[str]) -> dict[str, str]:
    """`updated_index` as a mapping (no second parse of what was just written)."""
    kept = {prefix: owner for prefix, owner in index.items() if owner != name}
    kept.update((canonical(prefix), name) for prefix in prefixes)
    return kept
