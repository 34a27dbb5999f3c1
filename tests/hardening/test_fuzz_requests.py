"""Structure-aware fuzzing of the request loader, through the real CLI.

Every input is a valid request of some schema version with a few hostile mutations (see
`hostile.py`). Whatever it is, `validate`, `render`, `apply` and `request from-pipeline` each
accept it (exit 0) or refuse it (exit 1, saying where), and they agree with each other.
`VENDING_FUZZ_EXAMPLES` scales every count here (default 1; 10 runs ten times as many).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from vending.azdo.parameters import encode_for_pipeline

from ..conftest import RunCli
from ..gitops.conftest import git
from . import hostile, verdict
from .hostile import Hostile
from .known import is_open
from .scale import fuzz_settings
from .trunks import make_clone, make_trunk, tip


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_BUILD", "VENDING_PARAMETERS"):
        monkeypatch.delenv(name, raising=False)


def from_pipeline(run_cli: RunCli, params_json: str, out: Path) -> verdict.Ran:
    return run_cli("request", "from-pipeline", "--out", str(out),
                   env={"VENDING_PARAMETERS": encode_for_pipeline(params_json)})


def _as_json(tree: dict[str, object]) -> Hostile:
    return Hostile(tree=tree, syntax="json", suffix=".json", envelope="none",
                   content=json.dumps(tree).encode())


@pytest.mark.usefixtures("quiet_env")
def test_validate_render_and_from_pipeline_agree(run_cli: RunCli, gitops_repo: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # validate outside any repository: the schema alone, as from-pipeline decodes
    agent = {"TF_BUILD": "True"}

    @fuzz_settings(150)
    @given(request=hostile.requests(), on_agent=st.integers(0, 4))
    @example(request=_as_json({**hostile.MINIMAL_2, "roleAssignments": {"a": {  # not built in, not in roles.custom
        "principalId": "5c8e2a71-3d44-4f6b-9a11-0e2f3a4b5c6d", "definition": "n\u0430me"}}}), on_agent=0)
    @example(request=_as_json({**hostile.MINIMAL_2, "name": "n" * 55,  # vnet-<name>-uksouth: 68 characters
                               "network": {"addressSpace": ["10.0.0.0/24"], "hubPeering": False}}), on_agent=0)
    @example(request=_as_json({**hostile.MINIMAL_2, "budgets": {"b": {  # before the day's window (VENDING_TODAY)
        "amount": 1, "timeGrain": "Monthly", "startDate": "2025-12-01",
        "notifications": {"n": {"threshold": 80, "contactEmails": ["a@contoso.com"]}}}}}), on_agent=0)
    def check(request: Hostile, on_agent: int) -> None:
        for old in work.iterdir():
            old.unlink()
        path = request.write(work)
        validated = run_cli("validate", str(path), env=agent if on_agent == 0 else None)
        no_positions = hostile.loses_positions(request)
        verdict.check_sane(validated, str(path), what="validate", on_agent=on_agent == 0, unlocated_ok=no_positions)
        event("accepted" if verdict.accepted(validated) else "refused")
        rendered = run_cli("render", str(path), "--repo", str(gitops_repo))
        verdict.check_sane(rendered, str(path), what="render", unlocated_ok=no_positions)
        if verdict.accepted(validated):
            assert verdict.accepted(rendered) or verdict.policy_refusal(rendered), \
                f"validate accepts, render refuses:\n{rendered.err}"
        else:
            assert not verdict.accepted(rendered), f"validate refuses, render accepts:\n{validated.err}"

        if not isinstance(request.tree, dict) or (is_open(5) and hostile.deepest_nest(request.tree) >= 500):
            return  # parameters nested ~1000 deep crash from-pipeline (finding 5; corpus: parameters-3000-levels)
        decoded = from_pipeline(run_cli, hostile.to_json(request.tree), work / "out.json")
        verdict.check_sane(decoded, verdict.PIPELINE, what="from-pipeline")
        if not hostile.pipeline_faithful(request.tree) or hostile.deepest_nest(request.tree) >= 500:
            return  # json.dumps below (the test's own encoder) recurses: Python's stack ends near 1000 levels
        try:
            data = hostile.data_of(request.tree)
        except hostile.NoData:
            return
        as_file = work / "same.json"
        as_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
        same = run_cli("validate", str(as_file))
        lost = hostile.has_long_key(request.tree) or hostile.unprintable_in_yaml(as_file.read_bytes())
        verdict.check_sane(same, str(as_file), what="validate (the parameters as a file)", unlocated_ok=lost)
        decoded = from_pipeline(run_cli, json.dumps(data), work / "out.json")
        verdict.check_sane(decoded, verdict.PIPELINE, what="from-pipeline")
        assert verdict.accepted(decoded) == verdict.accepted(same), \
            f"from-pipeline and validate disagree:\n{decoded.err}\n---\n{same.err}"

    check()


@pytest.fixture
def vend_target(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """(trunk, a clone, trunk's first tip): each example is applied to a trunk reset to that tip."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path))
        bare = make_trunk(tmp_path)
        yield bare, make_clone(bare, tmp_path / "clone", detached=True), tip(bare)


@pytest.mark.slow
@pytest.mark.usefixtures("quiet_env")
def test_apply_agrees_with_validate_on_a_real_trunk(run_cli: RunCli, vend_target: tuple[Path, Path, str],
                                                    tmp_path: Path) -> None:
    bare, clone, start = vend_target
    work = tmp_path / "work"
    work.mkdir()

    @fuzz_settings(25)
    @given(request=hostile.requests(mutations=(0, 1), envelopes=False))  # mostly vendable: apply is the point
    def check(request: Hostile) -> None:
        for old in work.iterdir():
            old.unlink()
        path = request.write(work)
        no_positions = hostile.loses_positions(request)
        validated = run_cli("validate", str(path))
        verdict.check_sane(validated, str(path), what="validate", unlocated_ok=no_positions)
        applied = run_cli("apply", str(path), "--repo", str(clone))
        try:
            verdict.check_sane(applied, str(path), what="apply", unlocated_ok=no_positions)
            if not verdict.accepted(validated):
                assert not verdict.accepted(applied), f"validate refuses, apply vends:\n{validated.err}"
            elif not verdict.accepted(applied):
                assert verdict.policy_refusal(applied) or "on trunk to decommission" in applied.err, \
                    f"validate accepts, apply refuses:\n{applied.err}"
            else:
                stored = git(bare, "ls-tree", "--name-only", "main", "requests/").split()
                assert len(stored) == 1, stored
                blob = subprocess.run(["git", "-C", str(bare), "cat-file", "blob", f"main:{stored[0]}"],
                                      capture_output=True, check=True).stdout
                assert blob == request.content, f"{stored[0]} is not the request as submitted"
        finally:
            git(bare, "update-ref", "refs/heads/main", start)

    check()


@pytest.mark.slow
@pytest.mark.usefixtures("quiet_env")
def test_a_real_process_never_crashes(tmp_path: Path) -> None:
    """A few inputs through a real interpreter: what only a process shows (encodings of the real
    streams, signals, the exit status itself)."""

    @fuzz_settings(6)
    @given(request=hostile.requests())
    def check(request: Hostile) -> None:
        path = request.write(tmp_path)
        env = {k: v for k, v in os.environ.items() if k not in ("TF_BUILD", "VENDING_PARAMETERS")}
        params = encode_for_pipeline(hostile.to_json(request.tree)) if isinstance(request.tree, dict) else ""
        # An environment variable holds at most 128 KiB (Linux's MAX_ARG_STRLEN), in a pipeline too.
        if params and len(params) < 100_000 and not (is_open(5) and hostile.deepest_nest(request.tree) >= 500):
            env["VENDING_PARAMETERS"] = params
        for args in (["validate", str(path)], ["request", "from-pipeline", "--out", str(tmp_path / "out.json")]):
            done = subprocess.run([sys.executable, "-m", "vending", *args], capture_output=True, check=False,
                                  env=env, timeout=120)
            run = verdict.Outcome(done.returncode, done.stdout.decode("utf-8", "replace"),
                                  done.stderr.decode("utf-8", "replace"))
            source = str(path) if args[0] == "validate" else verdict.PIPELINE
            if args[0] != "validate" and "VENDING_PARAMETERS" not in env:
                continue
            verdict.check_sane(run, source, what=" ".join(args[:2]), unlocated_ok=hostile.loses_positions(request))

    check()
