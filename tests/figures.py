"""Figures the tests measure for the record, printed at the end of the run (tests/conftest.py).

A module that gathers figures registers how to take this process's share of them (plain data), how to
add another process's share, and how to print the total. Under pytest-xdist each worker gathers only
the figures of the tests it ran: it sends its shares to the controller (`workeroutput`), which imports
the registering modules, adds the shares up and prints the figures of the whole run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

WORKER_OUTPUT = "vending-figures"


@dataclass(frozen=True)
class Figures:
    share: Callable[[], Any]
    """This process's figures, as data execnet can send (dicts, lists, strings, numbers)."""
    add: Callable[[Any], None]
    """Add another process's share to this one's."""
    lines: Callable[[], list[str]]
    """The figures to print; none when the tests that gather them did not run."""
    title: str | None = None
    """A section of its own in pytest's summary, or None for lines printed before the sections."""


REGISTERED: dict[str, Figures] = {}


def register(module: str, figures: Figures) -> None:
    """Register the figures a module gathers; `module` is its `__name__`, which the controller imports."""
    REGISTERED[module] = figures


def shares() -> dict[str, Any]:
    return {module: figures.share() for module, figures in sorted(REGISTERED.items())}


def add_shares(received: dict[str, Any]) -> None:
    for module, share in sorted(received.items()):
        importlib.import_module(module)  # registers its figures in this process
        REGISTERED[module].add(share)


def write(terminalreporter: pytest.TerminalReporter) -> None:
    for _, figures in sorted(REGISTERED.items(), key=lambda item: (item[1].title is not None, item[0])):
        lines = figures.lines()
        if not lines:
            continue
        if figures.title:
            terminalreporter.section(figures.title)
        for line in lines:
            terminalreporter.write_line(line)
