"""The findings of issue 10 that are still open on this branch, and how the tests treat them.

Each is fixed on branch `hardening`. While a finding is listed here its corpus cases and
kill points are marked `xfail(strict=True)`, so they fail (XPASS) the moment the fix lands,
and the fuzzers leave out the inputs known to trigger it (their verdicts would only repeat
the corpus case). When the fix is merged, delete its number here: that removes every mark
of it and puts its inputs back into the fuzzers in one edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pytest

T = TypeVar("T")

OPEN_FINDINGS: frozenset[int] = frozenset()


def is_open(finding: int) -> bool:
    return finding in OPEN_FINDINGS


def fixed_on_hardening(finding: int) -> list[pytest.MarkDecorator]:
    """The marks of a test case that fails until `finding` is fixed (none once it is)."""
    if not is_open(finding):
        return []
    return [pytest.mark.xfail(strict=True, reason=f"issue 10 finding {finding}: fixed on branch hardening")]


def open_finding(finding: int) -> Callable[[T], T]:
    """Decorate a test that fails until `finding` is fixed: `@open_finding(2)`."""

    def decorate(test: T) -> T:
        marked: Any = test
        for mark in fixed_on_hardening(finding):
            marked = mark(marked)
        return cast(T, marked)

    return decorate
