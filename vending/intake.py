"""Take a request in: load it, resolve its pin, validate it, check it, upgrade it.

    bytes --load--> document --resolve pin--> release --validate--> valid document
          --semantic checks--> --upgrade--> newest document --model--> Request
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vending import repo_files, schemas
from vending.errors import Bug, InvalidInput, PinError, Problem
from vending.loader import MAX_BYTES, Document, capped, load_bytes
from vending.model import Request, build_request
from vending.schemas import Release
from vending.semantics import check_request
from vending.upgrade import upgrade
from vending.validation import validate


@dataclass(frozen=True)
class Accepted:
    document: Document
    """The request as submitted, with the positions of its values."""
    release: Release
    """The released schema its pin resolved to."""
    request: Request
    """The request upgraded to the newest model."""
    upgraded: dict[str, Any]
    """The document upgraded to the newest schema (what `request` was built from)."""
    warnings: tuple[Problem, ...]

    @property
    def path(self) -> str:
        return self.document.path


def read_source(source: str | Path, display: str | None = None) -> tuple[bytes, str, str]:
    """(bytes, display path, syntax) of a path, or of stdin for `-`."""
    if source == "-":
        return sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>", "auto"
    path = Path(source)
    shown = display or str(source)
    syntax = request_syntax(path.name)
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1), shown, syntax
    except FileNotFoundError:
        raise InvalidInput(shown, [Problem("no such file")]) from None
    except IsADirectoryError:
        raise InvalidInput(shown, [Problem("is a directory, not a request file")]) from None
    except OSError as exc:
        raise InvalidInput(shown, [Problem(f"cannot be read: {exc.strerror}")]) from None


def request_syntax(name: str) -> str:
    """How a request file is read: by its suffix (the one rule, `repo_files.request_syntax`); a file
    with another suffix, or stdin, as JSON if it parses as JSON, else YAML."""
    return repo_files.request_syntax(name) or "auto"


def accept_file(source: str | Path, display: str | None = None) -> Accepted:
    """The accepted request in a file; `display` is how errors name it (default: as given)."""
    raw, path, syntax = read_source(source, display)
    return accept(raw, path, syntax=syntax)


def accept(raw: bytes, path: str, *, syntax: str = "auto") -> Accepted:
    """The accepted request in `raw`, or `InvalidInput` listing every problem."""
    try:
        document = load_bytes(raw, path, syntax=syntax)
    except InvalidInput as exc:
        raise InvalidInput(path, exc.problems) from None
    release = _resolve(document)
    warnings: list[Problem] = []
    if release.status == "deprecated":
        note = f" {release.message}" if release.message else ""
        warnings.append(document.marks.problem(f"schema version {release.name} is deprecated.{note}",
                                               "/schemaVersion"))
    problems = [_hint_newer(p, release) for p in
                validate(document.data, schemas.schema_for(release.name), document.marks)]
    if not problems:
        errors, more_warnings = check_request(document.data, document.marks)
        problems.extend(errors)
        warnings.extend(more_warnings)
    if problems:  # at most MAX_PROBLEMS listed: 90,000 unknown properties must not flood the log
        raise InvalidInput(path, capped(problems), warnings, release=release.name)
    newest = schemas.latest()
    upgraded = upgrade(document.data, release.version.major, newest.name)
    # Across majors an upgrade step rewrote the document: prove it fits the newest schema
    # (within a major it is unchanged, and newer minors accept it by construction).
    leftover = validate(upgraded, schemas.schema_for(newest.name)) if release.version.major < newest.version.major \
        else []
    if leftover:
        raise Bug(f"{path}: upgrading {release.name} to {newest.name} gave an invalid document: "
                  + "; ".join(f"{p.pointer}: {p.message}" for p in leftover))
    request = build_request(upgraded, schema_pin=document.data["schemaVersion"], schema_version=release.name)
    return Accepted(document=document, release=release, request=request, upgraded=upgraded,
                    warnings=tuple(warnings))


def _hint_newer(problem: Problem, release: Release) -> Problem:
    """Point a request at the release that introduced a property it uses too early."""
    if problem.kind != "additionalProperties":
        return problem
    newer = schemas.first_release_allowing(problem.pointer, release)
    if newer is None:
        return problem
    name = problem.pointer.rsplit("/", 1)[-1]
    pin = f"{newer.version.major}.{newer.version.minor}"
    return replace(problem, message=(
        f"unknown property {name!r} in schema {release.name}: it was added in {newer.name}; "
        f"pin schemaVersion \"{pin}\" to use it"))


def _resolve(document: Document) -> Release:
    pin = document.data.get("schemaVersion")
    if pin is None:
        raise InvalidInput(document.path, [document.marks.problem(
            "missing required property 'schemaVersion': pin the request schema version it is written "
            f"against (supported: {schemas.supported_list()})", "/schemaVersion")])
    if not isinstance(pin, str):
        hint = '; quote it in YAML: schemaVersion: "1.0"' if isinstance(pin, int | float) else ""
        raise InvalidInput(document.path, [document.marks.problem(
            f"schemaVersion must be a string such as \"{schemas.latest().name}\"{hint}", "/schemaVersion")])
    try:
        return schemas.resolve_pin(pin)
    except PinError as exc:
        raise InvalidInput(document.path, [document.marks.problem(str(exc), "/schemaVersion")]) from None
