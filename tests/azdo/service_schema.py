"""Microsoft's schema for azure-pipelines.yml (see shared/reference/azure-pipelines/README.md)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator, validators
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

from ..conftest import SHARED
from .pipelines import hoist

SERVICE_SCHEMA = SHARED / "reference" / "azure-pipelines" / "service-schema.json"


@cache
def service_schema() -> dict[str, Any]:
    if not SERVICE_SCHEMA.is_file():
        pytest.skip(f"Microsoft's pipeline schema is not at {SERVICE_SCHEMA} (the shared reference folder "
                    "is absent), so the pipelines cannot be checked against it here")
    loaded: dict[str, Any] = json.loads(SERVICE_SCHEMA.read_text(encoding="utf-8"))
    return loaded


BOOLEAN_WORDS = {"true", "y", "yes", "on", "false", "n", "no", "off"}  # definitions/boolean


@cache
def validator(kind: type[Validator]) -> Validator:
    """`kind`, reading booleans as the language server does: with every scalar a string, a task input the
    schema types `boolean` (AzureCLI@2's addSpnToEnvironment) is one of the schema's boolean words."""
    checker = kind.TYPE_CHECKER.redefine(
        "boolean", lambda _, value: isinstance(value, bool) or (isinstance(value, str) and value in BOOLEAN_WORDS))
    lenient: type[Validator] = validators.extend(kind, type_checker=checker)  # type: ignore[no-untyped-call]
    return lenient(service_schema())


def errors_of(text: str, kind: type[Validator]) -> list[str]:
    """Every scalar a string, as the README says; `${{ if }}` keys hoisted, as the language server does."""
    document = hoist(yaml.load(text, Loader=yaml.BaseLoader))
    found = list(validator(kind).iter_errors(document))
    if not found:
        return []
    best = best_match(found)
    return [f"{list(best.absolute_path)}: {best.message[:300]}"]


VALIDATORS = pytest.mark.parametrize("kind", [Draft7Validator, Draft202012Validator], ids=["draft7", "2020-12"])
