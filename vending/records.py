"""Facts fixed when a subscription (or one of its budgets) is vended, kept on trunk beside its request.

`records/<name>.json` is an input, like the request: rendering reads it and never the clock, so
a later render (or a restore of `generated/`) gives the same bytes. Only `vending render REQUEST`
and `vending apply` add to it, with `record_facts`, which takes "today" from the command: a fact
once recorded never changes. Its first facts are the start dates of budgets, which Azure fixes
when a budget is created and refuses in the past beyond the current period, and the address
prefixes allocated for a request's `{size: N}` items (schema 2.1.0), which must never move.

    {"budgets": {"<key>": {"startDate": "YYYY-MM-DD"}}, "allocatedPrefixes": ["10.30.0.0/24"]}
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vending.addresses import ADDRESS_SPACE, Index, PoolsExhausted, allocate, matched, resolve, sizes_of
from vending.budgets import period_start, start_refusal
from vending.config import Config
from vending.errors import InvalidInput, Problem, UsageError
from vending.intake import Accepted
from vending.loader import MAX_BYTES, join_pointer, load_bytes
from vending.model import frozen_map
from vending.prefixes import canonical, prefix_problem
from vending.render import Files, json_bytes
from vending.repo_files import read_file

RECORDS_DIR = "records"
SHAPE = ('a record holds {"budgets": {"<key>": {"startDate": "YYYY-MM-01"}}} and optionally "allocatedPrefixes": '
         '["10.30.0.0/24"], written by vending render REQUEST and vending apply; a recorded fact is what Azure has, so '
         "restore the file from trunk's history")
TODAY_VARIABLE = "VENDING_TODAY"


@dataclass(frozen=True)
class Record:
    budget_starts: Mapping[str, str]
    """Budget key -> the start date (YYYY-MM-DD) recorded when the budget was first vended."""
    allocated: tuple[str, ...] = ()
    """The prefixes allocated for the request's `{size: N}` items, in their order (`addresses.matched`)."""

    def __bool__(self) -> bool:
        return bool(self.budget_starts or self.allocated)


EMPTY = Record(budget_starts=frozen_map({}))


def record_path(name: str) -> str:
    return f"{RECORDS_DIR}/{name}.json"


def today_utc(environ: Mapping[str, str]) -> datetime.date:
    """Today in UTC, the day facts are recorded on: the only clock vending reads, at the command's
    edge. `VENDING_TODAY=YYYY-MM-DD` sets it (for tests and for re-running a vend of another day)."""
    given = environ.get(TODAY_VARIABLE)
    if not given:
        return datetime.datetime.now(datetime.UTC).date()
    try:
        return datetime.date.fromisoformat(given)
    except ValueError:
        raise UsageError(f"{TODAY_VARIABLE}={given!r} is not a date such as 2026-12-01 (YYYY-MM-DD)") from None


def parse_record(raw: bytes, path: str) -> Record:
    """The record in `raw`; a record edited into another shape is refused, naming what is wrong."""
    def bad(message: str, pointer: str = "") -> InvalidInput:
        return InvalidInput(path, [Problem(f"{message}; {SHAPE}", pointer)])
    # The strict loader: a record is repository content, as hostile as any request file.
    data = load_bytes(raw, path, syntax="json").data
    if not isinstance(data, dict) or set(data) - {"budgets", "allocatedPrefixes"}:
        raise bad("must be an object with only the properties 'budgets' and 'allocatedPrefixes'")
    budgets = data.get("budgets", {})
    if not isinstance(budgets, dict):
        raise bad("must be an object", "/budgets")
    starts: dict[str, str] = {}
    for key, fact in budgets.items():
        where = join_pointer("/budgets", key)
        start = fact.get("startDate") if isinstance(fact, dict) and set(fact) == {"startDate"} else None
        if not isinstance(start, str) or not _first_of_month(start):
            raise bad("must be {\"startDate\": \"YYYY-MM-01\"}", where)
        starts[key] = start
    allocated = data.get("allocatedPrefixes", [])
    if not isinstance(allocated, list):
        raise bad("must be a list of IPv4 prefixes", "/allocatedPrefixes")
    for position, prefix in enumerate(allocated):
        if not isinstance(prefix, str) or prefix_problem(prefix, ipv4_only=True) or canonical(prefix) != prefix:
            raise bad("must be an IPv4 prefix such as 10.30.0.0/24", f"/allocatedPrefixes/{position}")
    return Record(budget_starts=frozen_map(starts), allocated=tuple(allocated))


def _first_of_month(value: str) -> bool:
    try:
        return len(value) == 10 and datetime.date.fromisoformat(value).day == 1
    except ValueError:
        return False


def record_bytes(record: Record) -> bytes:
    facts: dict[str, object] = {"budgets": {key: {"startDate": start} for key, start in record.budget_starts.items()}}
    if record.allocated:
        facts["allocatedPrefixes"] = list(record.allocated)
    return json_bytes(facts)


def read_record(root: Path, name: str) -> Record | None:
    """The record of subscription `name` in the working tree (None: there is none)."""
    raw = read_file(root, record_path(name), limit=MAX_BYTES)
    return None if raw is None else parse_record(raw, record_path(name))


