"""Hypothesis strategies that generate documents meant to be valid under a JSON Schema.

Written here rather than taken from hypothesis-jsonschema, which needs an old
hypothesis. They cover the keywords our request schemas and the compatibility
tests use, and refuse any other, so a new keyword in a schema fails loudly
instead of being ignored. For the combinators (allOf, anyOf, oneOf, not,
if/then/else, contains, dependencies) the documents are a good guess, not a
guarantee: callers that need valid documents filter them with the validator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from vending.validation import ecma_pattern

Schema = Mapping[str, Any]

HANDLED = {
    "$schema", "$id", "$defs", "definitions", "$ref", "$comment", "title", "description", "examples", "default",
    "deprecated",
    "type", "enum", "const", "pattern", "format", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains",
    "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "minProperties",
    "maxProperties", "dependentRequired", "dependentSchemas",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
}
MAX_DEPTH = 4  # below this, recursive schemas stop adding optional parts

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
# Short names, so that a property a later version defines ("b") is also generated as an extra.
EXTRA_NAMES = st.text(alphabet="abxyz", min_size=1, max_size=2)
ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(-1e3, 1e3, allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(EXTRA_NAMES, inner, max_size=3),
    max_leaves=6)

_OBJECT_WORDS = ("properties", "required", "additionalProperties", "patternProperties", "propertyNames",
                 "minProperties", "maxProperties", "dependentRequired", "dependentSchemas")
_ARRAY_WORDS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains")
_STRING_WORDS = ("pattern", "format", "minLength", "maxLength")
_NUMBER_WORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def from_schema(schema: Schema | bool, root: Schema | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    if schema is True:
        return ANY_JSON
    if schema is False:
        return st.nothing()
    assert isinstance(schema, Mapping)
    root = root if root is not None else schema
    unknown = set(schema) - HANDLED
    if unknown:
        raise NotImplementedError(f"strategy for keywords {sorted(unknown)}")
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return from_schema(merge(rest, resolve(root, schema["$ref"])), root, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            merged = merge(merged, resolve(root, part["$ref"]) if "$ref" in part else part)
        return from_schema(merged, root, depth)
    for word in ("anyOf", "oneOf"):
        if word in schema:
            base = {k: v for k, v in schema.items() if k != word}
            return st.one_of([from_schema(merge(base, branch), root, depth) for branch in schema[word]])
    if "if" in schema:
        base = {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
        return st.one_of(from_schema(merge(merge(base, schema["if"]), schema.get("then", {})), root, depth),
                         from_schema(merge(base, schema.get("else", {})), root, depth))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type") or _implied_type(schema)
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, root, depth) for k in kind])
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return _array(schema, root, depth)
    if kind == "object":
        return _object(schema, root, depth)
    if kind is None:
        return ANY_JSON
    raise NotImplementedError(f"strategy for type {kind!r}")


def resolve(root: Schema, ref: str) -> Any:
    target: Any = root
    for part in ref.removeprefix("#").removeprefix("/").split("/") if ref not in ("#", "") else []:
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def merge(base: Schema, extra: Schema | bool) -> dict[str, Any]:
    """Both schemas' keywords in one (a good guess at their conjunction, for generating from)."""
    merged = dict(base)
    if not isinstance(extra, Mapping):
        return merged
    for key, value in extra.items():
        if key == "required" and key in merged:
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key in ("properties", "patternProperties") and key in merged:
            both = dict(merged[key])
            for name, sub in value.items():
                both[name] = merge(both[name], sub) if isinstance(both.get(name), Mapping) else sub
            merged[key] = both
        else:
            merged[key] = value
    return merged


def _implied_type(schema: Schema) -> str | None:
    for kind, words in (("object", _OBJECT_WORDS), ("array", _ARRAY_WORDS), ("string", _STRING_WORDS),
                        ("number", _NUMBER_WORDS)):
        if any(w in schema for w in words):
            return kind
    return None


