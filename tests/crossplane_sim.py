"""Offline stand-ins for what a Crossplane cluster does with our manifests, for the tests.

No Kubernetes API server, Crossplane or Go toolchain runs here, so the tests use:
- the provider CRDs' own openAPIV3Schema, checked the way the API server does with strict field
  validation (unknown fields are errors), plus the CRDs' "required when creating" CEL rules;
- the rules a structural schema must follow;
- a patch-and-transform evaluator for the patch types and transforms our Composition uses;
- a Go text/template evaluator for exactly the constructs our go-templating step uses. It refuses
  any other construct, so a template change that it cannot evaluate fails loudly.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator

from vending.validation import FORMATS

from .conftest import SHARED

CRDS = SHARED / "reference" / "crossplane-crds"
ALLOWED_STRUCTURAL = {
    "type", "properties", "additionalProperties", "items", "required", "description", "enum", "default",
    "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "minItems", "maxItems", "minProperties", "maxProperties", "x-kubernetes-list-type", "nullable",
    "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-map-type",
}


# --- schemas -------------------------------------------------------------------------------

def structural_problems(schema: Mapping[str, Any], where: str = "") -> list[str]:
    """Violations of the Kubernetes structural-schema rules."""
    problems = []
    for key in schema:
        if key not in ALLOWED_STRUCTURAL:
            problems.append(f"{where}: {key} is not allowed in a structural schema")
    if "type" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        problems.append(f"{where}: every node needs a type")
    if "properties" in schema and "additionalProperties" in schema:
        problems.append(f"{where}: properties and additionalProperties are exclusive")
    if schema.get("additionalProperties") is False:
        problems.append(f"{where}: additionalProperties: false is not allowed")
    for name, sub in schema.get("properties", {}).items():
        problems.extend(structural_problems(sub, f"{where}/{name}"))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), Mapping):
            problems.extend(structural_problems(schema[key], f"{where}/{key}"))
    return problems


def strict(schema: Any) -> Any:
    """An OpenAPI v3 (draft-4 style) schema in which unknown fields are errors, as with strict
    server-side field validation."""
    if isinstance(schema, Mapping):
        out = {k: strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes")}
        if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def validate_openapi(instance: Any, openapi: Mapping[str, Any]) -> list[str]:
    validator = Draft4Validator(strict(openapi), format_checker=FORMATS)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def crd(file_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CRDS / file_name).read_text())
    return loaded


def crd_for(api_version: str, kind: str) -> dict[str, Any] | None:
    group, version = api_version.split("/")
    for path in sorted(CRDS.glob("*.yaml")):
        document = crd(path.name)
        if document["spec"]["group"] == group and document["spec"]["names"]["kind"] == kind:
            for served in document["spec"]["versions"]:
                if served["name"] == version:
                    return served  # type: ignore[no-any-return]
    return None


def validate_managed(resource: Mapping[str, Any], served: Mapping[str, Any]) -> list[str]:
    """Schema errors, plus the CRD's CEL rules that require forProvider fields when creating."""
    openapi = served["schema"]["openAPIV3Schema"]
    body = {k: v for k, v in resource.items() if k not in ("apiVersion", "kind", "metadata")}
    problems = validate_openapi(body, {**openapi, "properties": {
        k: v for k, v in openapi["properties"].items() if k not in ("apiVersion", "kind", "metadata")}})
    spec = resource.get("spec", {})
    policies = spec.get("managementPolicies", ["*"])
    creates = "*" in policies or "Create" in policies or "Update" in policies
    for rule in openapi["properties"]["spec"].get("x-kubernetes-validations", []):
        match = re.search(r"has\(self\.forProvider\.(\w+)\)", rule["rule"])
        if match and creates and match.group(1) not in spec.get("forProvider", {}):
            problems.append(f"spec.forProvider.{match.group(1)} is required when creating ({rule['message']})")
    return problems


# --- patch and transform -------------------------------------------------------------------

def _path(field_path: str) -> list[str]:
    return [part for part in re.findall(r"[^.\[\]]+|\[[^\]]+\]", field_path)
            for part in [part.strip("[]")]]


def get_field(obj: Any, field_path: str) -> Any:
    for part in _path(field_path):
        if not isinstance(obj, Mapping) or part not in obj:
            raise KeyError(field_path)
        obj = obj[part]
    return obj


