from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from vending.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "requests"
SHARED = ROOT.parent / "shared"


@dataclass
class Run:
    code: int
    out: str
    err: str


RunCli = Callable[..., Run]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run the real `vending` entry point in-process, with bytes on stdin."""

    def run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Run:
        out, err = io.BytesIO(), io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8")
        stderr = io.TextIOWrapper(err, encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(sys, "stderr", stderr)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        code = main(list(args))
        stdout.flush()
        stderr.flush()
        return Run(code, out.getvalue().decode(), err.getvalue().decode())

    return run
