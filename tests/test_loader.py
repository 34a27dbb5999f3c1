from __future__ import annotations

import pytest

from vending.errors import InvalidInput, Problem
from vending.loader import MAX_BYTES, load_bytes


def problems(raw: bytes, syntax: str = "auto") -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        load_bytes(raw, "req.yaml", syntax=syntax)
    return list(caught.value.problems)


def test_values_and_marks() -> None:
    doc = load_bytes(b"a: 1\nb:\n  - x\n  - {c: true}\n", "req.yaml")
    assert doc.data == {"a": 1, "b": ["x", {"c": True}]}
    assert doc.marks.values["/b/1/c"] == (4, 9)
    assert doc.marks.keys["/b"] == (2, 1)
    assert doc.marks.locate("/b/1/missing") == (4, 5)


@pytest.mark.parametrize(("text", "value"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("2026-01-01", "2026-01-01"),
    ("true", True), ("False", False), ("~", None), ("0x1f", "0x1f"), ("0o17", "0o17"), ("010", "010"),
    ("08", "08"), ("1e3", "1e3"), ("1.0e+3", 1000.0), ("1.5", 1.5), ("-0.25", -0.25), ("0", 0), ("-12", -12),
    ('"1.0"', "1.0"), ("1_000", "1_000"), ("1.", "1."),
])
def test_scalars_are_typed_only_where_yaml_1_1_and_1_2_agree(text: str, value: object) -> None:
    assert load_bytes(f"v: {text}\n".encode(), "req.yaml").data == {"v": value}


def test_json_semantics_for_json_files() -> None:
    doc = load_bytes(b'{\n\t"a": 1e5,\n\t"b": "x\\u00e9"\n}', "req.json", syntax="json")
    assert doc.data == {"a": 100000.0, "b": "x\u00e9"}
    assert doc.marks.values["/b"] == (3, 7)


def test_anchors_aliases_tags_and_duplicates_are_all_reported() -> None:
    found = problems(b"a: &x [1]\nb: *x\nc: !!python/object:os.system x\na: 2\n")
    assert [(p.line, p.column) for p in found] == [(1, 4), (2, 4), (3, 4), (4, 1)]
    assert "anchors" in found[0].message
    assert "aliases" in found[1].message
    assert "tags" in found[2].message
    assert "duplicate key 'a'" in found[3].message and "line 1" in found[3].message
    assert found[3].pointer == "/a"


def test_billion_laughs_is_rejected_without_expansion() -> None:
    lol = b'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    found = problems(lol)
    assert all("anchors" in p.message or "aliases" in p.message for p in found)


def test_duplicate_keys_in_json() -> None:
    found = problems(b'{"name": "a", "name": "b"}', "json")
    assert found[0].message.startswith("duplicate key 'name'")
    assert (found[0].line, found[0].column) == (1, 15)


@pytest.mark.parametrize(("raw", "message", "position"), [
    (b"", "empty", (1, 1)),
    (b"- a\n- b\n", "expected a mapping", (1, 1)),
    (b"a: 1\n---\nb: 2\n", "more than one YAML document", (3, 1)),
    (b"a: [1\n", "not valid YAML", (2, 1)),
    (b"\xff\xfea\x00", "UTF-16", (1, 1)),
    (b"a: b\nc: \xe9t\xe9\n", "not valid UTF-8", (2, 4)),
    (b"1: x\n", "keys must be strings", (1, 1)),
    (b"v: .nan\n", "not a finite number", (1, 4)),
    (b"[" * 100 + b"]" * 100, "nested more than", (1, 65)),
    (b"a: 1.0e+999\n", "not a finite number", (1, 4)),
    (b"a: " + b"9" * 5000 + b"\n", "a number of 5,000 digits", (1, 4)),
])
def test_bad_input(raw: bytes, message: str, position: tuple[int, int]) -> None:
    found = problems(raw)
    assert message in found[0].message
    assert (found[0].line, found[0].column) == position


def test_invalid_json_is_located() -> None:
    found = problems(b'{"a": 1,\n "b": }', "json")
    assert found[0].message.startswith("not valid JSON")
    assert (found[0].line, found[0].column) == (2, 7)


def test_size_limit() -> None:
    found = problems(b"a: " + b"x" * MAX_BYTES)
    assert "at most 1,048,576 bytes" in found[0].message


def test_utf8_bom_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfa: 1\n", "req.yaml").data == {"a": 1}


def test_json_numbers_must_be_finite() -> None:
    found = problems(b'{"amount": 1e999}', "json")
    assert "1e999 is not a finite number" in found[0].message
