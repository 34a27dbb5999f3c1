"""Configuration enters the template only as Go literals: whatever the text, Go reads it back as
exactly that text (never as template syntax), checked with Go's real template parser."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.render.crossplane.gotemplate import go_literal

from .. import gotemplate

pytestmark = pytest.mark.skipif(gotemplate.missing() is not None, reason=f"real Go templates: {gotemplate.missing()}")

NASTY = ['"', "\\", "`", "{{", "}}", '{{ env "HOME" }}', "\n", "\r\n", "\t", "\x00", "\x7f", "\u2028", "é", "😀",
         "%s", "$x", "---\nkind: Secret", "\\u0041", "\\x41"]


def round_trip(value: Any) -> Any:
    rendered = gotemplate.render(f"{{{{ {go_literal(value)} | toJson }}}}", {})
    return json.loads(rendered)


def test_awkward_strings_survive_as_data() -> None:
    assert round_trip(NASTY) == NASTY
    assert round_trip({"a": {"b": [True, False, "x"]}, "": []}) == {"a": {"b": [True, False, "x"]}, "": []}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(), max_size=8))
def test_any_text_survives_as_data(values: list[str]) -> None:
    assert round_trip(values) == values


def test_the_functions_extras_behave_as_its_source() -> None:
    """getComposedResource reads observed.resources[<name>].resource and is nil for a missing name."""
    template = ('{{ getComposedResource . "a" | toJson }} {{ getComposedResource . "b" | toJson }} '
                '{{ setResourceNameAnnotation "x" }} {{ getCompositeResource . | toJson }}')
    request = {"observed": {"composite": {"resource": {"k": 1}}, "resources": {"a": {"resource": {"n": 2.5}}}}}
    assert gotemplate.render(template, request) == \
        '{"n":2.5} null gotemplating.fn.crossplane.io/composition-resource-name: x {"k":1}'


def test_a_template_error_is_reported() -> None:
    with pytest.raises(gotemplate.GoTemplateError, match="cannot execute template"):
        gotemplate.render('{{ fail "stop" }}', {})
    with pytest.raises(gotemplate.GoTemplateError, match="cannot parse"):
        gotemplate.render("{{ env \"HOME\" }}", {})  # removed by the function, as Helm and Argo CD do
