"""Address prefixes as intervals of integers: parsed and compared once, cheaply (stdlib `ipaddress`)."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
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
        if self.family == 4:
            first = self.first
            return f"{first >> 24}.{first >> 16 & 255}.{first >> 8 & 255}.{first & 255}/{self.length}"
        return f"{ipaddress.IPv6Address(self.first)}/{self.length}"


@functools.lru_cache(maxsize=1 << 17)
def span(prefix: str) -> Span:
    """The interval of `prefix` (a network address: host bits zero), or ValueError. An index holds tens of
    thousands of prefixes and a vend reads each one: IPv4 in its canonical form is parsed here in a few
    microseconds, anything else by `ipaddress` (the authority on what is valid)."""
    fast = _canonical_ipv4(prefix)
    if fast is not None:
        return fast
    network = ipaddress.ip_network(prefix, strict=True)
    return Span(network.version, int(network.network_address), int(network.broadcast_address))


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/(3[0-2]|[12]?[0-9])", re.ASCII)


def _canonical_ipv4(prefix: str) -> Span | None:
    """The span of an IPv4 prefix written as ipaddress writes it, host bits zero (None: anything else)."""
    match = _CANONICAL_IPV4.fullmatch(prefix)
    if match is None:
        return None
    first = int(match[1]) << 24 | int(match[2]) << 16 | int(match[3]) << 8 | int(match[4])
    size = 1 << (32 - int(match[5]))
    if first & (size - 1):
        return None  # host bits set: ipaddress says so, in its words
    return Span(4, first, first + size - 1)


def written_as_stored(prefix: str) -> bool:
    """`prefix` is a network address written as vending stores it (ipaddress's text)."""
    try:
        where = span(prefix)
    except ValueError:
        return False
    return (where.family == 4 and _CANONICAL_IPV4.fullmatch(prefix) is not None) or where.text() == prefix


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
