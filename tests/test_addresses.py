"""The pure address module: the fleet invariant, first-free allocation, the index's bytes."""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.addresses import (
    INDEX_PATH,
    PoolsExhausted,
    allocate,
    check_against,
    index_bytes,
    matched,
    parse_index,
    resolve,
    updated_index,
)
from vending.config import Config, load_config
from vending.errors import InvalidInput
from vending.intake import Accepted, accept
from vending.model import Request, frozen_map
from vending.prefixes import span

from .conftest import ROOT


def config(pools: dict[str, list[str]] | None = None, *, hubs: dict[str, list[str]] | None = None,
           reserved: list[str] | None = None) -> Config:
    return dataclasses.replace(
        load_config(ROOT),
        hub_prefixes=frozen_map({k: tuple(v) for k, v in (hubs or {}).items()}),
        reserved=tuple(reserved or ()),
        pools=frozen_map({"uksouth": frozen_map({w: tuple(p) for w, p in (pools or {}).items()})}))


def accepted(name: str, *space: Any, workload: str = "DevTest") -> Accepted:
    doc = {"schemaVersion": "2.1", "name": name, "displayName": name, "workload": workload,
           "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
           "managementGroup": "corp", "location": "uksouth", "requestedBy": "a@contoso.com",
           "network": {"addressSpace": list(space)}}
    return accept(json.dumps(doc).encode(), f"requests/{name}.json", syntax="json")


def request(name: str, *space: Any, workload: str = "DevTest") -> Request:
    return accepted(name, *space, workload=workload).request


def test_an_overlap_with_another_subscription_names_it_and_points_at_the_prefix() -> None:
    index = {"10.40.0.0/23": "risk-models-prod"}
    (problem,) = check_against(index, "payments-prod", ["10.20.0.0/24", "10.40.1.0/24"], config())
    assert problem.pointer == "/network/addressSpace/1"
    assert problem.message.startswith("10.40.1.0/24 overlaps 10.40.0.0/23 of subscription 'risk-models-prod'")


def test_a_subscription_s_own_entries_are_not_a_conflict() -> None:
    assert check_against({"10.40.0.0/23": "risk-models-prod"}, "risk-models-prod", ["10.40.0.0/24"], config()) == []


def test_overlaps_with_a_hub_and_a_reserved_range_are_named() -> None:
    settings_ = config(hubs={"uksouth": ["10.0.0.0/16", "fd00:10::/48"]}, reserved=["192.168.0.0/16"])
    problems = check_against({}, "x", ["10.0.128.0/17", "192.168.4.0/24", "fd00:10:0:1::/64", "10.1.0.0/16"],
                             settings_)
    assert [p.pointer for p in problems] == [f"/network/addressSpace/{i}" for i in (0, 1, 2)]
    assert "of the hub network in uksouth (network.hubs.uksouth.addressPrefixes in vending.yaml)" in problems[0].message
    assert "the reserved range 192.168.0.0/16 (network.reserved in vending.yaml)" in problems[1].message
    assert "fd00:10:0:1::/64 overlaps fd00:10::/48 of the hub network" in problems[2].message


def test_ipv4_and_ipv6_never_overlap_each_other() -> None:
    assert check_against({"::/0": "all-v6"}, "x", ["0.0.0.0/0"], config()) == []


def test_allocation_is_first_free_lowest_address_first() -> None:
    index = {"10.200.0.0/24": "a", "10.200.1.128/25": "b", "10.200.4.0/22": "c"}
    settings_ = config({"DevTest": ["10.200.0.0/16"]}, reserved=["10.200.2.0/24"])
    assert allocate(index, request("new-sub", {"size": 25}), settings_) == ("10.200.1.0/25",)
    assert allocate(index, request("new-sub", {"size": 24}), settings_) == ("10.200.3.0/24",)
    assert allocate(index, request("new-sub", {"size": 22}), settings_) == ("10.200.8.0/22",)
    assert allocate(index, request("new-sub", {"size": 24}, {"size": 24}, "10.200.3.0/24"), settings_) == \
        ("10.200.8.0/24", "10.200.9.0/24")


