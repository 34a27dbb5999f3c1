"""The network name templates of `vending.yaml`, held to what they become: Azure resource names.

`network.virtualNetworkName` and `network.resourceGroupName` are filled with a request's `name` and
`location`. As Python format strings they could reach attributes (`{name.__len__}` printed a memory
address into the output), pad without bound (`{name:>300000000}`: a 300 MB file) or crash
(`{name.__class__.__x__}`), so a template may only hold `{name}` and `{location}`, bare, between
characters Azure allows. What a template makes of a long request name can still be too long for
Azure; that is refused on the request, pointing at its name.

Azure's rules (Microsoft.Network/virtualNetworks, Microsoft.Resources/resourceGroups):
- virtual network: 2-64 characters: letters, digits, `_`, `.`, `-`; starts with a letter or digit,
  ends with a letter, digit or `_`;
- resource group: 1-90 characters: letters, digits, `_`, `(`, `)`, `.`, `-`; does not end with `.`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from vending.errors import Problem
from vending.loader import Marks


@dataclass(frozen=True)
class NameRule:
    what: str
    pattern: re.Pattern[str]
    characters: str
    longest: int


RULES = {
    "virtualNetworkName": NameRule("virtual network", re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]"),
                                   "letters, digits, '_', '.' and '-', starting with a letter or digit and "
                                   "ending with a letter, digit or '_'", 64),
    "resourceGroupName": NameRule("resource group", re.compile(r"[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]"),
                                  "letters, digits, '_', '(', ')', '.' and '-', not ending with '.'", 90),
}
FIELDS = frozenset({"name", "location"})


def fill(template: str, name: str, location: str) -> str:
    """`template` with its `{name}` and `{location}` filled (only once its fields are known to be bare)."""
    return template.format(name=name, location=location)


def template_problems(doc: Mapping[str, object], marks: Marks) -> Iterator[Problem]:
    """Problems of `vending.yaml`'s network name templates."""
    network = doc.get("network")
    if not isinstance(network, Mapping):
        return
    for key, rule in RULES.items():
        template = network.get(key)
        if not isinstance(template, str):
            continue
        pointer = f"/network/{key}"
        try:
            fields = [(field, spec, conversion) for _, field, spec, conversion in string.Formatter().parse(template)
                      if field is not None]
        except ValueError as exc:
            yield marks.problem(f"the name template {template!r} is not a template ({exc}); write {{name}} and "
                                "{location} where they go, and {{ or }} for a brace", pointer)
            continue
        bad = [f"{{{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
               for field, spec, conversion in fields if field not in FIELDS or spec or conversion]
        if bad:
            yield marks.problem(f"the name template {template!r} may only use {{name}} and {{location}}, as they "
                                f"are (not {', '.join(bad)})", pointer)
            continue
        sample = fill(template, "ab", "uksouth")
        if not rule.pattern.fullmatch(sample):
            yield marks.problem(f"the name template {template!r} makes names such as {sample!r}, which Azure does not "
                                f"allow as a {rule.what} name: it takes {rule.characters}", pointer)


def network_name_problems(template: str, key: str, name: str, location: str) -> str | None:
    """Why the name `template` makes for a request is not an Azure name, or None."""
    rule = RULES[key]
    made = fill(template, name, location)
    if len(made) > rule.longest:
        return (f"the {rule.what} name vending.yaml's template {template!r} makes of this name, {made!r}, is "
                f"{len(made)} characters; Azure allows at most {rule.longest}: choose a name "
                f"{len(made) - rule.longest} characters shorter")
    if not rule.pattern.fullmatch(made):
        return f"the {rule.what} name {made!r} is not one Azure allows: it takes {rule.characters}"
    return None
