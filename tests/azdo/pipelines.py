"""Enough of Azure Pipelines to run the template's steps for real, for the injection tests.

Each function does one thing the service or the agent does, as Microsoft
documents it, and refuses what it does not know so the template cannot drift
past the emulation unnoticed:

1. `bind`: typed runtime/template parameters from the values given (the Runs
   API gives strings; an object parameter's string is parsed as YAML).
2. `expand`: compile-time `${{ }}` expressions (a value that is one expression
   keeps its type; inside a longer string the result is text).
3. `macros`: run-time `$(name)` macro expansion in step inputs and `env:`
   values; an unknown name is left as it is.
4. `run_bash`: a `bash:` step, written to a file and run with `bash --noprofile
   --norc`, with the job's non-secret variables and the step's `env:` as its
   environment (secret variables are never mapped into the environment).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_MACRO = re.compile(r"\$\(([^()\s]+)\)")
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w-]*)"
                    r"|(?P<punct>[().,\[\]]))")


class PipelineError(Exception):
    """What Azure Pipelines would refuse at compile time."""


def bind(declared: list[dict[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(given) - {p["name"] for p in declared}
    if unknown:
        raise PipelineError(f"Unexpected parameter(s) {sorted(unknown)}")
    bound: dict[str, Any] = {}
    for parameter in declared:
        name, kind = parameter["name"], parameter["type"]
        if name in given:
            value = _typed(given[name], kind, name)
        elif "default" in parameter:
            value = parameter["default"]
        else:
            raise PipelineError(f"A value for the '{name}' parameter must be provided.")
        if "values" in parameter and str(value) not in parameter["values"]:
            raise PipelineError(f"The '{name}' parameter value '{value}' is not a valid value.")
        bound[name] = value
    return bound


def _typed(value: Any, kind: str, name: str) -> Any:
    if not isinstance(value, str) or kind == "string":
        return value
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise PipelineError(f"The '{name}' parameter value '{value}' is not a valid boolean.")
        return value.lower() == "true"
    if kind == "number":
        return json.loads(value)
    return yaml.safe_load(value)  # object, pool: YAML (JSON is YAML)


_CONDITION = re.compile(r"^\$\{\{\s*if\s+(.*?)\s*\}\}$", re.DOTALL)


def expand(node: Any, parameters: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        return {expand(k, parameters): expand(v, parameters) for k, v in node.items()}
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            condition = _conditional(item)
            if condition is None:
                items.append(expand(item, parameters))
            elif _truthy(evaluate(condition, parameters)):  # conditional insertion of a list's items
                items.extend(expand(next(iter(item.values())), parameters))
        return items
    if not isinstance(node, str) or "${{" not in node:
        return node
    whole = _EXPRESSION.fullmatch(node.strip())
    if whole:
        return evaluate(whole.group(1), parameters)
    return _EXPRESSION.sub(lambda m: _text(evaluate(m.group(1), parameters)), node)


def _conditional(item: Any) -> str | None:
    if isinstance(item, dict) and len(item) == 1:
        match = _CONDITION.match(str(next(iter(item))))
        if match:
            if not isinstance(next(iter(item.values())), list):
                raise PipelineError("the emulation inserts lists of items under ${{ if }} only")
            return match.group(1)
    return None


def _truthy(value: Any) -> bool:
    """Azure's conversion to boolean: null, false, 0, '' and nothing else are false (objects are true)."""
    return value not in (None, False, 0, "")


def hoist(node: Any) -> Any:
    """What the language server validates: the items under a `${{ if }}` key moved up into the list."""
    if isinstance(node, dict):
        return {key: hoist(value) for key, value in node.items()}
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            if _conditional(item) is not None:
                items.extend(hoist(next(iter(item.values()))))
            else:
                items.append(hoist(item))
        return items
    return node


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict | list):
        raise PipelineError("an object cannot be inserted into a string")
    return str(value)


def evaluate(expression: str, parameters: Mapping[str, Any]) -> Any:
    tokens = [m for m in _TOKEN.finditer(expression)]
    if "".join(m.group(0) for m in tokens).strip() != expression.strip():
        raise PipelineError(f"cannot read the expression {expression!r}")
    parser = _Parser([(m.lastgroup or "", m.group(m.lastgroup or 0)) for m in tokens], parameters)
    value = parser.expression()
    if parser.position != len(parser.tokens):
        raise PipelineError(f"unexpected text in {expression!r}")
    return value


FUNCTIONS: dict[str, Any] = {
    "replace": lambda text, old, new: _text(text).replace(_text(old), _text(new)),
    "convertToJson": lambda value: json.dumps(value, indent=2),
    "eq": lambda a, b: _text(a).lower() == _text(b).lower(),
    "not": lambda a: not a,
}


@dataclass
class _Parser:
    tokens: list[tuple[str, str]]
    parameters: Mapping[str, Any]
    position: int = 0

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise PipelineError("the expression ends too soon")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise PipelineError(f"expected {expected!r}, found {token[1]!r}")
        self.position += 1
        return token

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def expression(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return json.loads(text)
        if kind != "name":
            raise PipelineError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if self.peek() == "(":
            if text not in FUNCTIONS:
                raise PipelineError(f"the emulation does not know the function {text}()")
            self.take("(")
            arguments = []
            while self.peek() != ")":
                arguments.append(self.expression())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return FUNCTIONS[text](*arguments)
        if text != "parameters":
            raise PipelineError(f"{text} is not available at compile time here")
        value: Any = self.parameters
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = self.expression()
                self.take("]")
            if value is self.parameters and key not in value:
                raise PipelineError(f"unknown parameter {key!r}")
            # A property an object does not have is null, as in Azure's expressions.
            value = value.get(key) if isinstance(value, Mapping) else None
        return value


def compile_run(consumer_text: str, template_text: str, run_parameters: Mapping[str, str]) -> dict[str, Any]:
    """The pipeline Azure would run: the consumer's runtime parameters from the Runs API,
    passed through `extends` into the template, and the template expanded with them."""
    consumer = yaml.safe_load(consumer_text)
    root = bind(consumer["parameters"], run_parameters)
    passed = expand(consumer["extends"]["parameters"], root)
    template = yaml.safe_load(template_text)
    bound = bind(template.pop("parameters"), passed)
    expanded: dict[str, Any] = expand(template, bound)
    return expanded


def macros(text: str, variables: Mapping[str, str]) -> str:
    known = {name.lower(): value for name, value in variables.items()}
    return _MACRO.sub(lambda m: known.get(m.group(1).lower(), m.group(0)), text)


def environment_name(variable: str) -> str:
    return variable.upper().replace(".", "_")


@dataclass
class StepResult:
    code: int
    out: str
    err: str
    env: dict[str, str]
    script: str


def run_bash(step: Mapping[str, Any], variables: Mapping[str, str], secrets: set[str], base_env: Mapping[str, str],
             workdir: Path) -> StepResult:
    script = macros(step["bash"], variables)
    env = {**base_env, **{environment_name(k): v for k, v in variables.items() if k not in secrets}}
    step_env = {name: macros(str(value), variables) for name, value in step.get("env", {}).items()}
    env.update(step_env)
    path = workdir / "step.sh"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(["bash", "--noprofile", "--norc", str(path)], env=env, cwd=workdir, capture_output=True,
                          text=True, check=False, timeout=120)
    return StepResult(done.returncode, done.stdout, done.stderr, step_env, script)
