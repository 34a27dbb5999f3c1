"""Upgrade a request document, one major version at a time, to the newest schema.

Within a major version, releases only add (semver), so a document valid under
an older minor is valid under the newest one as it is. Across majors an
explicit step rewrites the document; each step is pure and must derive every
value the newer major requires, so that the upgraded request renders exactly
the infrastructure the original did.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable

from vending.errors import Bug
from vending.loader import Json
from vending.roles import normalize_definition

Step = Callable[[dict[str, Json]], dict[str, Json]]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def role_assignment_key(principal_id: str, role: str) -> str:
    """A stable map key for a 1.x role assignment, independent of list order."""
    digest = hashlib.sha256(f"{principal_id.lower()}|{role}".encode()).hexdigest()[:10]
    return f"{(_slug(role) or 'role')[:52].rstrip('-')}-{digest}"


def _v1_to_v2(doc: dict[str, Json]) -> dict[str, Json]:
    new = copy.deepcopy(doc)
    if "roleAssignments" in new:
        assignments: dict[str, Json] = {}
        seen: set[tuple[str, str]] = set()
        for entry in new.pop("roleAssignments"):
            identity = (entry["principalId"].lower(), normalize_definition(entry["role"]))
            if identity in seen:  # the same assignment listed twice is one assignment
                continue
            seen.add(identity)
            key = role_assignment_key(entry["principalId"], entry["role"])
            if key in assignments:
                raise Bug(f"role assignment key collision on {key}")
            converted: dict[str, Json] = {"principalId": entry["principalId"], "definition": entry["role"]}
            if "principalType" in entry:
                converted["principalType"] = entry["principalType"]
            assignments[key] = converted
        new["roleAssignments"] = assignments
    if "budget" in new:
        budget = new.pop("budget")
        new["budgets"] = {
            "default": {
                "amount": budget["amount"],
                "timeGrain": budget["timeGrain"],
                "notifications": {
                    # JSON Schema's "integer" admits 80.0: the key and the value must still read 80.
                    f"actual-{int(threshold)}": {
                        "threshold": int(threshold),
                        "thresholdType": "Actual",
                        "operator": "GreaterThan",
                        "contactEmails": list(budget["contactEmails"]),
                    }
                    for threshold in budget["thresholds"]
                },
            }
        }
    return new


MAJOR_STEPS: dict[int, Step] = {1: _v1_to_v2}


def upgrade(doc: dict[str, Json], from_major: int, to_version: str) -> dict[str, Json]:
    """`doc`, valid under a release of `from_major`, rewritten for release `to_version`."""
    to_major = int(to_version.split(".", 1)[0])
    current = copy.deepcopy(doc)
    for major in range(from_major, to_major):
        step = MAJOR_STEPS.get(major)
        if step is None:
            raise Bug(f"no upgrade step from schema major {major} to {major + 1}")
        current = step(current)
    current["schemaVersion"] = to_version
    return current
