"""The fleet: every request stored under `requests/`, one file per subscription named after it."""

from __future__ import annotations

from pathlib import Path

from vending.config import REQUESTS_DIR
from vending.errors import FleetInvalid, InvalidInput, Problem, UnsafePath
from vending.intake import Accepted, accept, request_syntax
from vending.loader import MAX_BYTES
from vending.repo_files import list_requests, read_file


def stored_paths(root: Path) -> list[Path]:
    """The stored request files (links and special files under requests/ are refused)."""
    return [root / relative for relative in list_requests(root, REQUESTS_DIR)]


def accept_stored(root: Path, relative: str, display: str | None = None) -> Accepted:
    """The request file at `relative` in the repository, read as its suffix says (the one way every
    command reads it); `display` is how errors name it (default: `relative`)."""
    shown = display or relative
    try:
        raw = read_file(root, relative, limit=MAX_BYTES)
    except UnsafePath as exc:
        raise InvalidInput(shown, [Problem(str(exc).removeprefix(f"{relative}: "))]) from None
    if raw is None:
        raise InvalidInput(shown, [Problem("no such file")])
    return accept(raw, shown, syntax=request_syntax(relative))


def relative(root: Path, path: Path) -> str:
    """`path` as shown to people and written in generated headers: relative to the repository,
    or only its name when it lies outside (generated files never hold machine-specific paths)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def check_stored(item: Accepted, path: Path, shown: str) -> None:
    """A stored request must be named after the subscription, so it can be found without a scan."""
    name = item.request.name
    if path.stem != name:
        raise InvalidInput(shown, [item.document.marks.problem(
            f"the stored request of {name!r} must be named {REQUESTS_DIR}/{name}{path.suffix}", "/name")])


def load_fleet(root: Path) -> list[Accepted]:
    """Every stored request, accepted; `FleetInvalid` lists every file that is not."""
    failures: list[InvalidInput] = []
    seen: dict[str, str] = {}
    accepted: list[Accepted] = []
    for path in stored_paths(root):
        shown = path.relative_to(root).as_posix()
        try:
            item = accept_stored(root, shown)
            check_stored(item, path, shown)
        except InvalidInput as exc:
            failures.append(exc)
            continue
        name = item.request.name
        if name in seen:
            failures.append(InvalidInput(shown, [Problem(f"{name!r} is stored twice: here and in {seen[name]}")]))
            continue
        seen[name] = shown
        accepted.append(item)
    if failures:
        raise FleetInvalid(failures)
    return accepted