def record_facts(accepted: Accepted, existing: Record | None, today: datetime.date) -> Record:
    """The record after vending `accepted` on `today`: recorded facts are kept as they are; a budget
    not recorded yet gets its start, the first day of its current period or the request's own
    `startDate`, which Azure must accept today (it creates the budget). Budgets the request no longer
    has are dropped: Azure deletes them, and one added again later is a new budget with a new start.
    A decommissioned subscription's record stays as it was."""
    request = accepted.request
    previous = existing or EMPTY
    if request.state == "absent":
        return previous
    kept = [prefix for prefix in matched(sizes_of(request), previous.allocated) if prefix is not None]
    starts: dict[str, str] = {}
    problems: list[Problem] = []
    for key, budget in request.budgets.items():
        if key in previous.budget_starts:
            starts[key] = previous.budget_starts[key]
        elif budget.start_date is None:
            starts[key] = period_start(budget.time_grain, today).isoformat()
        else:
            refusal = start_refusal(datetime.date.fromisoformat(budget.start_date), budget.time_grain, today)
            if refusal:
                problems.append(accepted.document.marks.problem(
                    f"{refusal} (the start date is fixed when the budget is created)",
                    join_pointer(budget_pointer(accepted, key), "startDate")))
            starts[key] = budget.start_date
    if problems:
        raise InvalidInput(accepted.path, problems)
    return Record(budget_starts=frozen_map(starts), allocated=tuple(kept))


def record_allocations(accepted: Accepted, existing: Record | None, index: Index, config: Config) -> Record:
    """The record after vending `accepted` against the fleet's `index`: each `{size: N}` keeps its recorded
    prefix or gets the first free one (`addresses.allocate`); prefixes of sizes no longer asked for are
    released. A decommissioned subscription keeps its record (its network may still exist)."""
    previous = existing or EMPTY
    if accepted.request.state == "absent":
        return previous
    try:
        allocated = allocate(index, accepted.request, config, previous.allocated)
    except PoolsExhausted as exc:
        raise InvalidInput(accepted.path, [accepted.document.marks.problem(
            str(exc), join_pointer(ADDRESS_SPACE, exc.position))]) from None
    return dataclasses.replace(previous, allocated=allocated)


def record_files(name: str, record: Record) -> Files:
    """The record's file as desired on disk: there when it holds facts (an empty one is removed)."""
    return {record_path(name): record_bytes(record)} if record else {}


def budget_pointer(accepted: Accepted, key: str) -> str:
    """Where the budget `key` is in the request as submitted: `/budget` in 1.x, `/budgets/<key>` in 2.x."""
    return join_pointer("/budgets", key) if "budgets" in accepted.document.data else "/budget"


def dated(accepted: Accepted, record: Record | None, config: Config) -> Accepted:
    """`accepted` with every budget's dates concrete: the recorded start, and the request's end or
    vending.yaml's `budgets.endDate`; and every address prefix concrete (`addressed`). A budget with no
    recorded start cannot be rendered."""
    accepted = addressed(accepted, record)
    request = accepted.request
    if request.state == "absent" or not request.budgets:
        return accepted
    starts = (record or EMPTY).budget_starts
    marks = accepted.document.marks
    problems: list[Problem] = []
    budgets = {}
    for key, budget in request.budgets.items():
        where = budget_pointer(accepted, key)
        start = starts.get(key)
        if start is None:
            problems.append(marks.problem(
                f"budget {key!r} has no start date recorded in {record_path(request.name)}: a budget's start is "
                "fixed on the day it is vended; record it with vending apply, or vending render "
                f"{accepted.path}, then commit {record_path(request.name)} (a budget that already exists in Azure "
                "keeps the start it was created with: write that date into the record instead)", where))
            continue
        if budget.start_date is not None and budget.start_date != start:
            problems.append(marks.problem(
                f"startDate {budget.start_date} differs from {start}, recorded in {record_path(request.name)} when "
                f"budget {key!r} was created: Azure fixes a budget's start; keep startDate {start} (or leave it "
                "out), or add the budget under a new key", join_pointer(where, "startDate")))
            continue
        end = budget.end_date or config.budget_end_date
        if end <= start:
            problems.append(marks.problem(
                f"the budget would end on {end}, before it starts on {start} (its recorded start; an end the "
                "request leaves out comes from budgets.endDate in vending.yaml): set endDate after the start",
                where))
            continue
        budgets[key] = dataclasses.replace(budget, start_date=start, end_date=end)
    if problems:
        raise InvalidInput(accepted.path, problems)
    return dataclasses.replace(accepted, request=dataclasses.replace(request, budgets=frozen_map(budgets)))


def addressed(accepted: Accepted, record: Record | None) -> Accepted:
    """`accepted` with each prefix asked for by size replaced by the one recorded for it: both targets
    render the concrete prefix. One with none recorded cannot be rendered (a decommissioned subscription
    renders no network, so it needs none)."""
    request = accepted.request
    if request.network is None or not request.network.pending:
        return accepted
    prefixes, missing = resolve(request, (record or EMPTY).allocated)
    if missing:
        if request.state == "absent":
            return accepted
        where = record_path(request.name)
        raise InvalidInput(accepted.path, [accepted.document.marks.problem(
            f"no /{length} is recorded for this {{size: {length}}} in {where}: vending allocates it when the "
            f"subscription is vended; run vending apply, or vending render {accepted.path}, then commit {where}",
            join_pointer(ADDRESS_SPACE, position)) for position, length in missing])
    network = dataclasses.replace(request.network, address_space=prefixes, pending=())
    return dataclasses.replace(accepted, request=dataclasses.replace(request, network=network))
