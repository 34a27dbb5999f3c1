"""Read a schema with the meaning its declared draft gives it, in 2020-12 terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vending.loader import Json
from vending.schemadiff.document import ASSERTIONS, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED

# Keywords whose value is a non-negative integer; JSON Schema allows writing 5 as 5.0.
INTEGER_VALUED = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                            "minContains", "maxContains"})
# Applicators that evaluate properties or items in place; `unevaluated*` depends on them.
_IN_PLACE = frozenset({"allOf", "anyOf", "oneOf", "if", "then", "else", "dependentSchemas",
                       "$ref", "$dynamicRef", "$recursiveRef"})


# When keywords arrived in, or left, JSON Schema (draft numbers; 2019 and 2020 for 2019-09 and 2020-12).
_SINCE = {"const": 6, "contains": 6, "propertyNames": 6, "if": 7, "then": 7, "else": 7,
          "dependentRequired": 2019, "dependentSchemas": 2019, "unevaluatedProperties": 2019,
          "unevaluatedItems": 2019, "minContains": 2019, "maxContains": 2019, "$recursiveRef": 2019,
          "prefixItems": 2020, "$dynamicRef": 2020}
_UNTIL = {"dependencies": 7, "additionalItems": 2019, "$recursiveRef": 2019}
_DIALECTS = {"draft-04": 4, "draft-06": 6, "draft-07": 7, "2019-09": 2019, "2020-12": 2020}


def dialect(root: Json) -> int | None:
    """The draft `root` declares in `$schema` (None when it declares none we know)."""
    declared = str(root.get("$schema", "")) if isinstance(root, Mapping) else ""
    return next((number for name, number in _DIALECTS.items() if name in declared), None)


def normalize(root: Json) -> Json:
    """`root` in 2020-12 terms, with the meaning its own draft gives it.

    Keywords its draft does not have are dropped (its validators ignore them);
    tuple `items` become `prefixItems` (and `additionalItems` the `items` after
    them), `dependencies` splits into `dependentRequired`/`dependentSchemas`,
    draft-04 boolean `exclusiveMinimum` becomes numeric, and before 2019-09 the
    siblings of `$ref` are dropped (they were ignored). A schema that declares no
    draft keeps every keyword. `unevaluated*` is rewritten to `additional*`/`items`
    where nothing else evaluates in place, the one case where they mean the same.
    Integers written as floats (`5.0`) become integers.
    """
    return _normalize(root, dialect(root))


def _normalize(schema: Json, draft: int | None) -> Json:
    if not isinstance(schema, Mapping):
        return schema
    if draft is not None:
        schema = {k: v for k, v in schema.items() if _SINCE.get(k, 0) <= draft <= _UNTIL.get(k, 9999)
                  and not (k == "items" and isinstance(v, list) and draft > 2019)}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "items" and isinstance(value, list):
            out["prefixItems"] = [_normalize(v, draft) for v in value]
            if "additionalItems" in schema:
                out["items"] = _normalize(schema["additionalItems"], draft)
        elif key == "additionalItems":
            continue  # meaningful only beside tuple `items`, handled there
        elif key == "dependencies" and isinstance(value, Mapping):
            for name, dependency in value.items():
                if isinstance(dependency, list):
                    out.setdefault("dependentRequired", {})[name] = list(dependency)
                else:
                    out.setdefault("dependentSchemas", {})[name] = _normalize(dependency, draft)
        elif key in SCHEMA_VALUED:
            out[key] = _normalize(value, draft)
        elif key in SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {name: _normalize(v, draft) for name, v in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_normalize(v, draft) for v in value]
        elif key in INTEGER_VALUED and isinstance(value, float) and value.is_integer():
            out[key] = int(value)
        else:
            out[key] = value
    for bound, partner in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool) and out.pop(bound) and partner in out:
            out[bound] = out.pop(partner)
    if draft is not None and draft <= 7 and "$ref" in out:
        out = {k: v for k, v in out.items() if k == "$ref" or k not in ASSERTIONS}
    if "unevaluatedProperties" in out and "additionalProperties" not in out and not _IN_PLACE & out.keys():
        out["additionalProperties"] = out.pop("unevaluatedProperties")
    if ("unevaluatedItems" in out and "items" not in out and "contains" not in out
            and not _IN_PLACE & out.keys()):
        out["items"] = out.pop("unevaluatedItems")
    return out
