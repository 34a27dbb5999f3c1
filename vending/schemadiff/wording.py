"""Sentences for changes, written for the person who decides the version number."""

from __future__ import annotations

import json

from vending.loader import Json


class _Missing:
    """Absent, as opposed to JSON null."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def shown(value: Json, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def listed(values: list[Json], limit: int = 5) -> str:
    words = [shown(v, 40) for v in values[:limit]]
    if len(values) > limit:
        words.append(f"and {len(values) - limit} more")
    return ", ".join(words)


def verb(old: object, new: object) -> str:
    """added, removed, increased, decreased or changed: the last part of a change's kind."""
    if old is MISSING:
        return "added"
    if new is MISSING:
        return "removed"
    if _is_number(old) and _is_number(new) and old != new:
        return "increased" if new > old else "decreased"  # type: ignore[operator]
    return "changed"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def what_changed(keyword: str, old: object, new: object) -> str:
    """"maxLength lowered from 12 to 10", "pattern "^a" added", "format "email" removed"."""
    how = verb(old, new)
    if how == "added":
        return f"{keyword} {shown(new)} added"
    if how == "removed":
        return f"{keyword} {shown(old)} removed"
    if how == "increased":
        return f"{keyword} raised from {shown(old)} to {shown(new)}"
    if how == "decreased":
        return f"{keyword} lowered from {shown(old)} to {shown(new)}"
    return f"{keyword} changed from {shown(old)} to {shown(new)}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
