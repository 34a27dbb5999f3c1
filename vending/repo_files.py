"""Reading the GitOps repository's own content: plain files inside it only, never through a link.

Anyone who can open a pull request can commit a symbolic link
(`generated/x/main.tf.json -> /proc/self/environ`), a FIFO or a `..` path, and the pipeline
then runs `vending check` on that checkout, next to its tokens. So every read of repository
content (requests, generated files, `vending.yaml`, interface files, records) goes through
here and is refused, with the path named, unless every component below the repository root
is a plain directory and the file itself a regular file: the same rule the writer applies
(`vending/writer.py`).

This module also holds the one rule for request files: which names are request files and
how each is read (by its suffix, everywhere: render, check, apply and validate agree).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

from vending.errors import UnsafePath

REQUEST_SUFFIXES = (".yaml", ".yml", ".json")
"""The suffixes of request files (exactly these: `requests/x.JSON` is not a stored request)."""


def request_syntax(name: str) -> str | None:
    """How a request file named `name` is read: "json", "yaml", or None if it is not a request file."""
    suffix = PurePosixPath(name).suffix
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def is_request_file(name: str) -> bool:
    return request_syntax(name) is not None


def stored_request_paths(directory: str, name: str) -> list[str]:
    """Every path the stored request of subscription `name` may have under `directory`."""
    return [f"{directory}/{name}{suffix}" for suffix in REQUEST_SUFFIXES]


def _refuse(relative: str, why: str) -> UnsafePath:
    return UnsafePath(f"{relative}: {why}; vending reads only plain files inside the repository (a link or "
                      "special file there may point at secrets on the machine): replace it with a plain file")


def inside(root: Path, relative: str) -> Path:
    """`root/relative`, refused if `relative` leaves the repository or passes through a symbolic link.

    The file itself may be missing; a component that exists must be a plain directory."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts or "\\" in relative:
        raise _refuse(relative, "the path leaves the repository")
    probe = root
    for index, part in enumerate(parts):
        probe = probe / part
        try:
            mode = probe.lstat().st_mode
        except FileNotFoundError:
            break
        except NotADirectoryError:
            raise _refuse(relative, f"{'/'.join(parts[:index]) or root} is not a directory") from None
        if stat.S_ISLNK(mode):
            raise _refuse(relative, f"{'/'.join(parts[:index + 1])} is a symbolic link")
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            raise _refuse(relative, f"{'/'.join(parts[:index + 1])} is not a directory")
    return root / relative


def read_file(root: Path, relative: str, *, limit: int | None = None) -> bytes | None:
    """The bytes of the regular file `relative` in the repository at `root` (at most `limit` + 1 bytes,
    so a caller can tell a file over its limit), or None when it does not exist."""
    path = inside(root, relative)
    try:
        # O_NOFOLLOW closes the gap between the check above and the open; O_NONBLOCK keeps a FIFO
        # from hanging the open (it is refused below).
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(relative, "it is a symbolic link") from None
        if exc.errno == errno.EISDIR:
            raise _refuse(relative, "it is a directory") from None
        raise UnsafePath(f"{relative}: cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refuse(relative, "it is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        return handle.read(-1 if limit is None else limit + 1)


def list_files(root: Path, directory: str) -> list[str]:
    """Repository-relative paths of the regular files under `directory` (recursively, sorted); a link or
    special file anywhere under it is refused. A missing directory has no files."""
    return [path.relative_to(root).as_posix() for path in walk(inside(root, directory.rstrip("/")), root)]


def walk(start: Path, root: Path | None = None) -> list[Path]:
    """The regular files under the directory `start` (recursively, sorted), never following a link: a link
    or special file under it is refused (named relative to `root`, default `start`)."""
    base = root or start
    if start.is_symlink():  # `vending validate requests` where a pull request made requests/ a link
        raise _refuse(start.relative_to(root).as_posix() if root else str(start), "it is a symbolic link")
    found: list[Path] = []
    pending = [start]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            raise _refuse(current.relative_to(base).as_posix(), "it is not a directory") from None
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                raise _refuse(path.relative_to(base).as_posix(), "it is a symbolic link")
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                found.append(path)
            else:
                raise _refuse(path.relative_to(base).as_posix(), "it is not a regular file")
    return sorted(found)


def list_requests(root: Path, directory: str) -> list[str]:
    """The request files directly in `directory` of the repository, sorted (links and special files
    refused): the one discovery rule, for the stored requests and for `vending validate DIR` alike."""
    return [f"{directory}/{name}" for name in request_names(inside(root, directory), directory)]


def request_names(start: Path, shown: str) -> list[str]:
    """The names of the request files directly in the directory `start` (shown as `shown` in errors),
    sorted; a link (the directory itself, or a request-named entry) or special file is refused,
    subdirectories are not looked into."""
    if start.is_symlink():  # `vending validate requests` where a pull request made requests/ a link
        raise _refuse(shown, "it is a symbolic link")
    try:
        entries = sorted(os.scandir(start), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if not is_request_file(entry.name):
            continue
        relative = f"{shown}/{entry.name}"
        if entry.is_symlink():
            raise _refuse(relative, "it is a symbolic link")
        if entry.is_dir(follow_symlinks=False):
            continue
        if not entry.is_file(follow_symlinks=False):
            raise _refuse(relative, "it is not a regular file")
        found.append(entry.name)
    return found
