"""A schema document as the comparison sees it: normalised, with `$ref`s resolvable.

A schema is compared as a conjunction of *nodes*: subschemas, each located by a
JSON pointer in its document. `expand` flattens `$ref` and `allOf` into that
conjunction, so a subschema moved behind `$defs` compares equal to itself.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from vending.loader import Json, escape_pointer_token
from vending.validation import FORMATS, EcmaValidator, compiled

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords whose value is one subschema, a map of subschemas, or a list of them.
SCHEMA_VALUED = frozenset({
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
    "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema",
})
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})

ANNOTATIONS = frozenset({
    "title", "description", "examples", "deprecated", "$comment", "readOnly", "writeOnly",
    "contentMediaType", "contentEncoding", "contentSchema", "$id", "id", "$schema", "$vocabulary",
})
ASSERTIONS = frozenset({
    "type", "enum", "const", "minLength", "maxLength", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minItems", "maxItems", "uniqueItems", "prefixItems", "items", "contains", "minContains", "maxContains",
    "minProperties", "maxProperties", "required", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "dependentRequired", "dependentSchemas",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "$ref", "$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems",
})
def canonical(value: Json) -> str:
    """Key order does not count; booleans and numbers stay distinct (`true` is not `1`)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def child_pointer(pointer: str, *tokens: str | int) -> str:
    for token in tokens:
        pointer = f"{pointer}/{escape_pointer_token(token)}"
    return pointer


def schema_children(schema: Json, pointer: str) -> Iterator[tuple[str, str, Json]]:
    """(keyword, pointer, subschema) of every subschema directly inside `schema`."""
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        if key in SCHEMA_VALUED and isinstance(value, Mapping | bool):
            yield key, child_pointer(pointer, key), value
        elif key in SCHEMA_MAPS and isinstance(value, Mapping):
            for name, sub in value.items():
                yield key, child_pointer(pointer, key, name), sub
        elif (key in SCHEMA_LISTS or key == "items") and isinstance(value, list):
            for index, sub in enumerate(value):
                yield key, child_pointer(pointer, key, index), sub


def _subschemas(root: Json) -> Iterator[tuple[str, Json]]:
    """(pointer, subschema) of `root` and every subschema in it."""
    stack: list[tuple[str, Json]] = [("", root)]
    while stack:
        pointer, schema = stack.pop()
        yield pointer, schema
        stack.extend((p, s) for _, p, s in schema_children(schema, pointer))


# --- documents and nodes -----------------------------------------------------------------------

class Doc:
    """One whole (normalised) schema document: `$ref`s resolve in it, values validate against it."""

    def __init__(self, side: str, root: Json) -> None:
        self.side = side
        self.root = root
        # A nested $id starts a resource of its own, in which "#/..." means something else: such
        # references are left unresolved (so unproven) rather than resolved against the wrong root.
        self.nested_ids = any(isinstance(s, Mapping) and "$id" in s for p, s in _subschemas(root) if p)
        self._anchors: dict[str, str] | None = None
        self._validator: Any = None
        self._node_validators: dict[tuple[object, ...], Any] = {}

    @property
    def node(self) -> Node:
        return Node(self, "", self.root)

    def resolve(self, ref: object) -> Node | None:
        """The subschema a local `$ref` names, or None (remote, or pointing nowhere)."""
        if not isinstance(ref, str) or self.nested_ids:
            return None
        base, _, fragment = ref.partition("#")
        if base and not (isinstance(self.root, Mapping) and base == self.root.get("$id")):
            return None
        fragment = urllib.parse.unquote(fragment)
        if fragment and not fragment.startswith("/"):
            pointer = self.anchors().get(fragment)
            return None if pointer is None else self.at(pointer)
        return self.at(fragment)

    def at(self, pointer: str) -> Node | None:
        target: Json = self.root
        for raw in pointer.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(target, Mapping) and token in target:
                target = target[token]
            elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                target = target[int(token)]
            else:
                return None
        if not isinstance(target, Mapping | bool):
            return None
        return Node(self, pointer, target)

    def anchors(self) -> dict[str, str]:
        if self._anchors is None:
            found: dict[str, str] = {}
            for pointer, schema in _subschemas(self.root):
                for word in ("$anchor", "$dynamicAnchor"):
                    if isinstance(schema, Mapping) and isinstance(schema.get(word), str):
                        found.setdefault(schema[word], pointer)
            self._anchors = found
        return self._anchors

    def _validator_for(self, node: Node) -> Any:
        if self._validator is None:
            root = dict(self.root, **{"$schema": DRAFT_2020_12}) if isinstance(self.root, Mapping) else self.root
            self._validator = EcmaValidator(root, format_checker=FORMATS)
        if node.pointer == "" and node.schema is self.root:
            return self._validator
        if node.key not in self._node_validators:
            self._node_validators[node.key] = self._validator.evolve(schema=node.schema)
        return self._node_validators[node.key]

    def errors(self, value: Json, node: Node) -> list[ValidationError] | None:
        """Why `value` is invalid under `node`: empty when valid, None when the validator cannot tell."""
        try:
            return list(self._validator_for(node).iter_errors(value))
        except (Unresolvable, ValueError, TypeError, RecursionError):
            return None

    def valid(self, value: Json, node: Node | None = None) -> bool | None:
        errors = self.errors(value, node or self.node)
        return None if errors is None else not errors


