"""Go's text/template with sprig and function-go-templating's extras (tests/render/gotemplate/main.go),
built once per machine from Debian's packaged sources, offline."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

HARNESS = Path(__file__).resolve().parent / "render" / "gotemplate" / "main.go"
GOPATH = Path("/usr/share/gocode")
SPRIG = GOPATH / "src" / "github.com" / "Masterminds" / "sprig"
RENDERS = [0]
"""How many templates ran in Go this session."""
INSTALL = "apt-get install golang-go golang-github-masterminds-sprig-dev (.ci/run does this in CI)"


def missing() -> str | None:
    """Why the real Go templates cannot run here, or None when they can."""
    if shutil.which("go") is None:
        return f"go is not installed: {INSTALL}"
    if not SPRIG.is_dir():
        return f"sprig is not in {SPRIG}: {INSTALL}"
    return None


@cache
def binary() -> Path:
    """The harness, built with GOPATH mode against the Debian sources (no module download)."""
    source = HARNESS.read_bytes()
    key = hashlib.sha256(source + str(SPRIG.resolve()).encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / f"vending-gotemplate-{key}"
    target = directory / "gotemplate"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"gotemplate.{os.getpid()}"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOFLAGS": "",
           "GOCACHE": str(directory / "cache"), "CGO_ENABLED": "0"}
    subprocess.run(["go", "build", "-o", str(partial), str(HARNESS)], env=env, check=True, capture_output=True)
    partial.replace(target)
    return target


def render(template: str, request: Mapping[str, Any]) -> str:
    """The text `template` renders for a RunFunctionRequest `request` (as a map)."""
    RENDERS[0] += 1
    with tempfile.TemporaryDirectory() as work:
        template_file = Path(work) / "template"
        request_file = Path(work) / "request.json"
        template_file.write_text(template, encoding="utf-8")
        request_file.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run([str(binary()), str(template_file), str(request_file)],
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GoTemplateError(done.stderr.strip())
    return done.stdout


class GoTemplateError(Exception):
    """The template did not parse or execute, as the function would report it."""
