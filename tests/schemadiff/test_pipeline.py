from __future__ import annotations

from typing import Any

import pytest

from vending.schemadiff.change import Bump, required_bump
from vending.schemadiff.pipeline import compare_parameters

BASE: list[dict[str, Any]] = [
    {"name": "request", "type": "string", "displayName": "Request file"},
    {"name": "environment", "type": "string", "values": ["dev", "prod"], "default": "dev"},
    {"name": "dryRun", "type": "boolean", "default": True},
]


def changed(index: int, **fields: Any) -> list[dict[str, Any]]:
    params = [dict(p) for p in BASE]
    for key, value in fields.items():
        if value is None:
            params[index].pop(key, None)
        else:
            params[index][key] = value
    return params


@pytest.mark.parametrize(("new", "bump", "kind"), [
    (BASE[:2], Bump.MAJOR, "parameter.removed"),
    (changed(2, type="string"), Bump.MAJOR, "type.changed"),
    (changed(1, values=["dev"]), Bump.MAJOR, "values.narrowed"),
    (changed(0, values=["a.yaml"]), Bump.MAJOR, "values.added"),
    ([*BASE, {"name": "ticket", "type": "string"}], Bump.MAJOR, "parameter.added"),
    (changed(2, default=False), Bump.MAJOR, "default.changed"),
    (changed(2, default=None), Bump.MAJOR, "default.removed"),
    ([*BASE, {"name": "ticket", "type": "string", "default": ""}], Bump.MINOR, "parameter.added"),
    (changed(1, values=["dev", "test", "prod"]), Bump.MINOR, "values.widened"),
    (changed(1, values=None), Bump.MINOR, "values.removed"),
    (changed(0, default="request.yaml"), Bump.MINOR, "default.added"),
    (changed(0, displayName="Request"), Bump.PATCH, "displayName.changed"),
    ([BASE[1], BASE[0], BASE[2]], Bump.PATCH, "parameters.reordered"),
    (changed(1, values=["prod", "dev"]), Bump.PATCH, "values.reordered"),
])
def test_parameter_changes(new: list[dict[str, Any]], bump: Bump, kind: str) -> None:
    changes = compare_parameters(BASE, new)
    assert required_bump(changes) is bump
    assert kind in {c.kind for c in changes}
    assert all(c.message.endswith(".") for c in changes)


def test_identical_parameters_need_no_bump() -> None:
    assert compare_parameters(BASE, [dict(p) for p in BASE]) == ()


def test_pointers_index_the_new_list_and_the_old_one_for_removals() -> None:
    (removed,) = compare_parameters(BASE, [BASE[0], BASE[2]])
    assert (removed.pointer, removed.kind) == ("/1", "parameter.removed")
    changes = compare_parameters(BASE, [BASE[0], {**BASE[2], "type": "string"}])
    assert [(c.pointer, c.kind) for c in changes] == [("/1", "parameter.removed"), ("/1/type", "type.changed")]
