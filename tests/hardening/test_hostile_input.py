"""Findings 5, 6 and the located errors of 10: bad input is exit 1 with file:line:column from every
command (validate, render, apply, request from-pipeline), never exit 70, and the loader is linear."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vending.azdo.parameters import encode_for_pipeline

from ..conftest import RunCli
from ..gitops.conftest import Clone, git

VALID = {"schemaVersion": "2.0.0", "name": "hostile-dev", "displayName": "App", "workload": "DevTest",
         "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
         "managementGroup": "corp", "location": "uksouth", "requestedBy": "eve@contoso.com"}


def _with(field: str, raw_value: str) -> str:
    """The valid request as JSON text, with `field` holding `raw_value` written verbatim."""
    return json.dumps({**VALID, field: "@@"}, indent=1).replace('"@@"', raw_value)


def _every_command(run_cli: RunCli, work: Path, path: Path) -> list[tuple[str, int, str]]:
    outcomes = []
    for args in (["validate", str(path)], ["render", "--dry-run", "--repo", str(work), str(path)],
                 ["apply", "--repo", str(work), str(path)]):
        result = run_cli(*args)
        outcomes.append((args[0], result.code, result.err))
    return outcomes


@pytest.mark.parametrize(("name", "text", "message", "where"), [
    ("surrogate.json", _with("displayName", '"\\ud800"'), "lone surrogate", ":4:17"),
    ("surrogate-key.json", _with("tags", '{"\\udfff": "x"}'), "lone surrogate", ":10:"),
    ("digits.json", json.dumps({**VALID, "schemaVersion": "1" * 5000}), "is not a version", ":1:"),
    ("long-number.json", _with("displayName", "9" * 5000), "a number of 5,000 digits", ":4:17"),
    ("huge.json", _with("displayName", "1e400"), "1e400 is not a finite number", ":4:17"),
    ("nan.json", _with("displayName", "NaN"), "NaN is not a JSON number", ":4:17"),
    ("infinity.json", _with("displayName", "-Infinity"), "-Infinity is not a JSON number", ":4:17"),
    ("deep.json", _with("tags", "[" * 70 + "]" * 70), "nested more than 64 levels", ":10:"),
    ("nul.yaml", "schemaVersion: '2.0.0'\nname: \"a\x00b\"\n", "control character U+0000", ":2:9"),
    ("long-key.json", _with("tags", '{"' + "k" * 1100 + '": "v", "dup": "1", "dup": "2"}'),
     "duplicate key 'dup'", ":10:1132"),
])
def test_bad_input_is_exit_1_located_in_every_command(run_cli: RunCli, clone: Clone, tmp_path: Path, name: str,
                                                      text: str, message: str, where: str) -> None:
    work = clone()
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = git(work, "rev-parse", "HEAD")
    for command, code, err in _every_command(run_cli, work, path):
        assert code == 1, (command, err)
        assert message in err and f"{name}{where}" in err, (command, err)
        assert "internal error" not in err and "Traceback" not in err
    assert git(work, "rev-parse", "HEAD") == before and git(work, "status", "--porcelain") == ""


def test_a_long_key_is_located(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(_with("tags", json.dumps({"k" * 1100: "v"})))
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert "long.json:10:11: error: /tags/kkkk" in result.err and "at most 512 characters" in result.err


def _pipeline(params: object) -> dict[str, str]:
    return {"VENDING_PARAMETERS": encode_for_pipeline(params if isinstance(params, str) else json.dumps(params))}


@pytest.mark.parametrize(("params", "message"), [
    ({**VALID, "displayName": "\ud800"}, "lone surrogate"),
    ({**VALID, "schemaVersion": "1" * 5000}, "is not a version"),
    ('{"name": ' + "[" * 3000 + "]" * 3000 + "}", "nested more than 64 levels"),
    ({**VALID, "tags": '{"a": "1", "a": "2"}'}, "duplicate key 'a'"),
    ({**VALID, "tags": '{"a": NaN}'}, "NaN is not a JSON number"),
    ({**VALID, "tags": '{"a": "\\ud800"}'}, "lone surrogate"),
])
def test_from_pipeline_refuses_what_files_refuse(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path, params: object, message: str) -> None:
    monkeypatch.delenv("TF_BUILD", raising=False)
    out = tmp_path / "request.json"
    if isinstance(params, dict):
        params = json.dumps(params)  # ensure_ascii: a lone surrogate travels as \ud800
    result = run_cli("request", "from-pipeline", "--out", str(out), env=_pipeline(params))
    assert result.code == 1, result.err
    assert message in result.err and "internal error" not in result.err
    assert not out.exists()


def test_validate_json_output_with_a_surrogate_in_a_message(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "enum.json"
    path.write_text(_with("workload", '"\\ud800"'))
    result = run_cli("validate", "--output", "json", str(path))
    assert result.code == 1
    assert json.loads(result.out)["results"][0]["valid"] is False


@pytest.mark.parametrize("syntax", ["json", "yaml"])
def test_100k_duplicate_keys_are_reported_in_linear_time(run_cli: RunCli, tmp_path: Path, syntax: str) -> None:
    count = 100_000 if syntax == "json" else 20_000
    path = tmp_path / f"dups.{syntax}"
    body = ",".join('"a":1' for _ in range(count)) if syntax == "json" else "\n".join("a: 1" for _ in range(count))
    path.write_text("{" + body + "}" if syntax == "json" else body + "\n")
    assert path.stat().st_size < 1024 * 1024
    result = run_cli("validate", str(path))
    assert result.code == 1
    assert result.err.count("duplicate key 'a'") == 100, "the first hundred are listed"
    assert f"and {count - 101:,} more problems like these" in result.err