@dataclass(frozen=True)
class Node:
    """A subschema at `pointer` of `doc`; `schema` may be part of the object there (see `expand`)."""

    doc: Doc
    pointer: str
    schema: Json

    @property
    def key(self) -> tuple[object, ...]:
        keys = tuple(sorted(self.schema)) if isinstance(self.schema, Mapping) else (self.schema,)
        return (self.doc.side, self.pointer, keys)

    def get(self, word: str, default: Any = None) -> Any:
        return self.schema.get(word, default) if isinstance(self.schema, Mapping) else default

    def has(self, word: str) -> bool:
        return isinstance(self.schema, Mapping) and word in self.schema

    def child(self, *tokens: str | int) -> Node:
        value: Any = self.schema
        for token in tokens:
            value = value[token]
        return Node(self.doc, child_pointer(self.pointer, *tokens), value)

    def without(self, *words: str) -> Node:
        assert isinstance(self.schema, Mapping)
        return Node(self.doc, self.pointer, {k: v for k, v in self.schema.items() if k not in words})


def is_false(schema: Json) -> bool:
    if schema is False:
        return True
    if not isinstance(schema, Mapping):
        return False
    negated = schema.get("not")
    return negated is True or (isinstance(negated, Mapping) and not (negated.keys() & ASSERTIONS)) or (
        schema.get("enum") == [] or schema.get("type") == [])


def is_trivial(schema: Json) -> bool:
    """Accepts every instance on its own (`true`, `{}`, annotations only)."""
    if schema is True:
        return True
    if not isinstance(schema, Mapping):
        return False
    words = schema.keys() & ASSERTIONS
    if "contains" not in schema:
        words -= {"minContains", "maxContains"}
    if "if" not in schema:
        words -= {"then", "else"}
    return all(_trivially_true(word, schema[word]) for word in words)


def _trivially_true(word: str, value: Json) -> bool:
    if word in ("properties", "patternProperties", "dependentSchemas"):
        return isinstance(value, Mapping) and all(is_trivial(v) for v in value.values())
    if word in ("additionalProperties", "items", "propertyNames", "unevaluatedProperties", "unevaluatedItems"):
        return is_trivial(value)
    if word in ("allOf", "prefixItems"):
        return isinstance(value, list) and all(is_trivial(v) for v in value)
    if word in ("required", "dependentRequired"):
        return not value
    if word in ("minLength", "minItems", "minProperties"):
        return bool(value == 0)
    if word == "uniqueItems":
        return value is False
    return word == "if"  # without then/else (dropped above) `if` asserts nothing