def set_field(obj: dict[str, Any], field_path: str, value: Any) -> None:
    parts = _path(field_path)
    for part in parts[:-1]:
        obj = obj.setdefault(part, {})
    obj[parts[-1]] = copy.deepcopy(value)


def _transform(value: Any, transforms: list[dict[str, Any]]) -> Any:
    for transform in transforms:
        if transform["type"] == "string" and transform["string"]["type"] == "Format":
            value = transform["string"]["fmt"].replace("%s", str(value))
        elif transform["type"] == "map":
            value = transform["map"][value]
        else:
            raise NotImplementedError(transform)
    return value


def patch_and_transform(resources: list[dict[str, Any]], xr: dict[str, Any],
                        observed: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(desired composed resources by name, desired XR status) for one reconcile."""
    desired: dict[str, Any] = {}
    status: dict[str, Any] = {}
    for template in resources:
        resource = copy.deepcopy(template["base"])
        skip = False
        for patch in template["patches"]:
            kind = patch["type"]
            if kind == "FromCompositeFieldPath":
                try:
                    value = get_field(xr, patch["fromFieldPath"])
                except KeyError:
                    required = patch.get("policy", {}).get("fromFieldPath") == "Required"
                    if required and template["name"] not in observed:
                        skip = True
                        break
                    continue
                set_field(resource, patch["toFieldPath"], _transform(value, patch.get("transforms", [])))
            elif kind == "ToCompositeFieldPath":
                with_status = observed.get(template["name"])
                try:
                    value = get_field(with_status, patch["fromFieldPath"]) if with_status else None
                except KeyError:
                    value = None
                if value is not None:
                    set_field(status, patch["toFieldPath"].removeprefix("status."), value)
            else:
                raise NotImplementedError(kind)
        if not skip:
            desired[template["name"]] = resource
    return desired, status


# --- go templates --------------------------------------------------------------------------

_ACTION = re.compile(r"(\{\{-?\s*)(.*?)(\s*-?\}\})", re.S)


def render_go_template(template: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The YAML documents a function-go-templating template produces from `data`."""
    tokens = _tokenize(template)
    tree, rest = _parse_block(tokens, 0)
    assert rest == len(tokens)
    out: list[str] = []
    _run(tree, [{"$": data}], data, out)
    return [doc for doc in yaml.safe_load_all("".join(out)) if doc]


def _tokenize(template: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _ACTION.finditer(template):
        text = template[position:match.start()]
        if match.group(1).startswith("{{-"):
            text = text.rstrip()
        tokens.append(("text", text))
        tokens.append(("action", match.group(2).strip()))
        position = match.end()
        if match.group(3).endswith("-}}"):
            rest = template[position:]
            position += len(rest) - len(rest.lstrip())
    tokens.append(("text", template[position:]))
    return tokens


def _parse_block(tokens: list[tuple[str, str]], index: int) -> tuple[list[Any], int]:
    nodes: list[Any] = []
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "text":
            nodes.append(("text", value))
            index += 1
            continue
        word = value.split(None, 1)[0]
        if word in ("end", "else"):
            return nodes, index
        if word in ("if", "range"):
            body, index = _parse_block(tokens, index + 1)
            other: list[Any] = []
            if tokens[index][1] == "else":
                other, index = _parse_block(tokens, index + 1)
            assert tokens[index][1] == "end", tokens[index]
            nodes.append((word, value.split(None, 1)[1], body, other))
            index += 1
            continue
        nodes.append(("action", value))
        index += 1
    return nodes, index


def _run(nodes: list[Any], scopes: list[dict[str, Any]], dot: Any, out: list[str]) -> None:
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "action":
            assign = re.match(r"^(\$\w+)\s*(:=|=)\s*(.*)$", node[1], re.S)
            if assign:
                value = _pipeline(assign.group(3), scopes, dot)
                if assign.group(2) == ":=":
                    scopes[-1][assign.group(1)] = value
                else:
                    next(s for s in reversed(scopes) if assign.group(1) in s)[assign.group(1)] = value
            else:
                out.append(_text(_pipeline(node[1], scopes, dot)))
        elif kind == "if":
            branch = node[2] if _truthy(_pipeline(node[1], scopes, dot)) else node[3]
            _run(branch, [*scopes, {}], dot, out)
        elif kind == "range":
            match = re.match(r"^(\$\w+),\s*(\$\w+)\s*:=\s*(.*)$", node[1], re.S)
            assert match, node[1]
            collection = _pipeline(match.group(3), scopes, dot) or {}
            for key in sorted(collection):
                _run(node[2], [*scopes, {match.group(1): key, match.group(2): collection[key]}], dot, out)


def _truthy(value: Any) -> bool:
    return bool(value)


def _text(value: Any) -> str:
    return "<no value>" if value is None else str(value)


def _split_args(text: str) -> list[str]:
    return re.findall(r'"(?:[^"\\]|\\.)*"|\([^)]*\)|\S+', text)


def _pipeline(text: str, scopes: list[dict[str, Any]], dot: Any) -> Any:
    value: Any = None
    for index, command in enumerate(part.strip() for part in _split_pipes(text)):
        args = _split_args(command)
        piped = [value] if index else []
        value = _command(args, piped, scopes, dot)
    return value


def _split_pipes(text: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        if not quoted and char == "(":
            depth += 1
        if not quoted and char == ")":
            depth -= 1
        if char == "|" and not quoted and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _operand(token: str, scopes: list[dict[str, Any]], dot: Any) -> Any:
    if token.startswith('"'):
        return json.loads(token)
    if token.startswith("("):
        return _pipeline(token[1:-1], scopes, dot)
    if token.startswith("$"):
        name, *fields = token.split(".")
        value = next(s[name] for s in reversed(scopes) if name in s)
        return _fields(value, fields)
    if token.startswith("."):
        return _fields(dot, [f for f in token.split(".") if f])
    if re.fullmatch(r"-?\d+", token):
        return int(token)
    if token in FUNCTIONS:
        return FUNCTIONS[token]()
    raise NotImplementedError(f"template operand {token!r}")


def _fields(value: Any, fields: list[str]) -> Any:
    for name in fields:
        if value is None:
            raise ValueError(f"nil pointer evaluating .{name}")
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


def _command(args: list[str], piped: list[Any], scopes: list[dict[str, Any]], dot: Any) -> Any:
    head = args[0]
    if head in FUNCTIONS:
        values = [_operand(a, scopes, dot) for a in args[1:]] + piped
        return FUNCTIONS[head](*values)
    assert len(args) == 1 and not piped, args
    return _operand(head, scopes, dot)


def _dig(*args: Any) -> Any:
    *keys, default, mapping = args
    value = mapping
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def _printf(pattern: str, *values: Any) -> str:
    for value in values:
        pattern = pattern.replace("%s", str(value), 1)
    return pattern


FUNCTIONS: dict[str, Any] = {
    "dig": _dig,
    "dict": lambda: {},
    "list": lambda *values: list(values),
    "eq": lambda a, b: a == b,
    "printf": _printf,
    "toJson": lambda value: json.dumps(value, separators=(",", ":")),
    "hasPrefix": lambda prefix, value: isinstance(value, str) and value.startswith(prefix),
    "hasKey": lambda mapping, key: isinstance(mapping, Mapping) and key in mapping,
}


def compose(composition: Mapping[str, Any], xr: dict[str, Any], subscription_id: str | None) -> list[dict[str, Any]]:
    """Every composed resource of `xr` once the pipeline has converged (the subscription exists with
    `subscription_id`), or on the first reconcile when `subscription_id` is None."""
    observed: dict[str, Any] = {}
    if subscription_id:
        observed["subscription"] = {"status": {"atProvider": {"subscriptionId": subscription_id}}}
    composed: dict[str, Any] = {}
    for step in composition["spec"]["pipeline"]:
        function = step["functionRef"]["name"]
        if function == "function-patch-and-transform":
            desired, status = patch_and_transform(step["input"]["resources"], xr, observed)
            xr = {**xr, "status": {**xr.get("status", {}), **status}}
            if status:  # the next reconcile sees the status written by this one
                desired, _ = patch_and_transform(step["input"]["resources"], xr, observed)
            composed.update(desired)
        elif function == "function-go-templating":
            documents = render_go_template(step["input"]["inline"]["template"],
                                           {"observed": {"composite": {"resource": xr}}})
            for document in documents:
                name = document["metadata"]["annotations"]["gotemplating.fn.crossplane.io/composition-resource-name"]
                composed[name] = document
        elif function != "function-auto-ready":
            raise NotImplementedError(function)
    return list(composed.values())


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())
