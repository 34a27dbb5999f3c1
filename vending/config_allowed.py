"""The roles of `allowed` in vending.yaml, held to what a request can name.

A role in an allow-list that no request can match (a misspelt `Ownr` in a deny list) would leave the
guardrail silently open, so each must be a built-in role name exactly, a role definition id, or a
custom role the repository declares (`roles.custom`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vending import roles
from vending.errors import Problem
from vending.loader import Marks, join_pointer


def allowed_role_problems(doc: Mapping[str, Any], marks: Marks) -> Iterator[Problem]:
    allowed = doc.get("allowed") or {}
    custom = set((doc.get("roles") or {}).get("custom", ()))
    sections = [("/allowed", allowed)] + [(join_pointer("/allowed/perWorkload", workload), lists)
                                          for workload, lists in (allowed.get("perWorkload") or {}).items()]
    for base, lists in sections:
        for key in ("managementGroups", "locations", "roles"):
            value = lists.get(key)
            if value is None:
                continue
            entries = {"allow": value} if isinstance(value, list) else value
            if isinstance(entries.get("allow"), list) and isinstance(entries.get("deny"), list):
                both = [item for item in entries["deny"] if item in entries["allow"]]
                for item in both:
                    yield marks.problem(f"{item!r} is both allowed and denied; keep it in one list",
                                        join_pointer(base, key))
            if key != "roles":
                continue
            for kind, items in entries.items():
                prefix = join_pointer(base, key) if isinstance(value, list) else join_pointer(join_pointer(base, key),
                                                                                            kind)
                for index, role in enumerate(items):
                    where = join_pointer(prefix, index)
                    problem = roles.definition_problem(role)
                    if problem is None and roles.is_custom(role) and role not in custom:
                        problem = (f"{role!r} is neither a built-in role nor a custom role of this repository "
                                   "(roles.custom); an allow-list entry no request can match would leave the "
                                   "guardrail open: use the built-in name exactly, a role definition id, or "
                                   "declare the custom role")
                    if problem:
                        yield marks.problem(problem, where)
