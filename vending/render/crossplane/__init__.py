"""The Crossplane target: a composite resource (or legacy claim) per subscription, and the
platform side (CompositeResourceDefinition and Composition) derived from the request schema
and vending.yaml.

- `composite`: the composite of a request, with every value the Composition needs resolved.
- `xrd`: the CompositeResourceDefinition, derived from the newest request schema.
- `composition`: the Composition (patch-and-transform for the subscription, go-templating for
  everything that lives inside it), and `gotemplate` for the template's text.
"""

from __future__ import annotations

from vending.render.crossplane.common import MANAGED, api_version, kinds
from vending.render.crossplane.composite import manifest_path, owned, render, spec_of
from vending.render.crossplane.composition import COMPOSITION_PATH, DEFINITION_PATH, composition, render_platform
from vending.render.crossplane.gotemplate import go_template
from vending.render.crossplane.xrd import COMPOSITION_NAME, definition, openapi_for

__all__ = [
    "COMPOSITION_NAME", "COMPOSITION_PATH", "DEFINITION_PATH", "MANAGED", "api_version",
    "composition", "definition", "go_template", "kinds", "manifest_path", "openapi_for", "owned", "render",
    "render_platform", "spec_of",
]
