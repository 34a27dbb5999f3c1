"""Role definitions as the AVM module resolves them.

A role assignment's definition is either a role definition id (the module accepts exactly
`/providers/Microsoft.Authorization/roleDefinitions/<lowercase guid>`) or a role name, which the
module looks up case-sensitively, at apply time, after the subscription exists. vending resolves
both before rendering. The built-in names are the module's own cached list, shipped as
`vending/data/builtin_roles.json` (regenerate with `scripts/builtin-roles`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path

ID_PREFIX = "/providers/Microsoft.Authorization/roleDefinitions/"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID = re.compile(rf"/providers/Microsoft\.Authorization/roleDefinitions/({_GUID})")


@functools.cache
def builtin_roles() -> Mapping[str, str]:
    """Built-in role name -> role definition GUID (lower case)."""
    loaded: dict[str, str] = json.loads((Path(__file__).parent / "data" / "builtin_roles.json")
                                        .read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _folded() -> Mapping[str, str]:
    return {_fold(name): name for name in builtin_roles()}


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def normalize_definition(definition: str) -> str:
    """A role definition id with its GUID in lower case (as the module requires); a name unchanged."""
    match = _ID.fullmatch(definition)
    return ID_PREFIX + match.group(1).lower() if match else definition


def is_definition_id(definition: str) -> bool:
    return _ID.fullmatch(definition) is not None


def definition_problem(definition: str) -> str | None:
    """Why the module (or Azure) would refuse `definition`; None when it is an id or a built-in name.

    A name that is not built in is not a problem here: the repository may allow it (`roles.custom`).
    """
    if is_definition_id(definition):
        return None
    lowered = definition.lower()
    if "/providers/microsoft.authorization/roledefinitions" in lowered or definition.startswith("/"):
        guess = re.search(_GUID, definition)
        hint = f"; did you mean {ID_PREFIX}{guess.group(0).lower()}?" if guess else ""
        return (f"{definition!r} is not a role definition id the module accepts: use exactly "
                f"{ID_PREFIX}<guid> (a scopeless id; the role is assigned at the subscription){hint}")
    if definition in builtin_roles():
        return None
    near = _folded().get(_fold(definition))
    if near is not None:
        return (f"there is no built-in role {definition!r}; did you mean {near!r}? Role names are matched exactly "
                "(case and spaces), and a wrong one fails only at apply, after the subscription is created")
    return None


def is_custom(definition: str) -> bool:
    """A role name that is neither an id nor built in (nor a slip of a built-in name)."""
    return definition_problem(definition) is None and not is_definition_id(definition) \
        and definition not in builtin_roles()


def identity(principal_id: str, definition: str) -> tuple[str, str]:
    """What Azure sees as one role assignment: the principal and the role definition it resolves to."""
    definition = normalize_definition(definition)
    guid = builtin_roles().get(definition)
    return principal_id.lower(), ID_PREFIX + guid if guid else definition
