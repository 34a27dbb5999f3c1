"""The rules: every hand-made evolution gets its bump, and the diff explains itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vending import schemas
from vending.errors import InvalidInput
from vending.schemadiff.change import Bump
from vending.schemadiff.diff import diff_schemas

from .evolutions import EVOLUTIONS, Evolution


@pytest.mark.parametrize("evolution", EVOLUTIONS, ids=lambda e: e.name)
def test_each_evolution_needs_its_bump(evolution: Evolution) -> None:
    diff = diff_schemas(evolution.old, evolution.new)
    assert diff.required_bump is evolution.bump, [c.as_json() for c in diff.changes]
    assert evolution.kinds <= {c.kind for c in diff.changes}


@pytest.mark.parametrize("evolution", [e for e in EVOLUTIONS if e.bump is Bump.MAJOR], ids=lambda e: e.name)
def test_reversing_a_breaking_change_is_not_breaking_unless_it_also_breaks(evolution: Evolution) -> None:
    back = diff_schemas(evolution.new, evolution.old)
    assert back.required_bump >= Bump.MINOR


def test_our_releases() -> None:
    minor = diff_schemas(schemas.schema_for("1.0.0"), schemas.schema_for("1.1.0"))
    assert minor.required_bump is Bump.MINOR
    assert {c.kind for c in minor.changes if c.bump is Bump.MINOR} == {"enum.changed", "property.added"}
    major = diff_schemas(schemas.schema_for("1.1.0"), schemas.schema_for("2.0.0"))
    assert major.required_bump is Bump.MAJOR
    broken = {(c.pointer, c.kind) for c in major.changes if c.bump is Bump.MAJOR}
    assert broken == {("/properties/budget", "property.removed"), ("/properties/roleAssignments/type", "type.changed")}


def test_changes_are_ordered_by_pointer_then_kind_and_stable() -> None:
    old, new = schemas.schema_for("1.1.0"), schemas.schema_for("2.0.0")
    first = diff_schemas(old, new)
    keys = [(c.pointer, c.kind) for c in first.changes]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert diff_schemas(old, new) == first


def test_json_shape() -> None:
    payload = diff_schemas({"type": "string", "maxLength": 3}, {"type": "string", "maxLength": 2}).as_json()
    assert payload["required_bump"] == "major"
    assert payload["changes"] == [{
        "pointer": "/maxLength", "kind": "maxLength.decreased", "bump": "major",
        "message": "maxLength lowered from 3 to 2: strings longer than 2 characters that were valid are now "
                   "rejected. For example, the document \"aaa\" is valid under the old schema but not the new one."}]
    json.dumps(payload)


def test_a_breaking_change_shows_a_document_it_breaks() -> None:
    old = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}},
           "required": ["name"]}
    new = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 4}},
           "required": ["name"]}
    (change,) = diff_schemas(old, new).changes
    assert change.message.endswith('For example, /name: "aaaaa" is valid under the old schema but not the new one.')


def test_a_new_required_property_shows_a_document_without_it() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {**old, "required": ["a"]}
    (change,) = diff_schemas(old, new).changes
    assert change.kind == "required.added"
    assert "For example, a document without /a is valid under the old schema but not the new one." in change.message


def test_identical_and_reordered() -> None:
    schema = schemas.schema_for("2.0.0")
    assert diff_schemas(schema, json.loads(json.dumps(schema))).changes == ()
    reordered = {**schema, "required": list(reversed(schema["required"]))}
    (change,) = diff_schemas(schema, reordered).changes
    assert (change.kind, change.bump) == ("refactor", Bump.PATCH)


def test_a_changed_pattern_says_it_cannot_be_proven_safe() -> None:
    diff = diff_schemas({"type": "string", "pattern": "^a+$"}, {"type": "string", "pattern": "^(a|b)+$"})
    (change,) = diff.changes
    assert change.bump is Bump.MAJOR
    assert "cannot be proven to accept every string the old one did" in change.message


def test_a_default_on_an_existing_nested_property_is_major() -> None:
    old = schemas.schema_for("2.0.0")
    new: dict[str, Any] = json.loads(json.dumps(old))
    notification = new["properties"]["budgets"]["additionalProperties"]["properties"]["notifications"]
    notification["additionalProperties"]["properties"]["operator"]["default"] = "EqualTo"
    (change,) = [c for c in diff_schemas(old, new).changes if c.bump is Bump.MAJOR]
    assert change.kind == "default.changed"
    assert "/budgets/*/notifications/*/operator" in change.message


@pytest.mark.parametrize(("old", "new", "bump"), [
    # draft-07 spellings, as the external conformance cases use them
    ({"type": "array", "items": [{"type": "string"}], "additionalItems": False},
     {"type": "array", "items": [{"type": "string"}, {"type": "number"}], "additionalItems": False}, Bump.MINOR),
    ({"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "number"}},
     {"type": "array", "items": [{"type": "string"}], "additionalItems": {"type": "integer"}}, Bump.MAJOR),
    ({"dependencies": {"a": ["b"]}}, {"dependencies": {"a": ["b", "c"]}}, Bump.MAJOR),
    ({"dependencies": {"a": {"required": ["b"]}}}, {}, Bump.MINOR),
    ({"definitions": {"x": {"type": "string"}}, "$ref": "#/definitions/x"}, {"type": "string"}, Bump.PATCH),
    ({"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "minimum": 0,
      "exclusiveMinimum": True}, {"type": "number", "exclusiveMinimum": 0}, Bump.PATCH),
])
def test_draft_07_spellings(old: dict[str, Any], new: dict[str, Any], bump: Bump) -> None:
    assert diff_schemas(old, new).required_bump is bump


@pytest.mark.slow
def test_recursion_terminates() -> None:
    looping = {"$defs": {"x": {"anyOf": [{"$ref": "#/$defs/x"}, {"type": "string", "maxLength": 5}]}},
               "$ref": "#/$defs/x"}
    tighter = json.loads(json.dumps(looping).replace('"maxLength": 5', '"maxLength": 3'))
    assert diff_schemas(looping, tighter).required_bump is Bump.MAJOR
    assert diff_schemas(looping, {**looping, "title": "x"}).required_bump is Bump.PATCH
    root = {"type": "object", "properties": {"next": {"$ref": "#"}, "v": {"type": "integer", "maximum": 3}}}
    looser = json.loads(json.dumps(root).replace('"maximum": 3', '"maximum": 4'))
    assert diff_schemas(root, looser).required_bump is Bump.MINOR
    assert diff_schemas(looser, root).required_bump is Bump.MAJOR


def test_unresolvable_references_are_not_proven_safe() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"$ref": "https://example.com/other.json"}}}
    kinds = {(c.kind, c.bump) for c in diff_schemas(old, new).changes}
    assert ("$ref.unprovable", Bump.MAJOR) in kinds


def test_integers_written_as_floats_still_count() -> None:
    assert diff_schemas({"type": "string"}, {"type": "string", "maxLength": 5.0}).required_bump is Bump.MAJOR


def test_references_inside_a_nested_resource_are_not_resolved_against_the_root() -> None:
    def schema(kind: str) -> dict[str, Any]:
        return {"$defs": {"x": {"type": "string"}}, "properties": {"a": {
            "$id": "https://example.com/a", "$defs": {"x": {"type": kind}}, "$ref": "#/$defs/x"}}}

    assert diff_schemas(schema("integer"), schema("number")).required_bump is Bump.MAJOR
    assert diff_schemas(schema("integer"), schema("integer")).required_bump is Bump.NONE


def test_keywords_outside_the_declared_draft_are_ignored_as_its_validators_do() -> None:
    d2020 = "https://json-schema.org/draft/2020-12/schema"
    old = {"$schema": d2020, "type": "object", "dependencies": {"a": ["b"]}}  # not a 2020-12 keyword
    new = {"$schema": d2020, "type": "object", "dependentRequired": {"a": ["b"]}}
    assert diff_schemas(old, new).required_bump is Bump.MAJOR
    d07 = "http://json-schema.org/draft-07/schema#"
    assert diff_schemas({"$schema": d07, "type": "array"},
                        {"$schema": d07, "type": "array", "prefixItems": [{"type": "string"}]}).required_bump \
        is Bump.PATCH


def test_an_invalid_schema_is_refused_not_compared() -> None:
    with pytest.raises(InvalidInput, match="the new schema"):
        diff_schemas({"type": "object"}, {"type": "object", "required": True})


@pytest.mark.parametrize(("old", "new", "bump"), [
    (0.3, 0.1, Bump.MAJOR),  # 0.3 / 0.3 is 1, but 0.3 / 0.1 is 2.9999999999999996 to the validator
    (10, 5, Bump.MINOR),
    (0.5, 0.5, Bump.NONE),
])
def test_multiple_of_is_proven_as_the_validator_divides(old: float, new: float, bump: Bump) -> None:
    assert diff_schemas({"type": "number", "multipleOf": old}, {"type": "number", "multipleOf": new}).required_bump \
        is bump
