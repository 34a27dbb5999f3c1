"""What the AVM module (v0.1.1) and Azure refuse although the released request schemas let it through.

Each rule mirrors the module's own validation (file named beside it), so that a request vending
accepts is one the module accepts and sends as written, and the refusal comes at validate time,
pointing at the field, instead of at plan or apply (sometimes after the subscription exists).
They run on the document as submitted, after it passed its pinned schema.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

from vending import roles
from vending.errors import Problem
from vending.loader import Json, Marks, join_pointer

# modules/subscription/variables.tf, subscription_display_name: !can(regex("[<>;|]", ...))
_DISPLAY_NAME_FORBIDDEN = re.compile(r"[<>;|]")
# modules/subscription/variables.tf, subscription_tags names: ^[^<>%&\?/[:cntrl:]]{0,512}$ (RE2's
# [:cntrl:] is ASCII: U+0000-U+001F and U+007F); the schema already refuses <>%&\?/.
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# modules/budget/variables.tf, budget_notifications operator
MODULE_OPERATORS = ("GreaterThan", "GreaterThanOrEqualTo")


def check(doc: Mapping[str, Json], marks: Marks) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about `doc` from the module's and Azure's rules."""
    errors = [*_nfc(doc, "", marks), *_display_name(doc, marks), *_tags(doc, marks), *_billing_scope(doc, marks),
              *_operators(doc, marks), *_definitions(doc, marks), *_resource_providers(doc, marks)]
    duplicate_errors, duplicate_warnings = _duplicate_assignments(doc, marks)
    return errors + duplicate_errors, duplicate_warnings


def _nfc(value: Json, pointer: str, marks: Marks) -> Iterator[Problem]:
    """Terraform normalizes every string to Unicode NFC: text in another form would reach Azure changed."""
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            yield marks.problem(
                f"{value!r} is not in Unicode normalization form C; Terraform would send "
                f"{unicodedata.normalize('NFC', value)!r} instead: write it in NFC", pointer)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            where = join_pointer(pointer, key)
            if not unicodedata.is_normalized("NFC", key):
                yield marks.problem(
                    f"{key!r} is not in Unicode normalization form C; Terraform would send "
                    f"{unicodedata.normalize('NFC', key)!r} instead: write it in NFC", where, key=True)
            yield from _nfc(item, where, marks)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nfc(item, f"{pointer}/{index}", marks)


def _display_name(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    name = doc.get("displayName")
    if not isinstance(name, str):
        return
    found = sorted(set(_DISPLAY_NAME_FORBIDDEN.findall(name)))
    if found:
        yield marks.problem(f"displayName must not contain {', '.join(found)}: the module and Azure refuse "
                            "the characters <, >, ; and | in a subscription name", "/displayName")


def _tags(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    for name, value in (doc.get("tags") or {}).items():
        pointer = join_pointer("/tags", name)
        if _ASCII_CONTROL.search(name):
            yield marks.problem(f"tag name {name!r} contains a control character: the module and Azure refuse "
                                "control characters (and <>%&\\?/) in tag names", pointer, key=True)
        if isinstance(value, str) and "\n" in value:
            yield marks.problem("tag values must be one line: the module refuses a line break in a tag value "
                                "(at most 256 characters, none of them a newline)", pointer)


def _billing_scope(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    scope = doc.get("billingScope")
    if isinstance(scope, str) and _CONTROL.search(scope):
        yield marks.problem("billingScope must not contain line breaks or control characters: its segments are "
                            "billing account, profile, section or customer names Azure looks up", "/billingScope")


def _operators(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    for key, budget in (doc.get("budgets") or {}).items():
        for name, notification in (budget.get("notifications") or {}).items():
            operator = notification.get("operator")
            if operator is not None and operator not in MODULE_OPERATORS:
                yield marks.problem(
                    f"operator {operator!r} is not supported by the AVM module's budgets (only GreaterThan and "
                    "GreaterThanOrEqualTo): use GreaterThanOrEqualTo",
                    join_pointer(join_pointer(join_pointer(join_pointer("/budgets", key), "notifications"), name),
                                 "operator"))


def _assignments(doc: Mapping[str, Json]) -> list[tuple[str, str, str]]:
    """(pointer of the definition, principalId, definition) of every role assignment, 1.x or 2.x."""
    assignments = doc.get("roleAssignments")
    if isinstance(assignments, list):
        return [(f"/roleAssignments/{index}/role", entry["principalId"], entry["role"])
                for index, entry in enumerate(assignments)]
    if isinstance(assignments, Mapping):
        return [(join_pointer(join_pointer("/roleAssignments", key), "definition"), entry["principalId"],
                 entry["definition"]) for key, entry in assignments.items()]
    return []


def _definitions(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    for pointer, _principal, definition in _assignments(doc):
        problem = roles.definition_problem(definition)
        if problem:
            yield marks.problem(problem, pointer)


def _duplicate_assignments(doc: Mapping[str, Json], marks: Marks) -> tuple[list[Problem], list[Problem]]:
    """Two entries Azure sees as one assignment: two state entries for one resource.

    1.x lists: an entry repeated as written (up to GUID case) stays a warning and is assigned once;
    anything else (a role by name and by id, two 2.x keys) is refused.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    listed = isinstance(doc.get("roleAssignments"), list)
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for pointer, principal, definition in _assignments(doc):
        if roles.definition_problem(definition):
            continue
        where = pointer.rsplit("/", 1)[0]
        identity = roles.identity(principal, definition)
        if identity not in seen:
            seen[identity] = (where, roles.normalize_definition(definition))
            continue
        first, first_definition = seen[identity]
        if listed and first_definition == roles.normalize_definition(definition):
            index = first.rsplit("/", 1)[1]
            warnings.append(marks.problem(
                f"the same role assignment is listed at index {index}; it is assigned once", where))
        else:
            errors.append(marks.problem(
                f"this is the same role assignment as {first} (same principal, same role definition): Azure "
                "keeps one assignment, so two entries would fight over it; remove one", where))
    return errors, warnings


def _resource_providers(doc: Mapping[str, Json], marks: Marks) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, namespace in enumerate(doc.get("resourceProviders") or []):
        folded = namespace.lower()
        if folded in first:
            yield marks.problem(
                f"{namespace} is already listed at /resourceProviders/{first[folded]}: resource provider "
                "namespaces are not case-sensitive in Azure", f"/resourceProviders/{index}")
        else:
            first[folded] = index