def test_allocation_searches_the_pools_of_the_workload_in_order() -> None:
    settings_ = config({"Production": ["10.100.0.0/24", "10.101.0.0/16"], "DevTest": ["10.200.0.0/16"]})
    assert allocate({}, request("new-sub", {"size": 24}, workload="Production"), settings_) == ("10.100.0.0/24",)
    assert allocate({"10.100.0.0/25": "a"}, request("new-sub", {"size": 24}, workload="Production"), settings_) == \
        ("10.101.0.0/24",)
    assert allocate({}, request("new-sub", {"size": 23}, workload="Production"), settings_) == ("10.101.0.0/23",)
    assert allocate({}, request("new-sub", {"size": 24}), settings_) == ("10.200.0.0/24",)


def test_exhausted_pools_fail_clearly_with_the_position() -> None:
    settings_ = config({"DevTest": ["10.200.0.0/23"]})
    index = {"10.200.0.0/24": "a", "10.200.1.0/25": "b"}
    with pytest.raises(PoolsExhausted) as caught:
        allocate(index, request("new-sub", "10.9.0.0/24", {"size": 24}), settings_)
    assert caught.value.position == 1
    assert str(caught.value).startswith("no free /24 is left in the pools for DevTest in uksouth "
                                        "(network.pools.uksouth.DevTest in vending.yaml: 10.200.0.0/23)")
    with pytest.raises(PoolsExhausted, match="none configured"):
        allocate({}, request("new-sub", {"size": 24}, workload="Production"), settings_)


def test_a_recorded_allocation_is_kept_and_released_when_no_longer_asked_for() -> None:
    settings_ = config({"DevTest": ["10.200.0.0/16"]})
    # The index holds n's own prefixes: they are n's, so they are not in the way of its re-allocation.
    index = {"10.200.0.0/24": "new-sub", "10.200.1.0/24": "new-sub"}
    recorded = ("10.200.1.0/24", "10.200.0.0/24")
    assert allocate(index, request("new-sub", {"size": 24}, {"size": 24}), settings_, recorded) == recorded
    assert allocate(index, request("new-sub", {"size": 24}), settings_, recorded) == ("10.200.1.0/24",)
    assert allocate(index, request("new-sub", {"size": 23}, {"size": 24}), settings_, recorded) == \
        ("10.200.2.0/23", "10.200.1.0/24")
    assert matched([(0, 25), (1, 24)], recorded) == [None, "10.200.1.0/24"]


def test_resolve_puts_each_recorded_prefix_in_its_place() -> None:
    asked = request("new-sub", {"size": 24}, "10.9.0.0/24", {"size": 25})
    assert resolve(asked, ("10.200.0.0/25", "10.200.1.0/24")) == (("10.200.1.0/24", "10.9.0.0/24", "10.200.0.0/25"),
                                                                  [])
    assert resolve(asked, ("10.200.1.0/24",))[1] == [(2, 25)]


def test_the_index_is_in_address_order_with_deterministic_bytes() -> None:
    index = {"10.9.0.0/24": "b", "fd00::/48": "c", "10.10.0.0/24": "a", "9.0.0.0/8": "d", "10.9.0.0/16": "e"}
    written = index_bytes(index)
    assert list(json.loads(written)) == ["9.0.0.0/8", "10.9.0.0/16", "10.9.0.0/24", "10.10.0.0/24", "fd00::/48"]
    assert index_bytes(dict(reversed(index.items()))) == written
    assert parse_index(written) == index


def test_updated_index_releases_the_old_prefixes_of_the_subscription() -> None:
    before = {"10.1.0.0/24": "new-sub", "10.2.0.0/24": "m"}
    after = json.loads(updated_index(before, "new-sub", ["10.3.0.0/24", "FD00::/64"]))
    assert after == {"10.2.0.0/24": "m", "10.3.0.0/24": "new-sub", "fd00::/64": "new-sub"}


