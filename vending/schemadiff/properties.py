"""Every property a schema declares, by a pointer into the documents it accepts.

`/budgets/*/amount` is the `amount` of any budget: `*` stands for any key of a map
(`additionalProperties`) or any item of a list (`items`). Local `$ref`s are followed;
each property is listed once, at its first (shortest) pointer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vending.loader import escape_pointer_token

ANY = "*"
"""The token for any key of a map or any item of a list."""
MAX_DEPTH = 16
"""Deeper than any request needs; stops a schema that refers to itself."""


@dataclass(frozen=True)
class Property:
    pointer: str
    """`/network/addressSpace`, `/budgets/*/amount`."""
    tokens: tuple[str, ...]
    schema: Mapping[str, Any]
    """The property's own subschema, its local `$ref`s followed."""
    required: bool
    """Whether the object that holds it requires it."""


def properties(schema: Mapping[str, Any]) -> list[Property]:
    """Every property `schema` declares, in schema order, parents before their children."""
    return list(_walk(schema, _resolved(schema, schema), ()))


def _walk(root: Mapping[str, Any], node: Mapping[str, Any], tokens: tuple[str, ...]) -> Iterator[Property]:
    if len(tokens) > MAX_DEPTH:
        return
    declared = node.get("properties")
    required = node.get("required", [])
    if isinstance(declared, Mapping):
        for name, child in declared.items():
            if not isinstance(child, Mapping):
                continue
            resolved = _resolved(root, child)
            here = (*tokens, name)
            yield Property(_pointer(here), here, resolved, isinstance(required, list) and name in required)
            yield from _walk(root, resolved, here)
    for word in ("additionalProperties", "items"):
        child = node.get(word)
        if isinstance(child, Mapping):
            yield from _walk(root, _resolved(root, child), (*tokens, ANY))


def _resolved(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node` with its local `$ref` (`#/...`) merged in, as far as one can be followed."""
    seen: set[str] = set()
    while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and node["$ref"] not in seen:
        seen.add(node["$ref"])
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            name = part.replace("~1", "/").replace("~0", "~")
            target = target.get(name) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            break
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _pointer(tokens: tuple[str, ...]) -> str:
    return "".join("/" + (token if token == ANY else escape_pointer_token(token)) for token in tokens)
