from __future__ import annotations

from vending.schemadiff.document import Doc, expand, same
from vending.schemadiff.normalize import normalize
from vending.schemadiff.witness import regex_sample
from vending.validation import compiled


def test_normalize_rewrites_draft_07_spellings() -> None:
    assert normalize({"items": [{"type": "string"}], "additionalItems": False}) == {
        "prefixItems": [{"type": "string"}], "items": False}
    assert normalize({"items": {"type": "string"}, "additionalItems": False}) == {"items": {"type": "string"}}
    assert normalize({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}) == {
        "dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}}
    assert normalize({"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/x", "type": "string"}) == {
        "$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/x"}


def test_unevaluated_becomes_additional_only_where_it_means_the_same() -> None:
    assert normalize({"properties": {"a": True}, "unevaluatedProperties": False}) == {
        "properties": {"a": True}, "additionalProperties": False}
    kept = {"allOf": [{"properties": {"a": True}}], "unevaluatedProperties": False}
    assert normalize(kept) == kept


def test_expand_flattens_refs_and_allof_once() -> None:
    doc = Doc("old", {"$defs": {"n": {"allOf": [{"$ref": "#/$defs/n"}, {"type": "string"}]}}, "$ref": "#/$defs/n"})
    assert [n.pointer for n in expand([doc.node])] == ["/$defs/n/allOf/1"]


def test_same_compares_what_refs_point_to() -> None:
    inline = Doc("old", {"properties": {"a": {"type": "string"}}})
    behind = Doc("new", {"properties": {"a": {"$ref": "#/$defs/s"}}, "$defs": {"s": {"type": "string",
                                                                                      "title": "S"}}})
    assert same(inline.node, behind.node) is False  # spelled differently at the top...
    assert same(expand([inline.node.child("properties", "a")])[0], expand([behind.node.child("properties", "a")])[0])


def test_regex_samples_match() -> None:
    for pattern in ["^[a-z][a-z0-9-]{1,61}[a-z0-9]$", "^(ab|cd)+x?$", r"^\d{3}-[^/]+$", "^CHG[0-9]{7}$"]:
        for variant in range(3):
            text = regex_sample(pattern, variant=variant, min_length=10)
            assert compiled(pattern).search(text), (pattern, text)
