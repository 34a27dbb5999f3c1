"""Random single edits of a schema: changes nobody designed for the checker, to test its soundness on."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

BOUNDS = {
    "string": ("minLength", "maxLength"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}
ALL_BOUNDS = {word for words in BOUNDS.values() for word in words}


def subschemas(schema: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if not isinstance(schema, dict):
        return
    yield path, schema
    for word in ("properties", "$defs", "patternProperties"):
        for name, sub in (schema.get(word) or {}).items():
            yield from subschemas(sub, (*path, word, name))
    for word in ("additionalProperties", "items", "propertyNames", "not", "contains"):
        yield from subschemas(schema.get(word), (*path, word))
    for word in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for index, sub in enumerate(schema.get(word) or []):
            yield from subschemas(sub, (*path, word, index))


def _edits(node: dict[str, Any]) -> list[tuple[Any, ...]]:
    kind = node.get("type")
    edits: list[tuple[Any, ...]] = [("wrap-anyOf-null",), ("and-maxLength",), ("not-const",)]
    for word in ALL_BOUNDS & node.keys():
        edits += [("shift", word, -3), ("shift", word, -1), ("shift", word, 1), ("shift", word, 2), ("drop", word)]
    if isinstance(kind, str):
        edits += [("bound", word, value) for word in BOUNDS.get(kind, ()) if word not in node for value in (1, 3, 10)]
        edits += [("type-or-null",), ("type-integer",)]
    if kind == "string":
        edits += [("format",), ("pattern",)]
    if kind == "array":
        edits.append(("toggle-unique",))
    if kind == "object" and "additionalProperties" not in node:
        edits.append(("close",))
    if "additionalProperties" in node:
        edits += [("open",), ("close",), ("string-extras",)]
    if "enum" in node:
        edits += [("enum-drop",), ("enum-add",)]
    if "properties" in node:
        edits += [("require",), ("property-drop",), ("property-add",)]
    if node.get("required"):
        edits.append(("unrequire",))
    edits += [("drop", w) for w in ("pattern", "format") if w in node]
    if "default" in node:
        edits.append(("default",))
    if "$ref" in node:
        edits.append(("inline",))
    return edits


def mutate(schema: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    """`schema` with one random edit, and what the edit was."""
    new = copy.deepcopy(schema)
    places = list(subschemas(new))
    while True:
        path, node = rng.choice(places)
        edit = rng.choice(_edits(node))
        if _apply(new, node, edit, rng):
            return new, f"{'/'.join(map(str, path)) or '(root)'}: {' '.join(map(str, edit))}"


def _apply(root: dict[str, Any], node: dict[str, Any], edit: tuple[Any, ...], rng: random.Random) -> bool:
    name = edit[0]
    if name == "shift":
        value = node[edit[1]] + edit[2]
        if (value <= 0 and edit[1] == "multipleOf") or (value < 0 and edit[1] not in ("minimum", "maximum")):
            return False
        node[edit[1]] = value
    elif name == "drop":
        del node[edit[1]]
    elif name == "bound":
        node[edit[1]] = edit[2]
    elif name == "type-or-null":
        node["type"] = [node["type"], "null"]
    elif name == "type-integer":
        node["type"] = "integer"
    elif name == "format":
        node["format"] = rng.choice(["email", "ipv4", "date"])
    elif name == "pattern":
        node["pattern"] = rng.choice(["^[a-z]+$", "^[a-z0-9-]+$", "^.+$"])
    elif name == "toggle-unique":
        node["uniqueItems"] = not node.get("uniqueItems", False)
    elif name == "open":
        del node["additionalProperties"]
    elif name == "close":
        node["additionalProperties"] = False
    elif name == "string-extras":
        node["additionalProperties"] = {"type": "string"}
    elif name == "enum-drop":
        if len(node["enum"]) < 2:
            return False
        node["enum"] = node["enum"][:-1]
    elif name == "enum-add":
        node["enum"] = [*node["enum"], "zzz"]
    elif name == "require":
        optional = [p for p in node["properties"] if p not in node.get("required", [])]
        if not optional:
            return False
        node["required"] = [*node.get("required", []), rng.choice(optional)]
    elif name == "unrequire":
        node["required"] = node["required"][1:]
    elif name == "property-drop":
        if not node["properties"]:
            return False
        victim = rng.choice(sorted(node["properties"]))
        del node["properties"][victim]
        node["required"] = [r for r in node.get("required", []) if r != victim]
    elif name == "property-add":
        node["properties"]["zz"] = rng.choice([{"type": "string"}, {"type": "integer", "minimum": 0}, {"enum": ["a"]}])
    elif name == "default":
        node["default"] = "zzz"
    elif name == "inline":
        target: Any = root
        for part in node.pop("$ref")[2:].split("/"):
            target = target[part]
        for key, value in copy.deepcopy(target).items():
            node.setdefault(key, value)
    else:
        inner = copy.deepcopy(node)
        node.clear()
        if name == "wrap-anyOf-null":
            node["anyOf"] = [inner, {"type": "null"}]
        elif name == "and-maxLength":
            node["allOf"] = [inner, {"maxLength": 3}]
        else:
            node.update(inner, **{"not": {"const": rng.choice(["a", 1, "payments-prod"])}})
    return True
