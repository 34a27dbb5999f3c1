"""Azure's rules for a budget's time period, and the one place its dates are turned into timestamps.

The Budgets API (Microsoft.Consumption/budgets, `timePeriod`) requires a start date on the
first of a month, on or after 2017-06-01, not more than twelve months ahead, and, when in the
past, within the current time-grain period. Monthly, Quarterly and Annually track the current
calendar month, quarter and year. The end date is optional in Azure (ten years by default)
and must be after the start; a budget "will expire on the endDate", so the stated last day is
included by ending it at 23:59:59 UTC of that day, as the AVM module's own example does.
"""

from __future__ import annotations

import datetime

from vending.errors import Bug
from vending.model import Budget

EARLIEST_START = datetime.date(2017, 6, 1)
MONTHS_AHEAD = 12
GRAIN_MONTHS = {"Monthly": 1, "Quarterly": 3, "Annually": 12}
WEB_DIRECT_GRAINS = ("BillingMonth", "BillingQuarter", "BillingAnnual")


def period_start(time_grain: str, today: datetime.date) -> datetime.date:
    """The first day of the calendar month, quarter or year that holds `today`: the default start of a
    budget vended today (its first period is then complete, and Azure accepts a past start there)."""
    months = GRAIN_MONTHS.get(time_grain)
    if months is None:
        raise Bug(f"no calendar period for time grain {time_grain!r}; semantics should have refused it")
    return datetime.date(today.year, (today.month - 1) // months * months + 1, 1)


def latest_start(today: datetime.date) -> datetime.date:
    """The latest start Azure accepts: the first of the month twelve months after today's."""
    index = today.year * 12 + today.month - 1 + MONTHS_AHEAD
    return datetime.date(index // 12, index % 12 + 1, 1)


def start_refusal(start: datetime.date, time_grain: str, today: datetime.date) -> str | None:
    """Why Azure refuses a budget of `time_grain` created on `today` starting on `start` (None: it accepts)."""
    rule = ("Azure's Budgets API takes the first day of a month, not before the start of the current "
            f"{_period_name(time_grain)} ({max(period_start(time_grain, today), EARLIEST_START).isoformat()}) "
            f"and at most twelve months ahead ({latest_start(today).isoformat()}); "
            "leave startDate out to start the budget in the current period")
    if start.day != 1:
        return f"startDate {start.isoformat()} is not the first day of a month: {rule}"
    if start < EARLIEST_START or start < period_start(time_grain, today):
        return f"startDate {start.isoformat()} is in the past on {today.isoformat()} (UTC): {rule}"
    if start > latest_start(today):
        return f"startDate {start.isoformat()} is more than twelve months ahead of {today.isoformat()} (UTC): {rule}"
    return None


def _period_name(time_grain: str) -> str:
    return {"Monthly": "month", "Quarterly": "calendar quarter", "Annually": "calendar year"}[time_grain]


def dates(budget: Budget) -> tuple[str, str]:
    """(first day, last day) of a dated budget, `YYYY-MM-DD`."""
    if budget.start_date is None or budget.end_date is None:
        raise Bug("a budget reached rendering without its dates; vending.records.dated fills them")
    return budget.start_date, budget.end_date


START_TIME = "T00:00:00Z"
END_TIME = "T23:59:59Z"
"""What follows a budget's first and last day in the timestamps both targets send."""


def time_period(budget: Budget) -> tuple[str, str]:
    """The budget's period as both targets send it: from 00:00:00 UTC of the first day to
    23:59:59 UTC of the last, so the last day the request states is part of the budget."""
    start, end = dates(budget)
    return f"{start}{START_TIME}", f"{end}{END_TIME}"
