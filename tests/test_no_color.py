"""Issue 15 item 10: colour only on a terminal, and never with NO_COLOR set (any non-empty value)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

BAD = "schemaVersion: \"2.0\"\nname: x\n"


def on_a_terminal(tmp_path: Path, env: dict[str, str]) -> str:
    """What `vending validate` of an invalid request prints when its standard error is a terminal."""
    request = tmp_path / "bad.yaml"
    request.write_text(BAD)
    controller, terminal = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TF_BUILD", "FORCE_COLOR")}
    process = subprocess.Popen([sys.executable, "-m", "vending", "validate", str(request)], stdout=subprocess.DEVNULL,
                               stderr=terminal, env={**clean, **env})
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed when the process exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 1
    return b"".join(chunks).decode()


@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": "no"}, False),
                                               ({"NO_COLOR": ""}, True)])
def test_no_color_disables_colour_on_a_terminal(tmp_path: Path, env: dict[str, str], coloured: bool) -> None:
    text = on_a_terminal(tmp_path, env)
    assert "error: /name" in text
    assert ("\x1b[" in text) is coloured
