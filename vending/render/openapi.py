"""Derive a Kubernetes structural schema (OpenAPI v3) from a request JSON Schema.

The request schema stays the single source of truth; the Crossplane XRD is
derived from it. Kubernetes accepts a subset of OpenAPI v3: every node has a
type, no `$ref`, no `additionalProperties: false` (unknown fields are pruned
instead), no `uniqueItems` (lists of scalars become `x-kubernetes-list-type: set`).
Key patterns (`propertyNames`) have no structural equivalent; vending enforces
them before it renders a composite resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vending.errors import Bug
from vending.schemas import resolve_ref

DROPPED = {
    "$schema", "$id", "$defs", "$comment", "title", "examples", "deprecated", "propertyNames", "uniqueItems",
}


def structural(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`schema` as a Kubernetes structural schema (refs resolved against `root`)."""
    root = root if root is not None else schema
    if "$ref" in schema:
        merged = resolve_ref(root, schema)
        if merged is None:
            raise Bug(f"the request schema holds a $ref that does not resolve: {schema['$ref']!r}")
        return structural(merged, root)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED:
            continue
        if key == "properties":
            out["properties"] = {name: structural(sub, root) for name, sub in value.items()}
        elif key == "additionalProperties":
            if isinstance(value, Mapping):
                out["additionalProperties"] = structural(value, root)
        elif key == "items":
            out["items"] = structural(value, root)
        elif key == "exclusiveMinimum":
            out["minimum"] = value
            out["exclusiveMinimum"] = True
        elif key == "exclusiveMaximum":
            out["maximum"] = value
            out["exclusiveMaximum"] = True
        elif key == "const":
            out["enum"] = [value]
        else:
            out[key] = value
    if "enum" in out and "type" not in out:
        out["type"] = "string"
    if schema.get("uniqueItems") and out.get("items", {}).get("type") in ("string", "integer", "number", "boolean"):
        out["x-kubernetes-list-type"] = "set"
    return out
