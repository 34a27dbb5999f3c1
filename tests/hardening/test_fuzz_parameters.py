"""Structure-aware fuzzing of the pipeline-parameter decoder (`vending request from-pipeline`).

The input is what the template hands over: all parameters as one percent-encoded JSON object, each
value typed (`convertToJson(parameters)`) or as the Runs API's text, plus the template's own
parameters and optional ones left at their neutral defaults; then mutated as the request fuzzer
mutates requests, and sometimes mangled on the way (not encoded, a stray `%`, cut short).
Whatever it is: exit 0 with a request that `vending validate` accepts, or exit 1 naming the
parameter and writing nothing. Never 70, never a traceback.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from vending.azdo.parameters import TEMPLATE_PARAMETERS, encode_for_pipeline

from ..conftest import RunCli
from . import hostile, verdict
from .known import is_open
from .scale import fuzz_settings

NEWEST = [seed for seed in hostile.SEEDS if str(seed["schemaVersion"]).startswith("2")]
NEUTRAL = {"string": "", "object": {}, "array": []}
TEMPLATE_VALUES: dict[str, Any] = {"dryRun": False, "gitopsRepository": "self", "trunkBranch": "main",
                                   "environment": "vending", "vendingVersion": "2.0.0", "terraformVersion": "1.10.5",
                                   "pool": {"vmImage": "ubuntu-latest"}}
MANGLERS: dict[str, Callable[[str], str]] = {
    "encoded": encode_for_pipeline,
    "not-encoded": lambda text: text,
    "stray-percent": lambda text: encode_for_pipeline(text) + "%",
    "half-escape": lambda text: encode_for_pipeline(text) + "%2",
    "other-escape": lambda text: encode_for_pipeline(text).replace("%25", "%41", 1) + "%41",
    "cut-short": lambda text: encode_for_pipeline(text)[: len(text) // 2],
    "list": lambda text: encode_for_pipeline(f"[{text}]"),
    "null": lambda text: "null",
    "empty": lambda text: "",
    "agent-expanded": lambda text: encode_for_pipeline(text).replace("%24(", "$("),
}


def as_text(value: Any) -> Any:
    """A value as the Runs API's templateParameters carry it: text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return hostile.to_json(value, ascii=False)


@st.composite
def pipeline_parameters(draw: st.DrawFn) -> tuple[str, bool]:
    """(the environment variable's value, whether some JSON in it repeats a key)."""
    params: dict[str, Any] = {}
    for name, value in copy.deepcopy(draw(st.sampled_from(NEWEST))).items():
        params[name] = as_text(value) if draw(st.integers(0, 3)) == 0 else value
    for name, kind in hostile.NEWEST_PROPERTIES.items():
        if name not in params and kind in NEUTRAL and draw(st.booleans()):
            params[name] = copy.deepcopy(NEUTRAL[kind])
    if draw(st.booleans()):
        some = {k: TEMPLATE_VALUES[k] for k in TEMPLATE_PARAMETERS[:3]}
        params.update(copy.deepcopy(draw(st.sampled_from([TEMPLATE_VALUES, some]))))
    tree: Any = params
    for _ in range(draw(st.integers(0, 3))):
        tree = draw(st.sampled_from(hostile.MUTATIONS))(draw, tree)
        if not isinstance(tree, dict):
            break
    # ~1000 levels crash the decoder (finding 5; see the corpus). Checked before a value becomes JSON text,
    # where the nesting no longer shows.
    if is_open(5) and hostile.deepest_nest(tree) >= 500:
        tree = {"schemaVersion": "2.0.0"}
    repeated = hostile.has_pairs(tree)
    if isinstance(tree, dict) and draw(st.integers(0, 3)) == 0:  # an object given as JSON text, keys repeated
        # `pool` is the agent pool, read by Azure DevOps and never decoded by vending.
        objects = [k for k, v in tree.items() if isinstance(v, dict) and v and k != "pool"]
        if objects:
            key = draw(st.sampled_from(sorted(objects)))
            first = sorted(tree[key])[0]
            tree[key] = hostile.to_json(hostile.Pairs((*tree[key].items(), (first, tree[key][first]))))
            repeated = True
    text = hostile.to_json(tree, ascii=draw(st.booleans()))
    mangler = draw(st.sampled_from(["encoded"] * 8 + sorted(MANGLERS)))  # mostly as the template encodes
    value = MANGLERS[mangler](text)
    try:
        os.fsencode(value)
    except UnicodeEncodeError:  # a raw lone surrogate: no environment can hold it (escaped ones stay)
        value = MANGLERS[mangler](hostile.to_json(tree, ascii=True))
    return value, repeated


def test_from_pipeline_accepts_or_refuses_cleanly(run_cli: RunCli, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_BUILD", raising=False)
    out = tmp_path / "request.json"

    @fuzz_settings(150)
    @given(case=pipeline_parameters())
    def check(case: tuple[str, bool]) -> None:
        value, repeated = case
        out.unlink(missing_ok=True)
        decoded = run_cli("request", "from-pipeline", "--out", str(out), env={"VENDING_PARAMETERS": value})
        verdict.check_sane(decoded, verdict.PIPELINE, what="from-pipeline")
        event("accepted" if verdict.accepted(decoded) else "refused")
        if not verdict.accepted(decoded):
            assert not out.exists(), "a refused request was written"
            return
        if repeated and not is_open(5):
            raise AssertionError(f"parameters repeating a key were accepted (last one wins):\n{value[:2000]}")
        again = run_cli("validate", str(out))
        assert verdict.accepted(again), f"from-pipeline wrote a request validate refuses:\n{again.err}"
        written = json.loads(out.read_text(encoding="utf-8"))
        assert set(written) <= set(hostile.NEWEST_PROPERTIES), "a template parameter leaked into the request"

    check()
