"""Read what `vending schema check` checks from a repository: the only file access of `vending.compat`."""

from __future__ import annotations

from pathlib import Path

from vending.compat.checks import SCHEMA_DIR, Series, StoredRequest
from vending.errors import Bug, InvalidInput, Problem, UsageError
from vending.loader import load_bytes
from vending.schemas import load_releases

REQUESTS_DIR = "requests"
REQUEST_SUFFIXES = (".yaml", ".yml", ".json")


def read_series(root: Path) -> Series:
    directory = root / SCHEMA_DIR
    lock = directory / "releases.json"
    if not lock.is_file():
        raise UsageError(f"{lock} not found; run in the repository root or pass --repo DIR")
    try:
        releases = load_releases(directory)
    except (ValueError, KeyError, TypeError, AttributeError, Bug) as exc:
        raise InvalidInput(str(lock), [Problem(f"not a valid release lock: {exc}")]) from None
    files = {r.name: r.path.read_bytes() for r in releases if r.path.is_file()}
    names = {r.path.name for r in releases}
    unlocked = tuple(sorted(p.name for p in directory.glob("*.schema.json") if p.name not in names))
    changelog_path = root / "CHANGELOG.md"
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.is_file() else None
    return Series(root, releases, files, unlocked, changelog, _stored_requests(root))


def _stored_requests(root: Path) -> tuple[StoredRequest, ...]:
    directory = root / REQUESTS_DIR
    if not directory.is_dir():
        return ()
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() in REQUEST_SUFFIXES and p.is_file()):
        shown = str(path.relative_to(root))
        syntax = "json" if path.suffix.lower() == ".json" else "yaml"
        try:
            document = load_bytes(path.read_bytes(), shown, syntax=syntax)
        except InvalidInput as exc:
            found.append(StoredRequest(shown, None, f"cannot be read: {exc.problems[0].message}"))
            continue
        pin = document.data.get("schemaVersion")
        found.append(StoredRequest(shown, pin if isinstance(pin, str) else None,
                                   "" if isinstance(pin, str) else "schemaVersion is missing or not a string"))
    return tuple(found)
