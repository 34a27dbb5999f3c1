"""Semantic versioning of an Azure DevOps pipeline's runtime parameters (`[{name, type, default?, values?}]`).

A pipeline template is an interface too: callers pass parameters by name.
Pointers index the NEW list (the OLD one for a removed parameter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vending.loader import Json
from vending.schemadiff.change import Bump, Change, settle
from vending.schemadiff.document import canonical
from vending.schemadiff.wording import MISSING, listed, shown

Parameter = Mapping[str, Json]
_KNOWN = frozenset({"name", "type", "default", "values", "displayName"})


def compare_parameters(old: Sequence[Parameter], new: Sequence[Parameter]) -> tuple[Change, ...]:
    """Removed, retyped, narrowed, newly required or re-defaulted parameters are major; a parameter added
    with a default or wider `values` is minor; display names and order are patch."""
    before = {str(p["name"]): (i, p) for i, p in enumerate(old)}
    after = {str(p["name"]): (i, p) for i, p in enumerate(new)}
    changes: list[Change] = []
    for name, (index, _) in before.items():
        if name not in after:
            changes.append(Change(f"/{index}", "parameter.removed", Bump.MAJOR,
                                  f"parameter {shown(name)} removed: pipelines that pass it can no longer be queued."))
    for name, (index, param) in after.items():
        if name not in before:
            if "default" in param:
                changes.append(Change(f"/{index}", "parameter.added", Bump.MINOR,
                                      f"parameter {shown(name)} added with default {shown(param['default'])}: "
                                      "existing callers are unaffected."))
            else:
                changes.append(Change(f"/{index}", "parameter.added", Bump.MAJOR,
                                      f"parameter {shown(name)} added without a default: every caller must now "
                                      "pass it."))
            continue
        changes += _compare(name, before[name][1], param, f"/{index}")
    if [n for n in before if n in after] != [n for n in after if n in before]:
        changes.append(Change("", "parameters.reordered", Bump.PATCH,
                              "parameters reordered: only the order of the run form changes."))
    return settle(changes)


def _compare(name: str, old: Parameter, new: Parameter, pointer: str) -> list[Change]:
    changes = []
    old_type, new_type = old.get("type", "string"), new.get("type", "string")
    if old_type != new_type:
        changes.append(Change(f"{pointer}/type", "type.changed", Bump.MAJOR,
                              f"parameter {shown(name)} changed type from {shown(old_type)} to {shown(new_type)}: "
                              "values callers pass may no longer be accepted."))
    changes += _values(name, old.get("values"), new.get("values"), f"{pointer}/values")
    had, has = old.get("default", MISSING), new.get("default", MISSING)
    if had is MISSING and has is not MISSING:
        changes.append(Change(f"{pointer}/default", "default.added", Bump.MINOR,
                              f"parameter {shown(name)} now defaults to {shown(has)}: callers may leave it out."))
    elif had is not MISSING and has is MISSING:
        changes.append(Change(f"{pointer}/default", "default.removed", Bump.MAJOR,
                              f"parameter {shown(name)} no longer has a default ({shown(had)}): callers that left "
                              "it out must now pass it."))
    elif had is not MISSING and has is not MISSING and canonical(had) != canonical(has):
        changes.append(Change(f"{pointer}/default", "default.changed", Bump.MAJOR,
                              f"default of parameter {shown(name)} changed from {shown(had)} to {shown(has)}: "
                              "callers that leave it out now get a different value."))
    if old.get("displayName") != new.get("displayName"):
        changes.append(Change(f"{pointer}/displayName", "displayName.changed", Bump.PATCH,
                              f"display name of parameter {shown(name)} changed: only the run form changes."))
    for word in sorted((old.keys() | new.keys()) - _KNOWN):
        if canonical(old.get(word)) != canonical(new.get(word)):
            changes.append(Change(f"{pointer}/{word}", f"{word}.changed", Bump.MAJOR,
                                  f"{word} of parameter {shown(name)} changed, and its effect is not known, so it "
                                  "counts as breaking."))
    return changes


def _values(name: str, old: Json, new: Json, pointer: str) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None:
        return [Change(pointer, "values.added", Bump.MAJOR,
                       f"parameter {shown(name)} now only accepts {listed(list(new))}: other values callers pass "
                       "are rejected.")]
    if new is None:
        return [Change(pointer, "values.removed", Bump.MINOR,
                       f"parameter {shown(name)} no longer restricts its values: any value is accepted.")]
    gone = [v for v in old if canonical(v) not in {canonical(w) for w in new}]
    added = [v for v in new if canonical(v) not in {canonical(w) for w in old}]
    if gone:
        return [Change(pointer, "values.narrowed", Bump.MAJOR,
                       f"parameter {shown(name)} no longer accepts {listed(gone)}: callers passing them fail.")]
    if added:
        return [Change(pointer, "values.widened", Bump.MINOR,
                       f"parameter {shown(name)} also accepts {listed(added)}.")]
    if canonical(old) != canonical(new):
        return [Change(pointer, "values.reordered", Bump.PATCH,
                       f"values of parameter {shown(name)} reordered: only the run form changes.")]
    return []
