"""A local stand-in for the AVM module with its real input variables and types, for offline
`terraform validate`: a typo or a type error in a generated module call fails exactly as it
would against the real module. Generated from ../shared/reference/avm-sub-vending-variables.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .conftest import SHARED

VARIABLES = SHARED / "reference" / "avm-sub-vending-variables.json"


def terraform_missing_reason() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not installed on this machine"
    if not VARIABLES.is_file():
        return f"{VARIABLES} is absent (../shared is needed for the AVM module's variables)"
    return None


def write_stub(directory: Path) -> None:
    """The stub module: every AVM variable with its HCL type and default; outputs echo the inputs."""
    variables: dict[str, Any] = json.loads(VARIABLES.read_text())
    blocks = []
    for name, spec in variables.items():
        lines = [f'variable "{name}" {{', f"  type = {spec['type']}"]
        if not spec["required"]:
            # JSON is a valid HCL literal for these defaults (none holds a template sequence).
            lines.append(f"  default = {json.dumps(spec['default'])}")
        lines.append("}")
        blocks.append("\n".join(lines))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "variables.tf").write_text("\n\n".join(blocks) + "\n")
    echo = ",\n".join(f"    {name} = var.{name}" for name in variables)
    (directory / "outputs.tf").write_text(
        'output "subscription_id" { value = "00000000-0000-0000-0000-0000000000aa" }\n'
        'output "subscription_resource_id" { value = "/subscriptions/00000000-0000-0000-0000-0000000000aa" }\n'
        f'output "inputs" {{\n  value = {{\n{echo}\n  }}\n}}\n')


def offline_copy(root_json: Path, target: Path, stub: Path) -> Path:
    """A copy of a generated root that calls the stub and needs no provider download nor backend
    (state stays local); the module call itself is untouched."""
    document = json.loads(root_json.read_text())
    if "module" in document:  # a decommissioned root has only a removed block
        module = document["module"]["subscription"]
        module["source"] = str(stub.resolve())
        del module["version"]  # local modules have no version
        document["output"]["inputs"] = {"value": "${module.subscription.inputs}"}
    document["terraform"].pop("required_providers", None)
    document["terraform"].pop("backend", None)
    document.pop("provider", None)
    target.mkdir(parents=True, exist_ok=True)
    (target / "main.tf.json").write_text(json.dumps(document, indent=2))
    return target


def terraform(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={directory}", *args], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
             "HOME": str(directory)},
    )


# A parser for the HCL type expressions of the AVM variables, to prove that every attribute
# a generated call passes exists in the type: Terraform itself silently drops unknown object
# attributes, so a misspelt optional attribute would never reach Azure and never fail.

Type = tuple[Any, ...]


def parse_type(text: str) -> Type:
    tokens = [t for t in _tokens(text)]
    parsed, rest = _parse(tokens)
    assert not rest, rest
    return parsed


def _tokens(text: str) -> list[str]:
    return re.findall(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*|[-0-9.]+|[(){}\[\],=]', text)


def _parse(tokens: list[str]) -> tuple[Type, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head in ("string", "number", "bool", "any"):
        return (head,), rest
    if head in ("map", "list", "set"):
        assert rest[0] == "("
        inner, rest = _parse(rest[1:])
        assert rest[0] == ")"
        return (head, inner), rest[1:]
    if head == "optional":
        inner, rest = _parse(rest[1:])
        if rest[0] == ",":
            rest = _skip_value(rest[1:])
        assert rest[0] == ")"
        return inner, rest[1:]
    if head == "object":
        assert rest[:2] == ["(", "{"]
        rest = rest[2:]
        attributes: dict[str, Type] = {}
        while rest[0] != "}":
            name = rest[0]
            assert rest[1] == "=", rest[:3]
            attributes[name], rest = _parse(rest[2:])
            if rest[0] == ",":
                rest = rest[1:]
        assert rest[1] == ")"
        return ("object", attributes), rest[2:]
    raise AssertionError(f"unexpected type token {head!r}")


def _skip_value(tokens: list[str]) -> list[str]:
    depth = 0
    while True:
        token = tokens[0]
        if token in "([{" and depth >= 0 and token:
            depth += 1
        elif token in ")]}" and token:
            if depth == 0:
                return tokens
            depth -= 1
        elif token == "," and depth == 0:
            return tokens
        tokens = tokens[1:]


def unknown_attributes(value: Any, kind: Type, where: str = "") -> list[str]:
    """Pointers of the attributes in `value` that `kind` does not declare."""
    if kind[0] == "object" and isinstance(value, dict):
        found = []
        for name, item in value.items():
            if name not in kind[1]:
                found.append(f"{where}/{name}")
            else:
                found.extend(unknown_attributes(item, kind[1][name], f"{where}/{name}"))
        return found
    if kind[0] == "map" and isinstance(value, dict):
        return [p for key, item in value.items() for p in unknown_attributes(item, kind[1], f"{where}/{key}")]
    if kind[0] in ("list", "set") and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unknown_attributes(item, kind[1], f"{where}/{i}")]
    return []


def variable_types() -> dict[str, Type]:
    variables: dict[str, Any] = json.loads(VARIABLES.read_text())
    return {name: parse_type(spec["type"]) for name, spec in variables.items()}
