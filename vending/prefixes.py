"""Address prefixes as intervals of integers: parsed and compared once, cheaply (stdlib `ipaddress`)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    """A prefix as the interval of addresses it covers."""

    family: int
    first: int
    last: int

    @property
    def length(self) -> int:
        return (32 if self.family == 4 else 128) - (self.last - self.first + 1).bit_length() + 1

    def overlaps(self, other: Span) -> bool:
        return self.family == other.family and self.first <= other.last and other.first <= self.last

    def text(self) -> str:
        address = ipaddress.IPv4Address(self.first) if self.family == 4 else ipaddress.IPv6Address(self.first)
        return f"{address}/{self.length}"


def span(prefix: str) -> Span:
    """The interval of `prefix` (a network address: host bits zero), or ValueError."""
    network = ipaddress.ip_network(prefix, strict=True)
    return Span(network.version, int(network.network_address), int(network.broadcast_address))


def canonical(prefix: str) -> str:
    """`prefix` as Python and Azure write it (IPv6 compressed, lower case)."""
    return str(ipaddress.ip_network(prefix, strict=True))


def prefix_problem(prefix: str, *, ipv4_only: bool = False) -> str | None:
    """Why `prefix` is not a network address in CIDR notation (None: it is one)."""
    try:
        network = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return f"{prefix!r} is not an address prefix in CIDR notation such as 10.20.0.0/16 or fd00:10::/48"
    if "/" not in prefix:
        return f"{prefix!r} has no prefix length; write it as {network}"
    if ipv4_only and network.version != 4:
        return f"{prefix} is IPv6: pools hold IPv4 prefixes (a request asks for an IPv4 prefix by size)"
    if network.network_address != ipaddress.ip_interface(prefix).ip:
        return f"{prefix} has host bits set; did you mean {network}?"
    return None
