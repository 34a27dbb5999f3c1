"""At most 100 problems per file (SECURITY.md promise 4) from every source of problems, not only the
loader: 20,000 unknown properties passed the loader and printed 20,000 errors (and as many
`task.logissue` lines in a pipeline), as did 20,000 unknown pipeline parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vending.azdo.parameters import PARAMETERS_VARIABLE, encode_for_pipeline

from ..conftest import RunCli

COUNT = 20_000
MORE = "more problems like these in this file"


def test_schema_problems_of_one_request_are_capped(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "unknown.yaml"
    path.write_text('schemaVersion: "2.0.0"\n' + "".join(f"x{i}: 1\n" for i in range(COUNT)))
    assert path.stat().st_size < 1024 * 1024
    result = run_cli("validate", str(path), env={"TF_BUILD": "True"})
    assert result.code == 1
    assert result.err.count("unknown property") <= 2 * 100, "a line and its task.logissue, a hundred times"
    assert MORE in result.err
    assert len(result.err.splitlines()) < 250


def test_json_output_lists_the_capped_problems(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps({"schemaVersion": "2.0.0", **{f"x{i}": 1 for i in range(COUNT)}}))
    result = run_cli("validate", "--output", "json", str(path))
    assert result.code == 1
    assert len(json.loads(result.out)["results"][0]["errors"]) == 101


def test_unknown_pipeline_parameters_are_capped(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.delenv("TF_BUILD", raising=False)
    out = tmp_path / "request.json"
    params = json.dumps({f"p{i}": "x" for i in range(COUNT)})
    result = run_cli("request", "from-pipeline", "--out", str(out),
                     env={PARAMETERS_VARIABLE: encode_for_pipeline(params)})
    assert result.code == 1
    assert result.err.count("unknown parameter") == 100
    assert MORE in result.err
    assert not out.exists()
