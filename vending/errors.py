"""The one error hierarchy: every user-facing failure, with its exit code.

The CLI catches `VendingError` once, prints its sentence and exits with its
code; anything else reaching the top is a bug and is reported as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_INVALID = 1  # invalid input, failed check, conflict with trunk
EXIT_USAGE = 2  # bad arguments or configuration
EXIT_GIT = 3  # git failed, or the push could not land within the retry budget
EXIT_REMOTE = 4  # a remote service (Azure DevOps) refused or failed
EXIT_BUG = 70  # an internal error: a traceback was logged


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    kind: str = ""
    """What sort of problem (a schema keyword such as `additionalProperties`); not printed."""

    def as_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "message": self.message,
        }


class VendingError(Exception):
    """A failure the user can act on; `str()` is the sentence to print."""

    exit_code = EXIT_INVALID


class InvalidInput(VendingError):
    """An input file is invalid; carries every problem found in it, the warnings found on the way, the
    schema release a request was checked against (None: its pin did not resolve, or not a request), and
    what was not done because of it (printed after the problems)."""

    def __init__(self, path: str, problems: Sequence[Problem], warnings: Sequence[Problem] = (), *,
                 release: str | None = None, consequence: str | None = None) -> None:
        self.path = path
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        self.release = release
        self.consequence = consequence
        first = self.problems[0].message if self.problems else "invalid"
        super().__init__(f"{path}: {first}")

    def because(self, consequence: str) -> InvalidInput:
        """The same failure, saying what was not done because of it."""
        return type(self)(self.path, self.problems, self.warnings, release=self.release, consequence=consequence)


class FleetInvalid(VendingError):
    """Some input files are invalid (stored requests, or the requests named on the command line);
    `failures` has each file's problems."""

    def __init__(self, failures: Sequence[InvalidInput]) -> None:
        super().__init__(f"{len(failures)} request file(s) are invalid")
        self.failures = tuple(failures)


class UsageError(VendingError):
    exit_code = EXIT_USAGE


class ConfigError(VendingError):
    exit_code = EXIT_USAGE


class ConfigInvalid(InvalidInput):
    """vending.yaml is invalid: a configuration error, with every problem located in the file."""

    exit_code = EXIT_USAGE


class UnsafePath(VendingError):
    """Repository content that is a link, a special file or lies outside the repository."""


class BrokenRelease(VendingError):
    """A released request schema rejects requests an earlier release accepted (a breaking change released as
    a minor, or an upgrade step that does not fit): the repository's interface is wrong, not the request."""

    exit_code = EXIT_USAGE


class PinError(ValueError):
    """A `schemaVersion` that names no usable release; the message lists the supported ones.

    Internal: intake turns it into an InvalidInput located at the request's `/schemaVersion`."""


class PolicyError(ConfigError):
    """A policy module that does not compile or evaluate: the platform team's to fix (exit 2)."""

    def __init__(self, problems: Sequence[tuple[str, Problem]]) -> None:
        self.problems = tuple(problems)
        lines = [f"{path}{f':{p.line}:{p.column}' if p.line else ''}: {p.message}" for path, p in problems]
        super().__init__("\n".join(lines) + "\nfix the policy under policy/ (vending policy test runs its tests)")


class NotFound(VendingError):
    """No stored request of that name (in the commit or working tree a command reads)."""


class GitError(VendingError):
    exit_code = EXIT_GIT


class RemoteError(VendingError):
    exit_code = EXIT_REMOTE


class Bug(Exception):
    """An invariant of our own was broken: never the user's fault."""


class NotOnTrunk(VendingError):
    """The subscription a command names is not on trunk."""


class Conflict(VendingError):
    """Trunk changed the same subscription while this run was in flight."""
