"""A difference between two versions of an interface, and the version bump it needs."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Bump(enum.IntEnum):
    """The semantic-version bump a change needs; ordered, so `max` gives the overall bump."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Bump:
        return cls[text.upper()]


@dataclass(frozen=True)
class Change:
    """One difference: where (a JSON pointer into the NEW schema), what sort, the bump it needs, and why."""

    pointer: str
    kind: str
    bump: Bump
    message: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "kind": self.kind, "bump": str(self.bump), "message": self.message}


def required_bump(changes: Iterable[Change]) -> Bump:
    return max((c.bump for c in changes), default=Bump.NONE)


def settle(changes: Iterable[Change]) -> tuple[Change, ...]:
    """One change per (pointer, kind), the one needing the biggest bump, ordered by pointer then kind."""
    kept: dict[tuple[str, str], Change] = {}
    for change in changes:
        key = (change.pointer, change.kind)
        if key not in kept or change.bump > kept[key].bump:
            kept[key] = change
    return tuple(sorted(kept.values(), key=lambda c: (c.pointer, c.kind)))