@pytest.mark.parametrize(("text", "message"), [
    (b'{"10.0.0.1/24": "a"}', "has host bits set; did you mean 10.0.0.0/24?"),
    (b'{"nonsense": "a"}', "is not an address prefix"),
    (b'{"FD00::/64": "a"}', "is not written as fd00::/64"),
    (b'{"10.0.0.0/24": 3}', "the owner must be a subscription name"),
])
def test_an_edited_index_is_refused_with_where(text: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_index(text)
    assert caught.value.path == INDEX_PATH
    assert message in caught.value.problems[0].message


def test_sixteen_sequential_allocations_are_disjoint() -> None:
    settings_ = config({"DevTest": ["10.200.0.0/20"]})
    index: dict[str, str] = {}
    sizes = [24, 26, 22, 29, 25, 24, 28, 23, 27, 24, 26, 29, 25, 24, 28, 27]
    for number, size in enumerate(sizes):
        name = f"sub-{number}"
        prefixes = allocate(index, request(name, {"size": size}), settings_)
        assert check_against(index, name, prefixes, settings_) == []
        index = parse_index(updated_index(index, name, prefixes))
    spans = sorted(span(p) for p in index)
    assert len(spans) == 16
    assert all(a.last < b.first for a, b in itertools.pairwise(spans))
    assert all(ipaddress.IPv4Network(p).subnet_of(ipaddress.IPv4Network("10.200.0.0/20")) for p in index)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(20, 29), st.booleans()), min_size=1, max_size=24),
       st.lists(st.integers(0, 255), max_size=6))
def test_allocations_never_overlap_and_are_deterministic(asks: list[tuple[int, bool]], holes: list[int]) -> None:
    """Whatever the sizes asked for (and the taken space around them), every allocation lies in the
    pool, overlaps nothing taken, and the same fleet gives the same answer."""
    settings_ = config({"DevTest": ["10.200.0.0/16", "10.201.0.0/16"]}, reserved=["10.202.0.0/16"])
    index = {f"10.200.{third}.0/24": f"other-{third}" for third in sorted(set(holes))}
    for number, (size, twice) in enumerate(asks):
        name = f"sub-{number}"
        asked = request(name, *([{"size": size}, {"size": size + 1 if size < 29 else size - 1}] if twice
                                else [{"size": size}]))
        try:
            prefixes = allocate(index, asked, settings_)
        except PoolsExhausted:
            continue
        assert prefixes == allocate(dict(reversed(index.items())), asked, settings_)
        assert check_against(index, name, prefixes, settings_) == []
        assert all(span(p).length == s for p, (_, s) in zip(prefixes, asked.network.pending, strict=True))  # type: ignore[union-attr]
        index = parse_index(updated_index(index, name, prefixes))
    spans = sorted(span(p) for p in index)
    assert all(a.last < b.first for a, b in itertools.pairwise(spans))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(0, 2**32 - 1).flatmap(lambda a: st.integers(0, 32).map(
    lambda n: str(ipaddress.IPv4Network((a, n), strict=False)))), st.text("0123456789./:af", max_size=22)))
def test_the_fast_ipv4_parse_agrees_with_ipaddress(prefix: str) -> None:
    try:
        network = ipaddress.ip_network(prefix, strict=True)
    except ValueError:
        with pytest.raises(ValueError):
            span(prefix)
        return
    assert span(prefix) == span.__wrapped__(str(network))
    assert (span(prefix).first, span(prefix).last) == (int(network.network_address), int(network.broadcast_address))
    assert span(prefix).text() == str(network)


def test_an_index_larger_than_a_request_may_be_is_read() -> None:
    index = {f"10.{n // 65536}.{n // 256 % 256}.{n % 256}/32": f"subscription-{n}" for n in range(40_000)}
    written = index_bytes(index)
    assert len(written) > 1024 * 1024
    assert parse_index(written) == index
