"""Hand-made schema evolutions, one or two per keyword, with the bump each needs.

Shared by the rule tests (the checker must find the bump) and the soundness
test (documents generated from OLD must stay valid under NEW unless the bump is
major, and a breaking document must be found when it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vending.schemadiff.change import Bump

Schema = dict[str, Any]
D = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Evolution:
    name: str
    old: Schema
    new: Schema
    bump: Bump
    kinds: frozenset[str] = frozenset()
    """Kinds the diff must report (a subset of what it reports)."""
    breaks_documents: bool = True
    """For major: whether some document valid under OLD is invalid under NEW (not so for a changed default)."""


def closed(properties: Schema, required: tuple[str, ...] = (), **more: Any) -> Schema:
    return {"$schema": D, "type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False, **more}


S = {"type": "string"}
NAME = {"type": "string", "pattern": "^[a-z]+$", "maxLength": 20}
TREE_OLD: Schema = {
    "$schema": D, "$ref": "#/$defs/node",
    "$defs": {"node": {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
        "name": {"type": "string", "maxLength": 10},
        "children": {"type": "array", "maxItems": 3, "items": {"$ref": "#/$defs/node"}}}}},
}


def tree(max_length: int) -> Schema:
    return {**TREE_OLD, "$defs": {"node": {**TREE_OLD["$defs"]["node"], "properties": {
        **TREE_OLD["$defs"]["node"]["properties"], "name": {"type": "string", "maxLength": max_length}}}}}


EVOLUTIONS: list[Evolution] = [
    # strings
    Evolution("maxLength raised", closed({"a": {"type": "string", "maxLength": 10}}),
              closed({"a": {"type": "string", "maxLength": 20}}), Bump.MINOR, frozenset({"maxLength.increased"})),
    Evolution("maxLength lowered", closed({"a": {"type": "string", "maxLength": 20}}),
              closed({"a": {"type": "string", "maxLength": 10}}), Bump.MAJOR, frozenset({"maxLength.decreased"})),
    Evolution("minLength added", closed({"a": S}), closed({"a": {"type": "string", "minLength": 3}}),
              Bump.MAJOR, frozenset({"minLength.added"})),
    Evolution("pattern changed", closed({"a": {"type": "string", "pattern": "^[a-z]+$"}}),
              closed({"a": {"type": "string", "pattern": "^[a-c]+$"}}), Bump.MAJOR, frozenset({"pattern.changed"})),
    Evolution("pattern removed", closed({"a": NAME}), closed({"a": {"type": "string", "maxLength": 20}}),
              Bump.MINOR, frozenset({"pattern.removed"})),
    Evolution("format added", closed({"a": S}), closed({"a": {"type": "string", "format": "email"}}),
              Bump.MAJOR, frozenset({"format.added"})),
    # numbers
    Evolution("minimum lowered", closed({"n": {"type": "integer", "minimum": 5}}),
              closed({"n": {"type": "integer", "minimum": 0}}), Bump.MINOR, frozenset({"minimum.decreased"})),
    Evolution("exclusiveMaximum tightened", closed({"n": {"type": "number", "exclusiveMaximum": 100}}),
              closed({"n": {"type": "number", "exclusiveMaximum": 50}}), Bump.MAJOR),
    Evolution("integer bound respelled", closed({"n": {"type": "integer", "exclusiveMinimum": 0}}),
              closed({"n": {"type": "integer", "minimum": 1}}), Bump.PATCH, frozenset({"refactor"})),
    Evolution("multipleOf coarser", closed({"n": {"type": "integer", "multipleOf": 5}}),
              closed({"n": {"type": "integer", "multipleOf": 10}}), Bump.MAJOR, frozenset({"multipleOf.increased"})),
    Evolution("multipleOf finer", closed({"n": {"type": "integer", "multipleOf": 10}}),
              closed({"n": {"type": "integer", "multipleOf": 5}}), Bump.MINOR),
    Evolution("type narrowed", closed({"n": {"type": "number"}}), closed({"n": {"type": "integer"}}),
              Bump.MAJOR, frozenset({"type.changed"})),
    Evolution("type widened", closed({"n": {"type": "integer"}}), closed({"n": {"type": ["integer", "string"]}}),
              Bump.MINOR, frozenset({"type.changed"})),
    # enum and const
    Evolution("enum extended", closed({"e": {"enum": ["a", "b"]}}), closed({"e": {"enum": ["a", "b", "c"]}}),
              Bump.MINOR, frozenset({"enum.changed"})),
    Evolution("enum narrowed", closed({"e": {"enum": ["a", "b", "c"]}}), closed({"e": {"enum": ["a", "b"]}}),
              Bump.MAJOR, frozenset({"enum.changed"})),
    Evolution("const changed", closed({"k": {"const": "v1"}}, ("k",)), closed({"k": {"const": "v2"}}, ("k",)),
              Bump.MAJOR, frozenset({"const.changed"})),
    # objects
    Evolution("optional property added to a closed object", closed({"a": S}), closed({"a": S, "b": S}),
              Bump.MINOR, frozenset({"property.added"})),
    Evolution("property removed from a closed object", closed({"a": S, "b": S}), closed({"a": S}),
              Bump.MAJOR, frozenset({"property.removed"})),
    Evolution("constrained property added to an open object", {"type": "object", "properties": {"a": S}},
              {"type": "object", "properties": {"a": S, "b": {"type": "integer"}}}, Bump.MAJOR,
              frozenset({"property.added"})),
    Evolution("required added", closed({"a": S, "b": S}, ("a",)), closed({"a": S, "b": S}, ("a", "b")),
              Bump.MAJOR, frozenset({"required.added"})),
    Evolution("required added even with a default", closed({"a": S, "b": S}, ("a",)),
              closed({"a": S, "b": {"type": "string", "default": "x"}}, ("a", "b")), Bump.MAJOR,
              frozenset({"required.added", "default.added"})),
    Evolution("required dropped", closed({"a": S, "b": S}, ("a", "b")), closed({"a": S, "b": S}, ("a",)),
              Bump.MINOR, frozenset({"required.removed"})),
    Evolution("additionalProperties relaxed", closed({"a": S}),
              {**closed({"a": S}), "additionalProperties": {"type": "integer"}}, Bump.MINOR,
              frozenset({"additionalProperties.changed"})),
    Evolution("map values tightened", {"type": "object", "additionalProperties": {"type": "string", "maxLength": 8}},
              {"type": "object", "additionalProperties": {"type": "string", "maxLength": 4}}, Bump.MAJOR,
              frozenset({"maxLength.decreased"})),
    Evolution("patternProperties added to a closed object", closed({"a": S}),
              {**closed({"a": S}), "patternProperties": {"^x-": {"type": "string"}}}, Bump.MINOR),
    Evolution("propertyNames tightened",
              {"type": "object", "propertyNames": {"maxLength": 8}, "additionalProperties": {"type": "integer"}},
              {"type": "object", "propertyNames": {"maxLength": 2}, "additionalProperties": {"type": "integer"}},
              Bump.MAJOR, frozenset({"maxLength.decreased"})),
    Evolution("maxProperties raised", {"type": "object", "maxProperties": 3, "additionalProperties": S},
              {"type": "object", "maxProperties": 6, "additionalProperties": S}, Bump.MINOR,
              frozenset({"maxProperties.increased"})),
    Evolution("minProperties raised", {"type": "object", "minProperties": 1, "additionalProperties": S},
              {"type": "object", "minProperties": 2, "additionalProperties": S}, Bump.MAJOR),
    Evolution("dependentRequired added", closed({"a": S, "b": S}),
              {**closed({"a": S, "b": S}), "dependentRequired": {"a": ["b"]}}, Bump.MAJOR,
              frozenset({"dependentRequired.added"})),
    Evolution("dependentSchemas removed", {**closed({"a": S, "b": S}), "dependentSchemas": {"a": {"required": ["b"]}}},
              closed({"a": S, "b": S}), Bump.MINOR),
    # arrays
    Evolution("items widened", closed({"l": {"type": "array", "items": {"type": "integer"}}}),
              closed({"l": {"type": "array", "items": {"type": ["integer", "string"]}}}), Bump.MINOR),
    Evolution("maxItems lowered", closed({"l": {"type": "array", "maxItems": 5, "items": S}}),
              closed({"l": {"type": "array", "maxItems": 2, "items": S}}), Bump.MAJOR),
    Evolution("uniqueItems added", closed({"l": {"type": "array", "items": {"enum": [1, 2]}}}),
              closed({"l": {"type": "array", "items": {"enum": [1, 2]}, "uniqueItems": True}}), Bump.MAJOR,
              frozenset({"uniqueItems.added"})),
    Evolution("tuple gains a position", closed({"t": {"type": "array", "prefixItems": [S], "items": False}}),
              closed({"t": {"type": "array", "prefixItems": [S, {"type": "integer"}], "items": False}}), Bump.MINOR),
    Evolution("tuple position changed", closed({"t": {"type": "array", "prefixItems": [S, S], "items": False}}),
              closed({"t": {"type": "array", "prefixItems": [S, {"type": "integer"}], "items": False}}), Bump.MAJOR),
    Evolution("contains added", closed({"l": {"type": "array", "items": {"enum": [1, 2, 3]}}}),
              closed({"l": {"type": "array", "items": {"enum": [1, 2, 3]}, "contains": {"const": 1}}}), Bump.MAJOR,
              frozenset({"contains.added"})),
    Evolution("minContains lowered",
              closed({"l": {"type": "array", "items": {"enum": [1, 2]}, "contains": {"const": 1}, "minContains": 2}}),
              closed({"l": {"type": "array", "items": {"enum": [1, 2]}, "contains": {"const": 1}}}), Bump.MINOR),
    # references and recursion
    Evolution("subschema moved behind $defs", closed({"a": NAME, "b": NAME}),
              {**closed({"a": {"$ref": "#/$defs/name"}, "b": {"$ref": "#/$defs/name"}}), "$defs": {"name": NAME}},
              Bump.PATCH, frozenset({"refactor"})),
    Evolution("recursive node loosened", tree(10), tree(20), Bump.MINOR),
    Evolution("recursive node tightened", tree(10), tree(5), Bump.MAJOR, frozenset({"maxLength.decreased"})),
    # combinators
    Evolution("anyOf gains a branch", closed({"v": {"anyOf": [{"type": "integer"}, S]}}),
              closed({"v": {"anyOf": [{"type": "integer"}, S, {"type": "boolean"}]}}), Bump.MINOR),
    Evolution("anyOf loses a branch", closed({"v": {"anyOf": [{"type": "integer"}, S]}}),
              closed({"v": {"anyOf": [{"type": "integer"}]}}), Bump.MAJOR),
    Evolution("oneOf discriminated, gains a branch",
              closed({"v": {"oneOf": [closed({"kind": {"const": "a"}, "x": S}, ("kind",)),
                                      closed({"kind": {"const": "b"}, "y": {"type": "integer"}}, ("kind",))]}}),
              closed({"v": {"oneOf": [closed({"kind": {"const": "a"}, "x": S}, ("kind",)),
                                      closed({"kind": {"const": "b"}, "y": {"type": "integer"}}, ("kind",)),
                                      closed({"kind": {"const": "c"}}, ("kind",))]}}), Bump.MINOR),
    Evolution("allOf split out", closed({"a": {"type": "string", "maxLength": 5}}),
              closed({"a": {"allOf": [S, {"maxLength": 5}]}}), Bump.PATCH, frozenset({"refactor"})),
    Evolution("not excludes less", closed({"v": {"type": ["integer", "string"], "not": {"enum": [0, 1, "x"]}}}),
              closed({"v": {"type": ["integer", "string"], "not": {"enum": [0]}}}), Bump.MINOR),
    Evolution("not excludes more", closed({"v": {"type": ["integer", "string"], "not": {"enum": [0]}}}),
              closed({"v": {"type": ["integer", "string"], "not": {"enum": [0, 1, "x"]}}}), Bump.MAJOR),
    Evolution("if/then loosened",
              {**closed({"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}}, ("kind",)),
               "if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["n"]}},
              {**closed({"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}}, ("kind",)),
               "if": {"properties": {"kind": {"const": "a"}}}, "then": {}}, Bump.MINOR),
    Evolution("if/then tightened",
              closed({"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}}, ("kind",)),
              {**closed({"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}}, ("kind",)),
               "if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["n"]}}, Bump.MAJOR),
    # defaults and annotations
    Evolution("default changed", closed({"s": {"enum": ["on", "off"], "default": "on"}}),
              closed({"s": {"enum": ["on", "off"], "default": "off"}}), Bump.MAJOR, frozenset({"default.changed"}),
              breaks_documents=False),
    Evolution("default added to an existing property", closed({"s": {"enum": ["on", "off"]}}),
              closed({"s": {"enum": ["on", "off"], "default": "off"}}), Bump.MAJOR, frozenset({"default.added"}),
              breaks_documents=False),
    Evolution("new optional property with a default", closed({"a": S}),
              closed({"a": S, "s": {"enum": ["on", "off"], "default": "on"}}), Bump.MINOR,
              frozenset({"property.added"})),
    Evolution("annotations only", closed({"a": S}),
              {**closed({"a": {**S, "description": "A.", "examples": ["x"], "deprecated": True}}), "title": "T",
               "$comment": "c"}, Bump.PATCH, frozenset({"description.added", "title.added", "$comment.added"})),
    Evolution("key order only", closed({"a": S, "b": {"type": "integer", "minimum": 0}}),
              {"additionalProperties": False, "required": [], "type": "object", "$schema": D,
               "properties": {"b": {"minimum": 0, "type": "integer"}, "a": S}}, Bump.NONE),
]
