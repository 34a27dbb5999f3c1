"""Issue 15 item 9c: a breaking change released as a minor is a clear error naming the release and what
`vending schema check` says (exit 2), not "a bug in vending" (exit 70)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from .test_new_field import copy, run

pytestmark = pytest.mark.slow

__all__ = ["copy"]


def test_a_breaking_minor_release_is_named_not_a_crash(copy: Path) -> None:
    schema = json.loads((copy / "interface/request/2.0.0.schema.json").read_text())
    schema["$id"] = "urn:vending:request:2.1.0"
    schema["title"] = "Subscription request 2.1.0"
    schema["required"] = [*schema["required"], "ticket"]  # breaking: requests without a ticket were valid
    released = copy / "interface/request/2.1.0.schema.json"
    released.write_text(json.dumps(schema, indent=2) + "\n")
    lock_path = copy / "interface/request/releases.json"
    lock = json.loads(lock_path.read_text())
    lock["releases"]["2.1.0"] = {"sha256": hashlib.sha256(released.read_bytes()).hexdigest(), "status": "supported"}
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")

    rendered = run(copy, copy, "render", "--all")
    assert rendered.returncode == 2, rendered.stderr
    assert "internal error" not in rendered.stderr and "bug in vending" not in rendered.stderr
    message = rendered.stderr
    assert message.startswith("vending: error: requests/analytics-dev.yaml is valid under schema 1.1.0")
    assert "not under 2.1.0" in message and "/ticket" in message
    assert "vending schema check says: 2.1.0 is released as a minor over 2.0.0, but its changes need a major; " \
           "release it as 3.0.0 instead" in message
