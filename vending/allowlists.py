"""The allow-lists of vending.yaml (`allowed`): which management groups, locations and role definitions
a request may use, shared and per workload.

A refused value is reported at the request field that names it. Role definitions are compared as Azure
sees them (`roles.identity`): a built-in role named by its id is the same role as by its name, so a deny
of `Owner` cannot be passed by writing Owner's role definition id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vending import roles
from vending.config import CONFIG_FILE, Allowed, AllowList, Config
from vending.errors import Problem
from vending.intake import Accepted
from vending.loader import join_pointer

Fold = Callable[[str], str]


def role_entries(accepted: Accepted) -> list[tuple[str, str]]:
    """(pointer, role definition) of each role assignment, as the request was submitted: a list in 1.x,
    a map of `definition`s in 2.x."""
    data = accepted.document.data.get("roleAssignments")
    if isinstance(data, list):
        return [(f"/roleAssignments/{i}/role", entry["role"]) for i, entry in enumerate(data)]
    return [(join_pointer(join_pointer("/roleAssignments", key), "definition"), entry["definition"])
            for key, entry in (data or {}).items()]


def _role_key(definition: str) -> str:
    return roles.identity("", definition)[1].lower()


def allow_list_problems(accepted: Accepted, config: Config) -> list[Problem]:
    request = accepted.request
    if request.state == "absent":  # a decommission only removes: it must stay possible whatever the lists say
        return []
    layers = [("allowed", config.allowed)]
    workload = config.allowed.per_workload.get(request.workload)
    if workload is not None:
        layers.append((f"allowed.perWorkload.{request.workload}", workload))
    marks = accepted.document.marks
    problems: list[Problem] = []
    for where, allowed in layers:
        for pointer, kind, setting, value, fold in _values(accepted, allowed):
            refusal = _refusal(setting, value, fold)
            if refusal:
                scope = f" for {request.workload} subscriptions" if where != "allowed" else ""
                problems.append(marks.problem(
                    f"{kind} {value!r} is not allowed{scope}: {where}.{refusal} in {CONFIG_FILE}; "
                    "choose another or ask the platform team", pointer))
    return problems


def _values(accepted: Accepted, allowed: Allowed) -> Iterable[tuple[str, str, tuple[str, AllowList], str, Fold]]:
    request = accepted.request
    yield ("/managementGroup", "management group", ("managementGroups", allowed.management_groups),
           request.management_group, str.casefold)
    yield "/location", "location", ("locations", allowed.locations), request.location, str.casefold
    for pointer, definition in role_entries(accepted):
        yield pointer, "role", ("roles", allowed.roles), definition, _role_key


def _refusal(setting: tuple[str, AllowList], value: str, fold: Fold) -> str | None:
    """Why `value` fails the list (`key` plus what it says), or None when it passes."""
    key, rules = setting
    if any(fold(item) == fold(value) for item in rules.deny):
        return f"{key} denies it ({', '.join(rules.deny)})"
    if rules.allow is not None and not any(fold(item) == fold(value) for item in rules.allow):
        return f"{key} allows only {', '.join(rules.allow) or 'none'}"
    return None
