"""Annotation changes (title, description, examples, ...): patch, since no document's validity changes."""

from __future__ import annotations

from collections.abc import Mapping

from vending.loader import Json
from vending.schemadiff.change import Bump, Change
from vending.schemadiff.document import ANNOTATIONS, ASSERTIONS, canonical, child_pointer, schema_children
from vending.schemadiff.wording import MISSING, shown, verb

# Keywords that are neither assertions nor annotations, and are compared elsewhere or not at all.
_STRUCTURAL = frozenset({"default", "$defs", "definitions", "$anchor", "$dynamicAnchor", "dependencies",
                         "additionalItems"})
_QUOTED = frozenset({"title", "$id", "$schema", "deprecated", "readOnly", "writeOnly", "contentMediaType",
                     "contentEncoding"})


def annotation_changes(old: Json, new: Json) -> list[Change]:
    """Differences in annotations at the places both schemas share (new subschemas are changes of their own)."""
    changes: list[Change] = []
    _walk(old, new, "", changes)
    return changes


def _walk(old: Json, new: Json, pointer: str, changes: list[Change]) -> None:
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return
    words = sorted((old.keys() | new.keys()) - ASSERTIONS - _STRUCTURAL)
    for word in words:
        before, after = old.get(word, MISSING), new.get(word, MISSING)
        if before is not MISSING and after is not MISSING and canonical(before) == canonical(after):
            continue
        how = verb(before, after)
        if word in _QUOTED and how == "changed":
            what = f"{word} changed from {shown(before)} to {shown(after)}"
        elif word in _QUOTED:
            what = f"{word} {shown(after if how == 'added' else before)} {how}"
        else:
            what = f"{word} {how}"
        if word in ANNOTATIONS:
            why = "an annotation: which documents are valid does not change"
        else:
            why = "an unknown keyword, which validators ignore"
        changes.append(Change(child_pointer(pointer, word), f"{word}.{how}", Bump.PATCH, f"{what} ({why})."))
    theirs = {p: sub for _, p, sub in schema_children(new, pointer)}
    for _, child, sub in schema_children(old, pointer):
        if child in theirs:
            _walk(sub, theirs[child], child, changes)
