"""A schema file as given on the command line: loaded strictly, and refused unless it is a JSON Schema."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from vending.errors import InvalidInput, Problem
from vending.loader import Json, Marks, load_bytes
from vending.schemadiff.document import Doc, schema_children
from vending.validation import compiled


def parse_schema(raw: bytes, path: str, *, syntax: str = "auto") -> Json:
    """The schema in `raw`; `InvalidInput` (with line and column) when it is not valid JSON Schema."""
    document = load_bytes(raw, path, syntax=syntax)
    problems = schema_problems(document.data, document.marks)
    if problems:
        raise InvalidInput(path, problems)
    return document.data


def schema_problems(schema: Json, marks: Marks | None = None) -> list[Problem]:
    """Why `schema` is not a JSON Schema the comparison can work with (empty when it is)."""
    marks = marks or Marks()
    if not isinstance(schema, Mapping | bool):
        return [marks.problem("not a valid JSON Schema: expected an object or a boolean", "")]
    if isinstance(schema, Mapping) and "draft-03" in str(schema.get("$schema", "")):
        return [marks.problem("draft-03 schemas are not supported; declare draft-04 or later", "/$schema")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # an unknown $schema: checked as 2020-12
        checker = validator_for(schema, default=Draft202012Validator)
    error = best_match(checker(checker.META_SCHEMA).iter_errors(schema))
    declared = isinstance(schema, Mapping) and "$schema" in schema
    if error is not None and not declared and Draft7Validator(Draft7Validator.META_SCHEMA).is_valid(schema):
        error = None  # no declared draft: draft-07 spellings (tuple `items`, `dependencies`) are fine too
    if error is not None:
        pointer = "".join(f"/{t}" for t in error.absolute_path)
        return [marks.problem(f"not a valid JSON Schema: {error.message}", pointer)]
    problems = []
    doc = Doc("input", schema)
    stack: list[tuple[str, Json]] = [("", schema)]
    while stack:
        pointer, node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        patterns = [(f"{pointer}/pattern", node["pattern"])] if isinstance(node.get("pattern"), str) else []
        patterns += [(f"{pointer}/patternProperties", p) for p in node.get("patternProperties") or {}]
        for where, pattern in patterns:
            try:
                compiled(pattern)
            except re.error as exc:
                problems.append(marks.problem(f"{pattern!r} is not a regular expression this tool can use: {exc}",
                                              where))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and not doc.nested_ids and doc.resolve(ref) is None:
            problems.append(marks.problem(f"$ref {ref!r} points to nothing in this schema", f"{pointer}/$ref"))
        stack.extend((p, s) for _, p, s in schema_children(node, pointer))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.pointer))
