"""Request <-> Azure Pipelines parameters, both ways, as plain data.

The pipeline template declares one parameter per top-level property of the
newest request schema. An optional property without a schema default gets a
neutral default (`''`, `{}` or `[]`) that means "absent", so that a run does not
have to name every optional property.

Into the pipeline (the Runs API): every `templateParameters` value is a string;
objects and arrays travel as JSON. Out of the pipeline: the template hands all
of its parameters to `vending` in one environment variable, built at compile
time as `convertToJson(parameters)` with `%` and `$` percent-encoded, so the
agent's `$(name)` macro expansion finds nothing to expand in request values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from vending.errors import Bug, InvalidInput, Problem
from vending.loader import Json, capped, join_pointer, json_type, parse_json
from vending.schemas import resolve_ref

PARAMETERS_VARIABLE = "VENDING_PARAMETERS"
"""The environment variable the template hands all parameters over in."""

SOURCE = "<pipeline parameters>"
"""How problems in decoded parameters are labelled: they have no file or line."""

TEMPLATE_PARAMETERS = (
    "dryRun", "gitopsRepository", "trunkBranch", "environment", "serviceConnections", "acceptChanges", "vendingVersion",
    "terraformVersion", "pool")
"""Parameters of the template itself, never request properties."""

PARAMETER_TYPES = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
                   "object": "object", "array": "object"}
NEUTRAL_DEFAULTS: dict[str, Json] = {"string": "", "object": {}, "array": []}
_ENCODED = re.compile(r"%(2[45])")


def resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node` with a local `$ref` followed; our released schemas hold only references that resolve."""
    resolved = resolve_ref(schema, node)
    if resolved is None:
        raise Bug(f"the request schema holds a $ref that does not resolve: {node.get('$ref')!r}")
    return resolved


def request_properties(schema: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], bool]]:
    """(name, resolved subschema, required) of each top-level property, in schema order."""
    required = set(schema.get("required", ()))
    return [(name, resolve(schema, node), name in required) for name, node in schema["properties"].items()]


def json_type_of(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if not isinstance(kind, str) or kind not in PARAMETER_TYPES:
        raise ValueError(f"a request property of type {kind!r} has no pipeline parameter type")
    return kind


def is_neutral(value: Any) -> bool:
    """'', {}, [] and null: what an optional parameter left at its neutral default holds."""
    return value is None or value in ("", {}, [])


def encode_for_pipeline(text: str) -> str:
    """What the template's `replace(replace(x, '%', '%25'), '$', '%24')` makes of `text`."""
    return text.replace("%", "%25").replace("$", "%24")


def decode_from_pipeline(text: str) -> str:
    """The inverse of `encode_for_pipeline`; refuses text that was not encoded by it."""
    if "$" in text:
        raise ValueError("it contains '$', so it was not encoded by the template (a '$(name)' in it "
                         "may already have been replaced by the agent)")
    stray = re.search(r"%(?!2[45])", text)
    if stray:
        raise ValueError(f"it has a '%' at offset {stray.start()} that is not %24 or %25, "
                         "so it was not encoded by the template")
    return _ENCODED.sub(lambda m: "$" if m.group(1) == "24" else "%", text)


def parameters_from_request(doc: Mapping[str, Json], schema: Mapping[str, Any]) -> dict[str, str]:
    """The Runs API `templateParameters` for `doc` (valid under `schema`): strings, in schema order."""
    params: dict[str, str] = {}
    for name, _prop, _required in request_properties(schema):
        if name not in doc:
            continue
        value = doc[name]
        if isinstance(value, str):
            params[name] = value
        elif isinstance(value, bool):
            params[name] = "true" if value else "false"
        else:
            params[name] = json.dumps(value, ensure_ascii=False)  # JSON with spaces is YAML too
    return params


def request_from_parameters(params: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Json]:
    """The request document the pipeline parameters describe, in schema order.

    Optional properties left neutral are dropped; values are converted to the
    types the schema expects where that is lossless. Raises `InvalidInput`
    listing every parameter that cannot be converted or is unknown. The result
    still has to be validated against the schema.
    """
    problems: list[Problem] = []
    properties = request_properties(schema)
    known = {name for name, _, _ in properties}
    for name in sorted(set(params) - known - set(TEMPLATE_PARAMETERS)):
        problems.append(Problem(
            f"unknown parameter {name!r}: this vending does not know it (is the template newer than vending?)",
            pointer=join_pointer("", name)))
    doc: dict[str, Json] = {}
    for name, prop, required in properties:
        if name not in params:
            continue
        value = params[name]
        if not required and is_neutral(value):
            continue
        try:
            doc[name] = _convert(value, json_type_of(prop))
        except ValueError as exc:
            problems.append(Problem(f"parameter {name!r}: {exc}", pointer=join_pointer("", name)))
    if problems:
        raise InvalidInput(SOURCE, capped(problems))
    return doc


def _convert(value: Any, kind: str) -> Json:
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # a string that looked like a number to the pipeline
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind in ("integer", "number"):
        number = _number(value)
        if number is not None:
            return int(number) if kind == "integer" and float(number).is_integer() else number
    else:
        container = dict if kind == "object" else list
        if isinstance(value, str):  # an object handed over as JSON text: held to the loader's rules
            try:
                value, _marks = parse_json(value, SOURCE)
            except InvalidInput as exc:
                first = exc.problems[0]
                where = f" at line {first.line}, column {first.column} of its JSON text" if first.line else ""
                if first.message.startswith("not valid JSON"):
                    raise ValueError(f"expected {'a mapping' if kind == 'object' else 'a list'} "
                                     f"(or its JSON text), found text that is not JSON{where}") from None
                pointer = f" ({first.pointer})" if first.pointer else ""
                raise ValueError(f"its JSON text{pointer}{where}: {first.message}") from None
        if isinstance(value, container):
            return value
        raise ValueError(f"expected {'a mapping' if kind == 'object' else 'a list'}, found {json_type(value)}")
    raise ValueError(f"expected {'a number' if kind in ('integer', 'number') else 'a ' + kind}, "
                     f"found {json_type(value)}")


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            parsed = float(value)
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None


def parse_environment_value(text: str) -> dict[str, Any]:
    """The parameters in the template's environment variable: decoded, then parsed as a JSON object."""
    try:
        decoded = decode_from_pipeline(text)
    except ValueError as exc:
        raise InvalidInput(SOURCE, [Problem(f"the parameters are not readable: {exc}")]) from None
    try:
        data, _marks = parse_json(decoded, SOURCE)
    except InvalidInput as exc:
        raise InvalidInput(SOURCE, [replace(p, message=f"the parameters are not readable: {p.message}")
                                    for p in exc.problems]) from None
    if not isinstance(data, dict):
        raise InvalidInput(SOURCE, [Problem(f"expected a JSON object of parameters, found {json_type(data)}")])
    return data
