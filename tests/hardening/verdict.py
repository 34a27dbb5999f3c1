"""What every run of vending on hostile input must look like, whatever the input.

Accepted: exit 0. Refused: exit 1 and at least one `error:` line, each naming the file and,
unless the problem is the whole file, its line and column. Never exit 70, never a traceback,
and under an Azure Pipelines agent (`TF_BUILD`) no logging command but vending's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ..azdo import agent
from .known import is_open


class Ran(Protocol):
    @property
    def code(self) -> int: ...
    @property
    def out(self) -> str: ...
    @property
    def err(self) -> str: ...


@dataclass(frozen=True)
class Outcome:
    """A finished run of a real process."""

    code: int
    out: str
    err: str


WHOLE_FILE = ("a request may be at most", "no such file", "is a directory", "cannot be read",
              "more problems like these in this file")
"""Problems of the file as a whole, which have no line to point at."""
UNLOCATED_FINDING_10 = ("is not a finite number", "is not a JSON number", "nested more than 64 levels",
                        "unacceptable character", "special characters are not allowed",
                        "integer string conversion")
"""Errors issue 10 (finding 10) lists as lacking line:column: JSON 1e400/NaN/Infinity, >64 levels in
.json, a raw NUL (or other non-printable) in YAML, JSON keys over 1024 characters, over-long integers."""
POLICY = ("hub peering is requested", "the budget would end",
          "is neither a built-in role nor a custom role this repository allows",  # roles.custom
          "would be named",  # a name made by a vending.yaml template
          "is in the past on", "is more than twelve months ahead of",  # a start checked on the day it is vended
          "of subscription '", "of the hub network in", "the reserved range",  # the fleet's address space
          "no free /",  # allocation by size (2.1) from the pools of vending.yaml
          "is recorded for this {size:")  # apply until it allocates (issue 12: wired in with the apply refactor)
"""Refusals that need vending.yaml (or the day, VENDING_TODAY), which `validate` does not read."""
AGENT_COMMANDS = {"task.logissue", "task.setvariable"}

_ERROR = re.compile(r"^(?P<where>.*?): error: (?P<rest>.*)$")


def error_lines(run: Ran) -> list[str]:
    return [line for line in run.err.splitlines() if _ERROR.match(line) and not line.startswith("##vso[")]


PIPELINE = "<pipeline parameters>"
PIPELINE_WHOLE = ("the parameters are not readable", "expected a JSON object of parameters", "is not set",
                  "nested more than 64 levels", "a request may be at most")
"""Problems of the parameters as a whole: they have no property to point at (and no lines at all)."""


def check_sane(run: Ran, source: str, *, what: str, on_agent: bool = False, unlocated_ok: bool = False) -> None:
    """The run accepted or refused `source` the documented way (a file, or the pipeline's parameters).

    `unlocated_ok`: the input is one that finding 10 says loses every position (a JSON key over 1024
    characters anywhere in the file)."""
    context = f"{what}: exit {run.code}\n--- stderr\n{run.err[-3000:]}\n--- stdout\n{run.out[-1000:]}"
    assert run.code in (0, 1), context
    assert "Traceback" not in run.err + run.out, context
    assert "internal error" not in run.err, context
    for command in agent.commands(run.out + "\n" + run.err) if on_agent else ():
        assert command.name in AGENT_COMMANDS, f"a forged logging command got out: {command}\n{context}"
    if run.code == 0:
        return
    lines = error_lines(run)
    assert lines, f"refused without saying why\n{context}"
    for line in lines:
        match = _ERROR.match(line)
        assert match is not None
        where, rest = match["where"], match["rest"]
        if where == "vending":
            continue  # about the run, not the input: trunk's state, a conflict
        assert where.startswith(source), f"the error does not name {source}: {line!r}\n{context}"
        if source == PIPELINE:
            if rest.startswith("/") or any(text in rest for text in PIPELINE_WHOLE):
                continue
            if is_open(10) and any(text in rest for text in UNLOCATED_FINDING_10):
                continue  # 1e400 in an object parameter: "Infinity is not a JSON number", no parameter named
            raise AssertionError(f"an error naming no parameter: {line!r}\n{context}")
        located = re.fullmatch(re.escape(source) + r":\d+:\d+", where) is not None
        if located or any(text in rest for text in WHOLE_FILE):
            continue
        if is_open(10) and (unlocated_ok or any(text in rest for text in UNLOCATED_FINDING_10)):
            continue
        raise AssertionError(f"an error without line:column: {line!r}\n{context}")


def accepted(run: Ran) -> bool:
    return run.code == 0


def policy_refusal(run: Ran) -> bool:
    """Refused only for what vending.yaml adds (hubs, budget dates)."""
    lines = error_lines(run)
    return bool(lines) and all(any(text in line for text in POLICY) for line in lines)