def _string(schema: Schema) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10**6)
    if "format" in schema and schema["format"] in FORMATS:
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
    if "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"] - (1 if integer else 0.01)
    step = schema.get("multipleOf")
    if integer and isinstance(step, int) and step > 0:
        return st.integers(min_value=None if low is None else -(-low // step),
                           max_value=None if high is None else high // step).map(lambda k: k * step)
    if integer:
        return _integers(low, high)
    return st.one_of(
        _integers(None if low is None else math.floor(low) + 1, None if high is None else math.floor(high)),
        st.floats(min_value=low, max_value=high if high is not None else 1e9, allow_nan=False, allow_infinity=False),
    )


def _integers(low: int | None, high: int | None) -> st.SearchStrategy[int]:
    """Any integer in range, but often one of the few at its low end, where versions tend to differ."""
    wide = st.integers(min_value=low, max_value=high)
    start = -3 if low is None else low
    end = start + 6 if high is None else min(high, start + 6)
    return st.one_of(st.integers(start, end), wide) if start <= end else wide


def _array(schema: Schema, root: Schema, depth: int) -> st.SearchStrategy[list[Any]]:
    low, high = schema.get("minItems", 0), schema.get("maxItems", 5)
    if depth >= MAX_DEPTH:
        high = min(high, low)
    prefix = schema.get("prefixItems", [])
    if not prefix and "contains" not in schema:
        items = from_schema(schema.get("items", {"type": "string"}), root, depth + 1)
        return st.lists(items, min_size=low, max_size=high, unique_by=repr if schema.get("uniqueItems") else None)
    heads = [from_schema(p, root, depth + 1) for p in prefix]
    leading = st.one_of([st.tuples(*heads[:k]).map(list) for k in range(len(heads) + 1)])
    rest_schema = schema.get("items", True)
    rest = st.just([]) if rest_schema is False else st.lists(from_schema(rest_schema, root, depth + 1), max_size=3)
    lists = st.tuples(leading, rest).map(lambda lr: lr[0] + lr[1] if len(lr[0]) == len(prefix) else lr[0])
    if "contains" in schema:
        need = schema.get("minContains", 1)
        matching = st.lists(from_schema(schema["contains"], root, depth + 1), min_size=need, max_size=need + 1)
        lists = st.tuples(lists, matching).map(lambda lm: lm[0] + lm[1])
    return lists.filter(lambda values: low <= len(values) <= high)


def _object(schema: Schema, root: Schema, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = {name: from_schema(sub, root, depth + 1) for name, sub in properties.items() if name in required}
    optional = {name: from_schema(sub, root, depth + 1) for name, sub in properties.items()
                if name not in required and depth < MAX_DEPTH}
    extra_schema = schema.get("additionalProperties", True)
    extras: st.SearchStrategy[dict[str, Any]] = st.just({})
    if isinstance(extra_schema, Mapping):
        names = _string({"type": "string", **schema.get("propertyNames", {})})
        extras = st.dictionaries(
            names.filter(lambda n: n not in properties), from_schema(extra_schema, root, depth + 1),
            min_size=max(schema.get("minProperties", 0) - len(fixed), 0),
            max_size=min(schema.get("maxProperties", 4), 4))
    elif extra_schema is True and depth < MAX_DEPTH:
        extras = st.dictionaries(EXTRA_NAMES.filter(lambda n: n not in properties), ANY_JSON, max_size=2)
    patterned: st.SearchStrategy[dict[str, Any]] = st.just({})
    if schema.get("patternProperties") and depth < MAX_DEPTH:
        patterned = st.fixed_dictionaries({}, optional={
            f"pattern{i}": st.dictionaries(st.from_regex(ecma_pattern(p)), from_schema(sub, root, depth + 1),
                                           max_size=2)
            for i, (p, sub) in enumerate(schema["patternProperties"].items())}).map(
                lambda groups: {k: v for group in groups.values() for k, v in group.items()})
    return st.builds(lambda a, b, c: {**c, **b, **a}, st.fixed_dictionaries(fixed, optional=optional), patterned,
                     extras)
