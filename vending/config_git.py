"""The git settings of `vending.yaml`, held to what they become: commit identities and subject text.

`vending.yaml` comes from trunk, which a reviewed pull request can change. The committer becomes a
git identity, and `skipCi` is appended to every commit subject: a line break there would let the
configuration forge trailers (`Requested-By:`) in the audit trail, and `<` or `>` would break the
identity git writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vending.errors import Problem
from vending.loader import Marks

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EMAIL = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
MAX_SKIP_CI = 64


def git_problems(doc: Mapping[str, Any], marks: Marks) -> Iterator[Problem]:
    git = doc.get("git") or {}
    committer = git.get("committer") or {}
    name, email = committer.get("name"), committer.get("email")
    if isinstance(name, str) and (_CONTROL.search(name) or "<" in name or ">" in name or not name.strip()):
        yield marks.problem("the committer name must be one line of text without '<' or '>' (it becomes the "
                            "git identity of every vending commit)", "/git/committer/name")
    if isinstance(email, str) and not _EMAIL.match(email):
        yield marks.problem("the committer email must be an address such as vending@contoso.com, without spaces, "
                            "'<' or '>'", "/git/committer/email")
    skip = git.get("skipCi")
    if isinstance(skip, str) and (_CONTROL.search(skip) or len(skip) > MAX_SKIP_CI):
        yield marks.problem(f"skipCi is appended to every commit subject: one line of at most {MAX_SKIP_CI} "
                            "characters, without line breaks or control characters", "/git/skipCi")
