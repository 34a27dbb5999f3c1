from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, RunCli

BAD = b"""schemaVersion: "1.1"
name: Payments_Prod
workload: Prod
requestedBy: alice
budget:
  amount: -1
  timeGrain: Monthly
  thresholds: [80]
  contactEmails: [finops@contoso.com]
  amout: 4
"""


def test_examples_are_valid(run_cli: RunCli) -> None:
    result = run_cli("validate", str(EXAMPLES))
    assert result.code == 0, result.err
    assert result.out.count(": valid (schema ") == 3
    assert "deprecated" in result.err


def test_all_errors_of_a_file_at_once_with_locations(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BAD)
    result = run_cli("validate", str(bad))
    assert result.code == 1
    lines = result.err.splitlines()
    assert any(line.startswith(f"{bad}:2:7: error: /name: \"Payments_Prod\" does not match the pattern")
               for line in lines)
    assert f"{bad}:3:11: error: /workload: expected one of \"Production\", \"DevTest\"; found \"Prod\"" in lines
    assert f"{bad}:1:1: error: /billingScope: missing required property 'billingScope'" in lines
    assert any(line.startswith(f"{bad}:10:3: error: /budget/amout: unknown property 'amout'") for line in lines)
    assert sum("missing required property" in line for line in lines) == 4
    assert "Traceback" not in result.err


def test_json_output(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BAD)
    result = run_cli("validate", str(EXAMPLES / "analytics-dev.yaml"), str(bad), "--output", "json")
    assert result.code == 1
    payload = json.loads(result.out)
    good, wrong = payload["results"]
    assert good == {"path": str(EXAMPLES / "analytics-dev.yaml"), "valid": True, "schemaVersion": "1.1.0",
                    "errors": [], "warnings": []}
    assert wrong["valid"] is False and wrong["schemaVersion"] == "1.1.0"
    name_error = next(e for e in wrong["errors"] if e["pointer"] == "/name")
    assert (name_error["line"], name_error["column"]) == (2, 7)
    assert set(name_error) == {"line", "column", "pointer", "message"}
    assert result.err == ""


def test_stdin(run_cli: RunCli) -> None:
    result = run_cli("validate", "-", "--output", "json", stdin=(EXAMPLES / "risk-models-prod.json").read_bytes())
    assert result.code == 0
    assert json.loads(result.out)["results"][0]["path"] == "<stdin>"


@pytest.mark.parametrize(("raw", "expected"), [
    (b"schemaVersion: 1.0\n", 'quote it: schemaVersion: "1.0"'),
    (b"a: &x 1\nb: *x\n", "aliases"),
    (b"a: 1\na: 2\n", "duplicate key"),
    (b"x" * (1024 * 1024 + 1), "at most 1,048,576 bytes"),
    (b"\xff", "not valid UTF-8"),
    (b"a: 1\n---\nb: 1\n", "more than one YAML document"),
    (b"[1, 2]\n", "expected a mapping"),
    (b"!!python/object/apply:os.system [echo hi]\n", "YAML tags"),
])
def test_bad_input_classes(run_cli: RunCli, raw: bytes, expected: str) -> None:
    result = run_cli("validate", "-", stdin=raw)
    assert result.code == 1
    assert expected in result.err
    assert "Traceback" not in result.err


def test_missing_file(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert result.code == 1
    assert result.err.strip() == f"{tmp_path / 'nope.yaml'}: error: no such file"


@pytest.mark.parametrize("args", [("validate",), ("validate", "--output", "xml", "x"), ("nonsense",)])
def test_usage_errors_exit_2(run_cli: RunCli, args: tuple[str, ...]) -> None:
    assert run_cli(*args).code == 2


def test_the_installed_console_script(tmp_path: Path) -> None:
    """The real entry point in a real process: exit codes and streams as a pipeline sees them."""
    exe = shutil.which("vending", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "vending"]
    ok = subprocess.run([*command, "validate", str(EXAMPLES)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BAD)
    failed = subprocess.run([*command, "validate", str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert "/budget/amout" in failed.stderr and "Traceback" not in failed.stderr
