"""A document with the `default`s of its schema filled in: what a request means, written out in full."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def with_defaults(document: Any, schema: Mapping[str, Any]) -> Any:
    """A copy of `document` where every absent property whose schema has a `default` holds it (through
    local `$ref`s, `properties`, `additionalProperties` and `items`; alternatives of `oneOf`/`anyOf` are
    left alone: which one applies is not known here)."""
    return _fill(copy.deepcopy(document), schema, schema)


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while "$ref" in node and str(node["$ref"]).startswith("#/") and seen < 32:
        target: Any = root
        for token in str(node["$ref"])[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
    return node


def _fill(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    schema = _resolve(schema, root)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, declared in properties.items():
            sub = _resolve(declared, root)
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        extra = schema.get("additionalProperties")
        for key in value:
            if key in properties:
                value[key] = _fill(value[key], properties[key], root)
            elif isinstance(extra, Mapping):
                value[key] = _fill(value[key], extra, root)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_fill(item, schema["items"], root) for item in value]
    return value
