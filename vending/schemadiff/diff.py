"""`diff_schemas(OLD, NEW)`: every difference between two schema versions and the bump it needs.

- major: NEW rejects a document OLD accepted (or cannot be proven not to), or a
  default changed on an existing property;
- minor: NEW accepts a document OLD rejected, and nothing is major;
- patch: only annotations changed, or a refactor that accepts the same documents;
- none: the same schema, key order aside.
"""

from __future__ import annotations

from dataclasses import dataclass

from vending.errors import InvalidInput
from vending.loader import Json
from vending.schemadiff.annotations import annotation_changes
from vending.schemadiff.change import Bump, Change, required_bump, settle
from vending.schemadiff.defaults import default_changes
from vending.schemadiff.document import Doc, canonical
from vending.schemadiff.finding import Finding
from vending.schemadiff.normalize import normalize
from vending.schemadiff.schema_input import schema_problems
from vending.schemadiff.subset import prove
from vending.schemadiff.witness import find_witness

MAX_WITNESS_SEARCHES = 25


@dataclass(frozen=True)
class Diff:
    changes: tuple[Change, ...]

    @property
    def required_bump(self) -> Bump:
        return required_bump(self.changes)

    def as_json(self) -> dict[str, object]:
        return {"required_bump": str(self.required_bump), "changes": [c.as_json() for c in self.changes]}


def diff_schemas(old: Json, new: Json, *, witnesses: bool = True) -> Diff:
    """Raises `InvalidInput` when either is not a JSON Schema: the rules are only sound for valid ones."""
    for label, schema in (("the old schema", old), ("the new schema", new)):
        problems = schema_problems(schema)
        if problems:
            raise InvalidInput(label, problems)
    if canonical(old) == canonical(new):
        return Diff(())
    old_doc, new_doc = Doc("old", normalize(old)), Doc("new", normalize(new))
    breaking, widening = prove(old_doc, new_doc)
    searches = MAX_WITNESS_SEARCHES if witnesses else 0
    changes = []
    for finding in _unique(breaking):
        message = _sentence(finding.message)
        if searches > 0:
            searches -= 1
            witness = find_witness(old_doc, new_doc, finding)
            if witness is not None:
                message = f"{message} {witness.sentence()}"
        changes.append(Change(finding.pointer, finding.kind, Bump.MAJOR, message))
    changes += [Change(f.pointer, f.kind, Bump.MINOR, _sentence(f.message)) for f in _unique(widening)]
    changes += default_changes(old_doc, new_doc)
    changes += annotation_changes(old, new)
    settled = settle(changes)
    if not settled:
        settled = (Change("", "refactor", Bump.PATCH,
                          "the schema was restructured (for example a subschema moved behind $defs and $ref, or a "
                          "list reordered) but accepts exactly the same documents."),)
    return Diff(settled)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.pointer, finding.kind), finding)
    return list(seen.values())


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."