def expand(nodes: Iterable[Node]) -> tuple[Node, ...]:
    """The conjunction `nodes` with every `$ref` and `allOf` flattened into it, `true` dropped.

    A reference met twice at the same place adds nothing (A and A is A), so
    recursion through `$ref` cannot loop here.
    """
    out: list[Node] = []
    seen: set[tuple[object, ...]] = set()
    queue = deque(nodes)
    while queue:
        node = queue.popleft()
        if node.key in seen:
            continue
        seen.add(node.key)
        schema = node.schema
        if schema is True or not isinstance(schema, Mapping | bool):
            continue
        if isinstance(schema, Mapping):
            target = node.doc.resolve(schema["$ref"]) if "$ref" in schema else None
            if target is not None:
                queue.append(target)
                node = node.without("$ref")
            if isinstance(node.get("allOf"), list):
                queue.extend(node.child("allOf", i) for i in range(len(node.schema["allOf"])))
                node = node.without("allOf")
            if is_trivial(node.schema):
                continue
        out.append(node)
    return tuple(out)


def effective(node: Node, name: str) -> list[Node]:
    """What `node` asserts about the value of property `name`: its `properties` entry and every
    matching `patternProperties`, or else `additionalProperties`."""
    found: list[Node] = []
    if name in (node.get("properties") or {}):
        found.append(node.child("properties", name))
    for pattern in node.get("patternProperties") or {}:
        if compiled(pattern).search(name):
            found.append(node.child("patternProperties", pattern))
    if not found and node.has("additionalProperties"):
        found.append(node.child("additionalProperties"))
    return found


def item_at(node: Node, index: int) -> Node | None:
    """What `node` asserts about the array item at `index`: its `prefixItems` entry, else `items`."""
    prefix = node.get("prefixItems")
    if isinstance(prefix, list) and index < len(prefix):
        return node.child("prefixItems", index)
    if node.has("items"):
        return node.child("items")
    return None


def negated(node: Node) -> Node:
    return Node(node.doc, node.pointer + "#not", {"not": node.schema})


def typed(doc: Doc, kind: str) -> Node:
    """A node for one type; "fraction" is a number that is not an integer."""
    schema: Json = {"type": "number", "not": {"type": "integer"}} if kind == "fraction" else {"type": kind}
    return Node(doc, f"#type={kind}", schema)


def accepts(value: Json, nodes: Sequence[Node]) -> bool:
    """Whether the conjunction may accept `value` (True when the validator cannot tell)."""
    return all(node.doc.valid(value, node) is not False for node in nodes)


def surely_accepts(value: Json, node: Node) -> bool:
    return node.doc.valid(value, node) is True


# --- sameness ----------------------------------------------------------------------------------

def same(x: Node, y: Node) -> bool:
    """Whether two subschemas are the same assertions, annotations and defaults aside, comparing
    what `$ref`s point to rather than how they are spelled (and so terminating on recursion)."""
    return _same(x.doc, x.schema, y.doc, y.schema, set())


_SET_LIKE = frozenset({"required", "type", "enum"})


def _as_object(schema: Json) -> Json:
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    return schema


def _same(dx: Doc, x: Json, dy: Doc, y: Json, seen: set[tuple[int, str, int, str]]) -> bool:
    x, y = _as_object(x), _as_object(y)
    if not isinstance(x, Mapping) or not isinstance(y, Mapping):
        return canonical(x) == canonical(y)
    words = x.keys() & ASSERTIONS
    if words != y.keys() & ASSERTIONS:
        return False
    for word in words:
        a, b = x[word], y[word]
        if word == "$ref":
            rx, ry = dx.resolve(a), dy.resolve(b)
            if rx is None or ry is None:
                return False
            pair = (id(dx), rx.pointer, id(dy), ry.pointer)
            if pair not in seen:
                seen.add(pair)
                if not _same(dx, rx.schema, dy, ry.schema, seen):
                    return False
        elif word in SCHEMA_VALUED:
            if not _same(dx, a, dy, b, seen):
                return False
        elif word in SCHEMA_MAPS:
            if not isinstance(a, Mapping) or not isinstance(b, Mapping) or a.keys() != b.keys():
                return False
            if not all(_same(dx, a[k], dy, b[k], seen) for k in a):
                return False
        elif word in SCHEMA_LISTS:
            if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
                return False
            if not all(_same(dx, p, dy, q, seen) for p, q in zip(a, b, strict=True)):
                return False
        elif word in _SET_LIKE and isinstance(a, list) and isinstance(b, list):
            if sorted(map(canonical, a)) != sorted(map(canonical, b)):
                return False
        elif canonical(a) != canonical(b):
            return False
    return True
