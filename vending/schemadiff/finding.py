"""What the subset proof reports: a place where it could not show that NEW accepts what OLD did."""

from __future__ import annotations

from dataclasses import dataclass

from vending.loader import Json


@dataclass(frozen=True)
class AnyName:
    """A property name the schema does not list (matching `pattern`, when there is one)."""

    pattern: str | None = None


@dataclass(frozen=True)
class AnyIndex:
    """An array position at or after `start` (positions there share one item schema)."""

    start: int = 0


Token = str | int | AnyName | AnyIndex


# Values a witness may plant at the instance path of a finding, besides literal JSON values.
@dataclass(frozen=True)
class Absent:
    """Leave the property out."""


@dataclass(frozen=True)
class Sampled:
    """A value sampled from the old schema there, strings at least `min_length` long."""

    min_length: int = 0


@dataclass(frozen=True)
class Repeated:
    """A list (or mapping) of `count` values sampled from the old schema; all equal when not `distinct`."""

    count: int
    distinct: bool = True


@dataclass(frozen=True)
class Finding:
    pointer: str
    """Where in the NEW schema."""
    kind: str
    message: str
    instance: tuple[Token, ...] = ()
    """Where in a document the difference shows."""
    candidates: tuple[Json, ...] = ()
    """Values at `instance` that may be valid under OLD and not NEW (for a witness)."""


# Candidate values for a witness: a value of each type, and one of everything.
TYPE_SAMPLES: dict[str, tuple[Json, ...]] = {
    "null": (None,), "boolean": (True, False), "integer": (0, 1, -1), "fraction": (0.5, -0.5),
    "string": ("x", "", Sampled()), "array": ([],), "object": ({},),
}
ANY_SAMPLES: tuple[Json, ...] = (Sampled(), None, True, 0, 0.5, "x", [], {})
