"""Checks on a single request that JSON Schema cannot express.

They run on the document as submitted, after it passed its pinned schema, so
that every problem points at what the requester wrote.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator, Mapping

from vending import azure_rules
from vending.errors import Problem
from vending.loader import Json, Marks, join_pointer
from vending.portable_names import check_name


def check_request(doc: Mapping[str, Json], marks: Marks) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about `doc`."""
    azure_errors, warnings = azure_rules.check(doc, marks)
    errors = [*_address_space(doc, marks), *_tag_names(doc, marks), *_budget_dates(doc, marks),
              *_budget_grains(doc, marks), *_display_name(doc, marks), *check_name(doc, marks), *azure_errors]
    return errors, warnings


def _address_space(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    network = doc.get("network") or {}
    seen: list[tuple[ipaddress.IPv4Network, str]] = []
    for index, cidr in enumerate(network.get("addressSpace", [])):
        if not isinstance(cidr, str):  # {size: N} (2.1.0): allocated from free space, never overlapping
            continue
        pointer = f"/network/addressSpace/{index}"
        try:
            prefix = ipaddress.IPv4Network(cidr, strict=True)
        except ValueError:
            loose = ipaddress.IPv4Network(cidr, strict=False)
            yield marks.problem(f"{cidr} has host bits set; did you mean {loose}?", pointer)
            continue
        for other, other_pointer in seen:
            if prefix.overlaps(other):
                yield marks.problem(f"{cidr} overlaps {other} at {other_pointer}", pointer)
        seen.append((prefix, pointer))


def _tag_names(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for name in doc.get("tags", {}):
        folded = name.casefold()
        if folded in first:
            yield marks.problem(
                f"tag {name!r} collides with {first[folded]!r}: Azure tag names are not case-sensitive",
                join_pointer("/tags", name), key=True)
        else:
            first[folded] = name


def _budget_dates(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    for key, budget in (doc.get("budgets") or {}).items():
        where = join_pointer("/budgets", key)
        start, end = budget.get("startDate"), budget.get("endDate")
        for field, value in (("startDate", start), ("endDate", end)):
            if value and not is_calendar_date(value):
                yield marks.problem(f"{value} is not a date in the calendar", join_pointer(where, field))
        if start and end and end <= start:
            yield marks.problem(f"endDate {end} is not after startDate {start}", join_pointer(where, "endDate"))


WEB_DIRECT_GRAINS = ("BillingMonth", "BillingQuarter", "BillingAnnual")


def _budget_grains(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    """The billing-period grains exist only for Web Direct (pay-as-you-go) billing accounts, and
    billingScope admits only EA, MCA and MPA scopes: Azure would refuse every such budget."""
    budgets = doc.get("budgets") or {}
    single = doc.get("budget")
    found = [("/budget", single)] if isinstance(single, Mapping) else []
    found += [(join_pointer("/budgets", key), budget) for key, budget in budgets.items()]
    for where, budget in found:
        grain = budget.get("timeGrain")
        if grain in WEB_DIRECT_GRAINS:
            calendar = {"BillingMonth": "Monthly", "BillingQuarter": "Quarterly", "BillingAnnual": "Annually"}[grain]
            yield marks.problem(
                f"timeGrain {grain} is only for Web Direct (pay-as-you-go) billing accounts, and a vended "
                "subscription's billingScope is an EA, MCA or MPA scope, so Azure's Budgets API would refuse "
                f"this budget; use {calendar}, its calendar counterpart", join_pointer(where, "timeGrain"))


def is_calendar_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _display_name(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    name = doc.get("displayName", "")
    if isinstance(name, str) and any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in name):
        yield marks.problem("displayName must not contain line breaks or control characters", "/displayName")
