"""Read what `vending schema check` checks from a repository: the only file access of `vending.schemadiff`.

CI runs the check on a pull request's checkout, so every read goes through `vending.repo_files`
like the other commands' reads: a link (`CHANGELOG.md -> /proc/self/environ`), a special file or
a path leaving the repository is refused, never read and quoted in an error.
"""

from __future__ import annotations

from pathlib import Path

from vending.azdo.template import TEMPLATE_PATH
from vending.config import CONFIG_FILE
from vending.errors import Bug, InvalidInput, Problem, UsageError
from vending.loader import MAX_BYTES, load_bytes
from vending.release.field_flow import NOT_MAPPED_PATH
from vending.release.series import SCHEMA_DIR, Series, StoredRequest
from vending.render.crossplane import DEFINITION_PATH
from vending.repo_files import list_files, read_file, request_syntax
from vending.schemas import load_releases

REQUESTS_DIR = "requests"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "default-config.yaml"


def read_series(root: Path) -> Series:
    directory = root / SCHEMA_DIR
    lock = directory / "releases.json"
    if read_file(root, f"{SCHEMA_DIR}/releases.json") is None:  # refuses a link before the lock is parsed
        raise UsageError(f"{lock} not found; run in the repository root or pass --repo DIR")
    try:
        releases = load_releases(directory)
    except (ValueError, KeyError, TypeError, AttributeError, Bug) as exc:
        raise InvalidInput(str(lock), [Problem(f"not a valid release lock: {exc}")]) from None
    present = {path.rsplit("/", 1)[1]: path for path in list_files(root, SCHEMA_DIR)
               if path.count("/") == SCHEMA_DIR.count("/") + 1}
    files = {r.name: data for r in releases
             if r.path.name in present and (data := read_file(root, present[r.path.name])) is not None}
    names = {r.path.name for r in releases}
    unlocked = tuple(sorted(name for name in present if name.endswith(".schema.json") and name not in names))
    changelog = _text(root, "CHANGELOG.md")
    return Series(root, releases, files, unlocked, changelog, _stored_requests(root),
                  read_file(root, TEMPLATE_PATH), read_file(root, DEFINITION_PATH), _config(root),
                  read_file(root, NOT_MAPPED_PATH))


def _config(root: Path) -> tuple[str, bytes]:
    """The repository's vending.yaml, or (in a repository of schemas only) the default `vending init` writes."""
    raw = read_file(root, CONFIG_FILE, limit=MAX_BYTES)
    if raw is not None:
        return CONFIG_FILE, raw
    return str(DEFAULT_CONFIG), DEFAULT_CONFIG.read_bytes()


def _text(root: Path, relative: str) -> str | None:
    data = read_file(root, relative)
    return None if data is None else data.decode("utf-8", "replace")


def _stored_requests(root: Path) -> tuple[StoredRequest, ...]:
    found = []
    for shown in list_files(root, REQUESTS_DIR):
        syntax = request_syntax(shown)
        data = read_file(root, shown) if syntax is not None else None
        if syntax is None or data is None:
            continue
        try:
            document = load_bytes(data, shown, syntax=syntax)
        except InvalidInput as exc:
            found.append(StoredRequest(shown, None, f"cannot be read: {exc.problems[0].message}"))
            continue
        pin = document.data.get("schemaVersion")
        found.append(StoredRequest(shown, pin if isinstance(pin, str) else None,
                                   "" if isinstance(pin, str) else "schemaVersion is missing or not a string"))
    return tuple(found)
