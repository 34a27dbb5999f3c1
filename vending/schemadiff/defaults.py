"""The `default` rule: a default added, removed or changed on an existing property is major.

Validators do not fill in defaults, but whatever renders a request does: a
request that leaves the property out gets the default, so changing it changes
what unchanged requests produce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vending.loader import Json, escape_pointer_token
from vending.schemadiff.change import Bump, Change
from vending.schemadiff.document import Doc, Node, canonical, child_pointer
from vending.schemadiff.wording import listed

ANY_NAME = "*"
ANY_ITEM = "[]"
MAX_DEPTH = 32


@dataclass
class Declared:
    """Every instance path a schema declares (`/budget/amount`, `/tags/*`), with its defaults."""

    pointers: dict[tuple[str, ...], str] = field(default_factory=dict)
    defaults: dict[tuple[str, ...], dict[str, tuple[str, Json]]] = field(default_factory=dict)


def declared(doc: Doc) -> Declared:
    found = Declared()
    _walk(doc.node, (), frozenset(), found)
    return found


def _walk(node: Node, path: tuple[str, ...], refs: frozenset[str], found: Declared) -> None:
    schema = node.schema
    if len(path) > MAX_DEPTH or not isinstance(schema, Mapping):
        return
    found.pointers.setdefault(path, node.pointer)
    if "default" in schema:
        found.defaults.setdefault(path, {})[canonical(schema["default"])] = (
            child_pointer(node.pointer, "default"), schema["default"])
    if "$ref" in schema:
        target = node.doc.resolve(schema["$ref"])
        if target is not None and target.pointer not in refs:
            _walk(target, path, refs | {target.pointer}, found)
    for word in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for index in range(len(schema.get(word) or []) if isinstance(schema.get(word), list) else 0):
            _walk(node.child(word, index), (*path, ANY_ITEM) if word == "prefixItems" else path, refs, found)
    for word in ("then", "else"):
        if word in schema:
            _walk(node.child(word), path, refs, found)
    for word, token in (("properties", None), ("patternProperties", ANY_NAME), ("dependentSchemas", "")):
        for name in schema.get(word) or {}:
            step = path if token == "" else (*path, name if token is None else token)
            _walk(node.child(word, name), step, refs, found)
    if "additionalProperties" in schema:
        _walk(node.child("additionalProperties"), (*path, ANY_NAME), refs, found)
    if "items" in schema:
        _walk(node.child("items"), (*path, ANY_ITEM), refs, found)


def shown_path(path: tuple[str, ...]) -> str:
    return "".join(f"/{escape_pointer_token(t)}" for t in path) or "the document root"


def default_changes(old: Doc, new: Doc) -> list[Change]:
    before, after = declared(old), declared(new)
    changes = []
    for path in sorted(before.pointers.keys() & after.pointers.keys()):
        was, now = before.defaults.get(path, {}), after.defaults.get(path, {})
        if was.keys() == now.keys():
            continue
        where = shown_path(path)
        old_values, new_values = [v for _, v in was.values()], [v for _, v in now.values()]
        pointer = next(iter(now.values()))[0] if now else child_pointer(after.pointers[path], "default")
        if not was:
            kind, message = "default.added", (
                f"default {listed(new_values)} added to {where}: requests that leave it out may now render "
                "differently, so it counts as breaking")
        elif not now:
            kind, message = "default.removed", (
                f"default {listed(old_values)} removed from {where}: requests that leave it out may now render "
                "differently, so it counts as breaking")
        else:
            kind, message = "default.changed", (
                f"default of {where} changed from {listed(old_values)} to {listed(new_values)}: requests that "
                "leave it out now render differently, so it counts as breaking")
        changes.append(Change(pointer, kind, Bump.MAJOR, message + "."))
    return changes
