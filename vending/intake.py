"""Take a request in: load it, resolve its pin, validate it, check it, upgrade it.

    bytes --load--> document --resolve pin--> release --validate--> valid document
          --semantic checks--> --upgrade--> newest document --model--> Request
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vending import repo_files, schemas
from vending.errors import BrokenRelease, InvalidInput, PinError, Problem
from vending.loader import MAX_BYTES, Document, capped, join_pointer, load_bytes
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
    content, problems = _without_editor_keys(document)
    release, pin_problem = _resolve(document, raw)
    warnings: list[Problem] = []
    if pin_problem is not None:
        problems.insert(0, pin_problem)
    elif release.status == "deprecated":
        note = f" {release.message}" if release.message else ""
        warnings.append(document.marks.problem(f"schema version {release.name} is deprecated.{note}",
                                               "/schemaVersion"))
    # With a pin that does not resolve, the rest of the file is still checked (against the release the pin
    # most likely means): its other problems are not hidden behind the first.
    found = [_hint_newer(p, release) for p in validate(content, schemas.schema_for(release.name), document.marks)]
    problems.extend(p for p in found if pin_problem is None or not _about_pin(p))
    if not found:
        errors, more_warnings = check_request(content, document.marks)
        problems.extend(errors)
        warnings.extend(more_warnings)
    if problems:  # at most MAX_PROBLEMS listed: 90,000 unknown properties must not flood the log
        raise InvalidInput(path, capped(problems), warnings, release=None if pin_problem else release.name)
    newest = schemas.latest()
    upgraded = upgrade(content, release.version.major, newest.name)
    if release.name != newest.name:
        # A newer release must accept what an older one did (newer minors by semver, newer majors through the
        # upgrade step); when it does not, the interface is broken, not the request.
        leftover = validate(upgraded, schemas.schema_for(newest.name))
        if leftover:
            raise BrokenRelease(_broken_release(path, release, newest, leftover))
    request = build_request(upgraded, schema_pin=document.data["schemaVersion"], schema_version=release.name)
    return Accepted(document=document, release=release, request=request, upgraded=upgraded,
                    warnings=tuple(warnings))


EDITOR_KEYS = ("$schema",)
"""Keys an editor reads (yaml-language-server's `$schema`): accepted at the root and kept as stored, never
validated, upgraded or rendered."""


def _without_editor_keys(document: Document) -> tuple[dict[str, Any], list[Problem]]:
    problems = [document.marks.problem(f"{key} must be a string: the URL or path of the request schema an "
                                       "editor checks this file against", join_pointer("", key))
                for key in EDITOR_KEYS if key in document.data and not isinstance(document.data[key], str)]
    return {k: v for k, v in document.data.items() if k not in EDITOR_KEYS}, problems


def _about_pin(problem: Problem) -> bool:
    return problem.pointer == "/schemaVersion" or (problem.pointer == "" and "'schemaVersion'" in problem.message)


def _broken_release(path: str, release: Release, newest: Release, leftover: list[Problem]) -> str:
    found = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in leftover[:5])
    verdict = _schema_check_verdict(newest)
    return (f"{path} is valid under schema {release.name}, its pin, but not under {newest.name}, the newest release "
            f"every request is upgraded to ({found}): release {newest.name} rejects requests an earlier release "
            f"accepted, which only a new major with an upgrade step may do; {verdict}")


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


def _schema_check_verdict(newest: Release) -> str:
    """What `vending schema check` says of the newest release over the one before it (its bump rule)."""
    from vending.schemadiff.change import Bump  # noqa: PLC0415 - only a broken interface pays for the diff
    from vending.schemadiff.diff import diff_schemas  # noqa: PLC0415

    before = [r for r in schemas.usable() if r.version < newest.version]
    if not before:
        return "run vending schema check to see why"
    previous = before[-1]
    diff = diff_schemas(dict(schemas.schema_for(previous.name)), dict(schemas.schema_for(newest.name)))
    made = Bump.MAJOR if newest.version.major != previous.version.major else \
        Bump.MINOR if newest.version.minor != previous.version.minor else Bump.PATCH
    needed = diff.required_bump
    if made >= needed:
        return "run vending schema check to see why"
    listing = "".join(f"\n    {c.pointer or '/'}: {c.message}" for c in diff.changes if c.bump > made)
    release_as = previous.version.bump_major() if needed is Bump.MAJOR else previous.version.bump_minor()
    return (f"vending schema check says: {newest.name} is released as a {made} over {previous.name}, but its "
            f"changes need a {needed}; release it as {release_as} instead, or undo:{listing}")


def _resolve(document: Document, raw: bytes) -> tuple[Release, Problem | None]:
    """The release the request's pin names, or (when it names none) the problem with the pin and the release
    the rest of the file is checked against: the one the pin as written resolves to, else the newest of the
    major it starts with, else the newest."""
    pin = document.data.get("schemaVersion")
    if pin is None:
        guess = schemas.latest()
        return guess, document.marks.problem(
            "missing required property 'schemaVersion': pin the request schema version it is written "
            f"against (supported: {schemas.supported_list()}); the rest of the file was checked against "
            f"{guess.name}", "/schemaVersion")
    written = pin if isinstance(pin, str) else _written(document, raw)
    if isinstance(pin, str):
        try:
            return schemas.resolve_pin(pin), None
        except PinError as exc:
            why = str(exc)
    else:
        quoted = f'"schemaVersion": "{written}"' if document.syntax == "json" else f'schemaVersion: "{written}"'
        hint = f"; quote it: {quoted}" if isinstance(pin, int | float) and written else ""
        why = f"schemaVersion must be a string such as \"{schemas.latest().name}\"{hint}"
    guess = _likely_release(written)
    return guess, document.marks.problem(f"{why}; the rest of the file was checked against {guess.name}",
                                         "/schemaVersion")


def _written(document: Document, raw: bytes) -> str:
    """The pin's text as written in the file (`1.10` stays `1.10`, which the number would not)."""
    line, column = document.marks.locate("/schemaVersion")
    if line is None or column is None:
        return ""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if line > len(lines):
        return ""
    match = re.match(r"[^\s#,}\]]+", lines[line - 1][column - 1:])
    return match.group(0) if match else ""


def _likely_release(written: str) -> Release:
    try:
        return schemas.resolve_pin(written)
    except PinError:
        pass
    major = re.match(r"\d{1,9}(?!\d)", written)
    same_major = [r for r in schemas.usable() if major and r.version.major == int(major.group(0))]
    return same_major[-1] if same_major else schemas.latest()
