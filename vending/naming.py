"""Names vending derives from `vending.yaml` templates, and Azure's rules for them.

A template is text with placeholders and nothing else: `{name}`, `{location}`, `{environment}`
(the workload's path segment). No format specs, attributes, indexes or other braces, so a
configuration can never make vending evaluate anything. It is a strict subset of Python's
`str.format` syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = ("name", "location", "environment")
_PARTS = re.compile(r"(\{[^{}]*\})")

# Azure's naming rules (Microsoft.Network/virtualNetworks, Microsoft.Resources/resourceGroups), which are
# stricter than the module's own checks (modules/virtual-network/variables.tf: ^[\w-_.]{2,64}$;
# modules/resource-group/variables.tf: not blank; nested/vnet: no "/" in the group's name).
_VNET = re.compile(r"[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?", re.ASCII)
_RESOURCE_GROUP = re.compile(r"[-\w.()]+")  # \w with Unicode: letters and digits of any script, and _

RULES = {
    "virtualNetworkName": "virtual network names are 2-64 characters: letters, digits, _ . -, starting with a "
                          "letter or digit and ending with a letter, digit or _",
    "resourceGroupName": "resource group names are 1-90 characters: letters, digits, _ . - ( ), not ending with .",
}


def template_problem(template: str) -> str | None:
    """Why `template` is not a name template; None when it is one."""
    for part in _PARTS.split(template):
        if part.startswith("{") and part.endswith("}"):
            if part[1:-1] not in PLACEHOLDERS:
                return (f"{part} is not a placeholder; a name template may use only "
                        f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
        elif "{" in part or "}" in part:
            return "a name template may contain braces only around a placeholder such as {name}"
    return None


def expand(template: str, fields: Mapping[str, str]) -> str:
    """`template` with its placeholders replaced (the template must be valid)."""
    return "".join(fields[part[1:-1]] if part.startswith("{") and part.endswith("}") else part
                   for part in _PARTS.split(template))


def name_problem(kind: str, name: str) -> str | None:
    """Why Azure refuses `name` for a resource of `kind` (a key of RULES); None when it accepts it."""
    if kind == "virtualNetworkName":
        ok = 2 <= len(name) <= 64 and _VNET.fullmatch(name) is not None
    else:
        ok = 1 <= len(name) <= 90 and _RESOURCE_GROUP.fullmatch(name) is not None and not name.endswith(".")
    return None if ok else RULES[kind]
