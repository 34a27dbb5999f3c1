"""What a Crossplane cluster does with our manifests, offline, with the real definitions.

- Schemas: every document is checked against the real CRD of its kind (Crossplane's own for XRDs
  and Compositions, the functions' input CRDs for pipeline inputs, the provider's for composed
  resources): defaults applied, then the openAPIV3Schema with strict field validation (unknown
  fields are errors), then every CEL rule (`x-kubernetes-validations`) evaluated with cel-python.
  Transition rules (`oldSelf`) do not run on create; they are evaluated as GitOps re-applies the
  same document (an update with `oldSelf == self`).
- function-go-templating: the template runs in Go's real text/template with sprig
  (tests/gotemplate.py); only its output handling (annotations, names) is mirrored here.
- function-patch-and-transform: a small evaluator for the patch types and transforms our
  Composition uses (it refuses any other).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import celpy
import yaml
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError
from jsonschema import Draft4Validator

from vending.validation import FORMATS

from . import gotemplate
from .conftest import SHARED

CRDS = SHARED / "reference" / "crossplane-crds"
NAME_ANNOTATION = "gotemplating.fn.crossplane.io/composition-resource-name"
READY_ANNOTATION = "gotemplating.fn.crossplane.io/ready"
COUNTS: Counter[str] = Counter()
"""Checks run in this session: CRD validations and CEL rules evaluated (Go renders: gotemplate.RENDERS)."""

ALLOWED_STRUCTURAL = {
    "type", "properties", "additionalProperties", "items", "required", "description", "enum", "default",
    "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "minItems", "maxItems", "minProperties", "maxProperties", "x-kubernetes-list-type", "nullable",
    "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-map-type",
}
DNS_SUBDOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


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


def with_defaults(instance: Any, schema: Mapping[str, Any]) -> Any:
    """`instance` with the schema's defaults applied, as the API server does before validating."""
    if isinstance(instance, dict):
        out = dict(instance)
        for name, sub in schema.get("properties", {}).items():
            if name not in out and "default" in sub:
                out[name] = copy.deepcopy(sub["default"])
            if name in out:
                out[name] = with_defaults(out[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            out = {k: with_defaults(v, extra) for k, v in out.items()}
        return out
    if isinstance(instance, list) and isinstance(schema.get("items"), Mapping):
        return [with_defaults(item, schema["items"]) for item in instance]
    return instance


def validate_openapi(instance: Any, openapi: Mapping[str, Any]) -> list[str]:
    validator = Draft4Validator(strict(openapi), format_checker=FORMATS)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


# --- CEL -----------------------------------------------------------------------------------

_CEL = celpy.Environment()
# Kubernetes' CEL library functions that the CRDs use beyond standard CEL (cel-go ext strings).
_K8S_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lowerAscii": lambda value: celtypes.StringType(str(value).lower()),
}


@cache
def _program(rule: str) -> Any:
    return _CEL.program(_CEL.compile(rule), functions=_K8S_FUNCTIONS)


def cel_problems(instance: Any, schema: Mapping[str, Any], where: str = "") -> list[str]:
    """Every CEL rule of `schema` evaluated where `instance` has a value; its failures."""
    problems = []
    for rule in schema.get("x-kubernetes-validations", []):
        activation = {"self": json_to_cel(instance)}
        if "oldSelf" in rule["rule"]:
            activation["oldSelf"] = activation["self"]
        COUNTS["CEL rules evaluated"] += 1
        try:
            result = _program(rule["rule"]).evaluate(activation)
        except CELEvalError as exc:
            result = exc
        if isinstance(result, Exception):
            problems.append(f"{where or '/'}: CEL {rule['rule']!r} failed to evaluate: {result}")
        elif result != celtypes.BoolType(True):
            problems.append(f"{where or '/'}: {rule.get('message', rule['rule'])} (CEL {rule['rule']!r})")
    if isinstance(instance, Mapping):
        for name, sub in schema.get("properties", {}).items():
            if name in instance:
                problems.extend(cel_problems(instance[name], sub, f"{where}/{name}"))
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for name, value in instance.items():
                problems.extend(cel_problems(value, extra, f"{where}/{name}"))
    elif isinstance(instance, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(instance):
            problems.extend(cel_problems(item, schema["items"], f"{where}/{index}"))
    return problems


def cel_rule_count(schema: Any) -> int:
    if isinstance(schema, Mapping):
        return len(schema.get("x-kubernetes-validations", [])) + sum(cel_rule_count(v) for v in schema.values())
    if isinstance(schema, list):
        return sum(cel_rule_count(v) for v in schema)
    return 0


# --- CRDs ----------------------------------------------------------------------------------

@cache
def _crd_documents() -> tuple[dict[str, Any], ...]:
    paths = sorted(CRDS.glob("*.yaml")) + sorted(CRDS.glob("*/*.yaml"))
    return tuple(yaml.safe_load(path.read_text()) for path in paths)


def crd_for(api_version: str, kind: str) -> dict[str, Any] | None:
    """The served version of the real CRD for `api_version` and `kind`, or None if ../shared has none."""
    group, version = api_version.split("/")
    for document in _crd_documents():
        if document["spec"]["group"] == group and document["spec"]["names"]["kind"] == kind:
            for served in document["spec"]["versions"]:
                if served["name"] == version and served.get("served", True):
                    return served  # type: ignore[no-any-return]
    return None


def validate_document(document: Mapping[str, Any], served: Mapping[str, Any], *,
                      skip_metadata: bool = True) -> list[str]:
    """A whole object against its CRD version: defaults, schema (strict) and every CEL rule."""
    openapi = served["schema"]["openAPIV3Schema"]
    body = {k: v for k, v in document.items() if not (skip_metadata and k == "metadata")}
    body = with_defaults(body, openapi)
    COUNTS["CRD validations"] += 1
    problems = validate_openapi(body, {**openapi, "properties": {
        k: v for k, v in openapi["properties"].items() if not (skip_metadata and k == "metadata")}})
    return problems + cel_problems(body, openapi)


def validate_kind(document: Mapping[str, Any]) -> list[str]:
    """`document` against the real CRD of its apiVersion and kind (which must be in ../shared)."""
    served = crd_for(document["apiVersion"], document["kind"])
    if served is None:
        return [f"no CRD for {document['apiVersion']} {document['kind']} in {CRDS}"]
    problems = validate_document(document, served)
    name = document.get("metadata", {}).get("name")
    if name is not None and not DNS_SUBDOMAIN.fullmatch(name):
        problems.append(f"/metadata/name: {name!r} is not a DNS-1123 subdomain")
    return problems


# --- patch and transform -------------------------------------------------------------------

def _path(field_path: str) -> list[str]:
    return [part.strip("[]") for part in re.findall(r"[^.\[\]]+|\[[^\]]+\]", field_path)]


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


# --- go-templating -------------------------------------------------------------------------

def go_templating(template: str, request: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The desired composed resources function-go-templating returns for `request` (a
    RunFunctionRequest as a map), by composition resource name, its meta-annotations removed."""
    composed: dict[str, dict[str, Any]] = {}
    for document in yaml.safe_load_all(gotemplate.render(template, request)):
        if document is None:
            continue
        annotations = document.get("metadata", {}).get("annotations", {})
        assert all(isinstance(v, str) for v in annotations.values()), f"invalid annotations: {annotations}"
        assert annotations.get(READY_ANNOTATION, "True") in ("True", "False", "Unspecified"), annotations
        name = annotations.pop(NAME_ANNOTATION, None)
        assert name is not None, f"{document['kind']} template is missing required {NAME_ANNOTATION!r} annotation"
        annotations.pop(READY_ANNOTATION, None)
        if not annotations:
            document["metadata"].pop("annotations")
        assert name not in composed, f"two composed resources are named {name}"
        composed[name] = document
    return composed


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
            request = {
                "observed": {"composite": {"resource": xr},
                             "resources": {name: {"resource": r} for name, r in observed.items()}},
                "desired": {"resources": {name: {"resource": r} for name, r in composed.items()}},
                "input": step["input"],
            }
            composed.update(go_templating(step["input"]["inline"]["template"], request))
        elif function != "function-auto-ready":
            raise NotImplementedError(function)
    return list(composed.values())


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())
