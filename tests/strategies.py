"""Hypothesis strategies that generate documents valid under a JSON Schema.

Written here rather than taken from hypothesis-jsonschema, which needs an old
hypothesis. They cover the keywords our request schemas use and refuse any
other, so a new keyword in a schema fails loudly instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from vending.validation import ecma_pattern

Schema = Mapping[str, Any]

HANDLED = {
    "$schema", "$id", "$defs", "$ref", "$comment", "title", "description", "examples", "default", "deprecated",
    "type", "enum", "const", "pattern", "format", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "items", "minItems", "maxItems", "uniqueItems",
    "properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties",
}

_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
EMAILS = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.from_regex(r"[A-Za-z0-9._%+-]{1,20}", fullmatch=True),
    st.lists(_label, min_size=1, max_size=2),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)
IPV4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
DATES = st.dates().map(lambda d: d.isoformat())
FORMATS = {"email": EMAILS, "ipv4": IPV4, "date": DATES}


def from_schema(schema: Schema, root: Schema | None = None) -> st.SearchStrategy[Any]:
    root = root if root is not None else schema
    unknown = set(schema) - HANDLED
    if unknown:
        raise NotImplementedError(f"strategy for keywords {sorted(unknown)}")
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return from_schema(target, root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {"type": "string"}), root)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=schema.get("maxItems", 5),
                        unique_by=repr if schema.get("uniqueItems") else None)
    if kind == "object":
        return _object(schema, root)
    raise NotImplementedError(f"strategy for type {kind!r}")


def _string(schema: Schema) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10**6)
    if "format" in schema:
        base = FORMATS[schema["format"]]
    elif "pattern" in schema:
        base = st.from_regex(ecma_pattern(schema["pattern"]))
    else:
        return st.text(min_size=low, max_size=min(high, 40))
    return base.filter(lambda s: low <= len(s) <= high)


def _number(schema: Schema, *, integer: bool) -> st.SearchStrategy[Any]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"] + (1 if integer else 0.01)
    if integer:
        return st.integers(min_value=low, max_value=high)
    return st.one_of(
        st.integers(min_value=None if low is None else int(low) + 1, max_value=high),
        st.floats(min_value=low, max_value=high if high is not None else 1e9, allow_nan=False, allow_infinity=False),
    )


def _object(schema: Schema, root: Schema) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = {name: from_schema(sub, root) for name, sub in properties.items() if name in required}
    optional = {name: from_schema(sub, root) for name, sub in properties.items() if name not in required}
    extra_schema = schema.get("additionalProperties", True)
    extras: st.SearchStrategy[dict[str, Any]] = st.just({})
    if isinstance(extra_schema, Mapping):
        names = _string({"type": "string", **schema.get("propertyNames", {})})
        extras = st.dictionaries(
            names.filter(lambda n: n not in properties), from_schema(extra_schema, root),
            min_size=max(schema.get("minProperties", 0) - len(fixed), 0),
            max_size=min(schema.get("maxProperties", 4), 4))
    return st.builds(lambda a, b, c: {**c, **a, **b}, st.fixed_dictionaries(fixed, optional=optional), st.just({}),
                     extras)
