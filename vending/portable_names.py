"""Subscription names that every checkout can hold: no Windows device names.

A subscription's name becomes file and directory names (`requests/<name>.yaml`,
`generated/terraform/<env>/<name>/`). Windows reserves the device names CON, PRN, AUX,
NUL, COM0-COM9 and LPT0-LPT9 (and COM/LPT with a superscript digit), case-insensitively,
as a whole name and before any extension (`con.yaml` too), so a repository holding
`requests/con.yaml` cannot be checked out there. The released schemas let these names
through (3-63 of a-z0-9-, starting with a letter); this refuses them. `con-1` or `console`
are not reserved: Windows compares the part before the first dot only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from vending.errors import Problem
from vending.loader import Json, Marks

RESERVED = frozenset({"con", "prn", "aux", "nul",
                      *(f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3")})


def is_reserved(name: str) -> bool:
    """Whether Windows reserves `name` as a file name (its part before the first dot, case-insensitively)."""
    return name.split(".", 1)[0].rstrip(" ").lower() in RESERVED


def check_name(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    name = doc.get("name")
    if isinstance(name, str) and is_reserved(name):
        yield marks.problem(
            f"{name!r} is a device name Windows reserves (CON, PRN, AUX, NUL, COM0-9, LPT0-9): its files, "
            f"such as requests/{name}.yaml, could not be checked out on Windows; choose another name", "/name")
