"""The fleet: every request stored under `requests/`, one file per subscription named after it."""

from __future__ import annotations

from pathlib import Path

from vending.config import REQUESTS_DIR
from vending.errors import InvalidInput, Problem, VendingError
from vending.intake import Accepted, accept_file

SUFFIXES = (".yaml", ".yml", ".json")


class FleetInvalid(VendingError):
    """Some stored requests are invalid; `failures` has each file's problems."""

    def __init__(self, failures: list[InvalidInput]) -> None:
        super().__init__(f"{len(failures)} stored request(s) are invalid")
        self.failures = failures


def stored_paths(root: Path) -> list[Path]:
    directory = root / REQUESTS_DIR
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())


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
        shown = relative(root, path)
        try:
            item = accept_file(path, shown)
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
