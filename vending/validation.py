"""Validate a loaded document against a JSON Schema and explain each error in place.

Formats are asserted, not just annotated: `format: email` means an e-mail.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend

from vending.errors import Problem
from vending.loader import Json, Marks, join_pointer, json_type

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.fullmatch(value))


@FORMATS.checks("ipv4", raises=ipaddress.AddressValueError)
def _is_ipv4(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.IPv4Address(value)
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.fullmatch(value)) and bool(datetime.date.fromisoformat(value))


def ecma_pattern(pattern: str) -> str:
    """`pattern` with ECMA-262 anchors: `$` matches only at the very end, as JSON Schema says.

    Python's `$` also matches before a final newline, so `^[a-z]+$` would accept
    "prod\\n"; a name with a newline must never reach a file name or a commit.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if compiled(pattern).search(name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


EcmaValidator = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern, "patternProperties": _pattern_properties})

FORMAT_WORDS = {"email": "an e-mail address", "ipv4": "an IPv4 address", "date": "a date (YYYY-MM-DD)"}


@functools.cache
def _validator_for(schema_text: str) -> Any:
    return EcmaValidator(json.loads(schema_text), format_checker=FORMATS)


def validator(schema: Mapping[str, Any]) -> Any:
    return _validator_for(json.dumps(schema, sort_keys=True))


def validate(data: Json, schema: Mapping[str, Any], marks: Marks | None = None) -> list[Problem]:
    """Every way `data` breaks `schema`, located and explained, in document order."""
    marks = marks or Marks()
    problems: list[Problem] = []
    for error in validator(schema).iter_errors(data):
        problems.extend(_explain(error, marks))
    # `required` reports each missing property in an error of its own, naming them all.
    unique = {(p.pointer, p.message): p for p in problems}.values()
    return sorted(unique, key=lambda p: (p.line or 0, p.column or 0, p.pointer, p.message))


def pointer_of(error: ValidationError) -> str:
    pointer = ""
    for token in error.absolute_path:
        pointer = join_pointer(pointer, token)
    return pointer


def _shown(value: Json) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _explain(error: ValidationError, marks: Marks) -> Iterator[Problem]:
    pointer = pointer_of(error)
    keyword = str(error.validator)
    expected: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if keyword == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        for name in missing:
            line, column = marks.locate(pointer)
            yield Problem(f"missing required property {name!r}", join_pointer(pointer, name), line, column)
        return
    if keyword == "additionalProperties" and expected is False and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        patterns = [compiled(p) for p in schema.get("patternProperties", {})]
        for name in value:
            if name in allowed or any(p.search(name) for p in patterns):
                continue
            hint = difflib.get_close_matches(name, allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; allowed here: {', '.join(allowed)}"
            yield marks.problem(f"unknown property {name!r}{suggestion}", join_pointer(pointer, name), key=True,
                                kind="additionalProperties")
        return
    path = list(error.relative_schema_path)
    if len(path) >= 2 and path[-2] == "propertyNames" and isinstance(value, str):
        key_pointer = join_pointer(pointer, value)
        yield marks.problem(
            f"the key {_shown(value)} is not allowed here: " + _message(keyword, error, schema, value, key_pointer),
            key_pointer, key=True)
        return
    yield marks.problem(_message(keyword, error, schema, value, pointer), pointer)


def _message(keyword: str, error: ValidationError, schema: Mapping[str, Any], value: Json, pointer: str) -> str:
    expected: Any = error.validator_value
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        message = f"expected {' or '.join(types)}, found {json_type(value)} ({_shown(value)})"
        if pointer == "/schemaVersion" and isinstance(value, int | float):
            message += '; quote the version in YAML: schemaVersion: "1.0"'
        return message
    if keyword == "enum":
        return f"expected one of {', '.join(_shown(v) for v in expected)}; found {_shown(value)}"
    if keyword == "const":
        return f"expected {_shown(expected)}; found {_shown(value)}"
    if keyword == "pattern":
        example = schema.get("examples")
        hint = f" (for example {_shown(example[0])})" if example else ""
        return f"{_shown(value)} does not match the pattern {expected}{hint}"
    if keyword == "format":
        return f"expected {FORMAT_WORDS.get(expected, expected)}; found {_shown(value)}"
    if keyword in _COUNTED:
        bound, unit = _COUNTED[keyword]
        return f"expected {bound} {expected} {unit}; found {len(value)}"
    if keyword in _NUMBER_BOUNDS:
        return f"expected a number {_NUMBER_BOUNDS[keyword]} {expected}; found {_shown(value)}"
    if keyword == "uniqueItems":
        return "expected every item to be different; found duplicates"
    return str(error.message)


_COUNTED = {
    "minLength": ("at least", "characters"), "maxLength": ("at most", "characters"),
    "minItems": ("at least", "items"), "maxItems": ("at most", "items"),
    "minProperties": ("at least", "entries"), "maxProperties": ("at most", "entries"),
}
_NUMBER_BOUNDS = {"exclusiveMinimum": "greater than", "minimum": "of at least", "maximum": "of at most",
                  "exclusiveMaximum": "less than"}
