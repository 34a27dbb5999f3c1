"""The vending commit: an audit trail of who asked for what, when, and from which pipeline run.

The author is the requester, the committer is the automation identity; the subject says what
happened and the trailers carry the request, the schema versions, the ticket (all given by
`vending/apply.py`, which knows the request) and the Azure DevOps run (read here from the environment).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vending.config import Git
from vending.gitops import git
from vending.gitops.tree import build_tree

_UNSAFE = re.compile(r"[\r\n\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class Commit:
    """A commit to make on a tip of trunk, as plain values."""

    changes: Mapping[str, bytes | None]
    """Repository path -> its new bytes, or None to remove it."""
    message: str
    author: Identity
    settings: Git
    """The committer and signing settings (the tip's vending.yaml)."""


def write_commit(repo: Path, parent: str | None, commit: Commit) -> str:
    """Write `commit` on `parent` (its tree built in a temporary index) and return its id; no ref moves."""
    tree = build_tree(repo, parent, commit.changes)
    return commit_tree(repo, tree, parent, commit.message, commit.author, commit.settings)


def requester_identity(email: str) -> Identity:
    """The requester as a git identity: the e-mail's local part as the name."""
    return Identity(name=email.split("@", 1)[0] or email, email=email)


def one_line(value: str) -> str:
    """A value safe for a trailer: one line, no control characters (pipeline variables are free text)."""
    return _UNSAFE.sub(" ", value).strip()


def pipeline_trailers(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """The Azure DevOps run that made the change, when vending runs in one (TF_BUILD is set)."""
    if not environ.get("TF_BUILD"):
        return []
    trailers = []
    for key, variable in (("Build-Id", "BUILD_BUILDID"), ("Build-Number", "BUILD_BUILDNUMBER"),
                          ("Collection-Uri", "SYSTEM_COLLECTIONURI"), ("Team-Project", "SYSTEM_TEAMPROJECT"),
                          ("Pipeline", "BUILD_DEFINITIONNAME"), ("Requested-For", "BUILD_REQUESTEDFOREMAIL")):
        if environ.get(variable):
            trailers.append((key, one_line(environ[variable])))
    uri, project, build = (environ.get(v, "") for v in ("SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "BUILD_BUILDID"))
    if uri and project and build.isdigit():
        trailers.append(("Pipeline-Run", one_line(f"{uri.rstrip('/')}/{project}/_build/results?buildId={build}")))
    requested_at = pipeline_start(environ.get("SYSTEM_PIPELINESTARTTIME", ""))
    if requested_at:
        trailers.append(("Vending-Requested-At", requested_at))
    return trailers


def pipeline_start(value: str) -> str | None:
    """The run's start (System.PipelineStartTime, such as `2026-01-15 09:30:00+00:00`) as UTC ISO 8601: when
    the request was made, for the lead time to trunk. None when absent or unreadable (no time zone): an
    audit trailer must never guess a time nor stop a vend."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def message(subject: str, body: str, trailers: list[tuple[str, str]], skip_ci: str) -> str:
    head = f"{subject} {skip_ci}".rstrip() if skip_ci else subject
    lines = [head, "", body.rstrip(), ""]
    lines.extend(f"{key}: {one_line(value)}" for key, value in trailers if value)
    return "\n".join(lines) + "\n"


def commit_tree(repo: Path, tree: str, parent: str | None, text: str, author: Identity, settings: Git) -> str:
    """Write the commit object (signed if configured) and return its id; no ref moves."""
    env = {
        "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": settings.committer_name, "GIT_COMMITTER_EMAIL": settings.committer_email,
    }
    args: list[str] = []
    if settings.signing is not None:
        args += ["-c", f"gpg.format={settings.signing.format}", "-c", f"user.signingKey={settings.signing.key}"]
    args += ["commit-tree", tree]
    if parent:
        args += ["-p", parent]
    if settings.signing is not None:
        args.append("-S")
    return git.run(repo, args, input=text, env=env).out.strip()
