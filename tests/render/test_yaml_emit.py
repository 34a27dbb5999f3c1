"""The emitter's output reads back as the same data in YAML 1.1 (PyYAML, as Kubernetes tools
read) and in vending's own strict loader, for any strings, numbers and nesting."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.loader import load_bytes
from vending.render.yaml_emit import dump

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(), st.sampled_from(["yes", "no", "on", "08", "1e3", "0x1f", "2026-01-01", "~", "null", "- a", "a: b",
                                "#c", "@x", "*y", "&z", "!t", "%p", "'q'", '"d"', " lead", "trail ", "a\nb\n",
                                "a\n\n", "\tx", "", "{}", "[]", "key:", ".inf", "-", "?", "|", ">"]),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), documents, max_size=5))
def test_round_trip(document: dict[str, Any]) -> None:
    text = dump(document, header="Generated.\nDo not edit.")
    assert yaml.safe_load(text) == (document or None) or (document == {} and yaml.safe_load(text) == {})
    if document:
        assert load_bytes(text.encode(), "x.yaml", syntax="yaml").data == document
