"""Finding 3: under TF_BUILD everything vending prints passes one writer that defuses logging commands
anywhere in a line and masks secrets in every encoding; diffs of check and render --dry-run included."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
from pathlib import Path

from vending.output import GuardedStream, clean

from ..azdo import agent
from ..gitops.conftest import Clone, git, request_file, vending

SECRET = "s3cr/et+pat=value-41c9"
PIPELINE = {"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": SECRET}
HOSTILE = {
    "inject": "##vso[task.prependpath]/tmp/evil-bin",
    "middle": "text then ##vso[task.setvariable variable=X]y and ##[error]fake",
    "upper": "##VSO[task.complete result=Succeeded]",
    "plain": SECRET,
    "basic": base64.b64encode(f":{SECRET}".encode()).decode(),
    "offset": base64.b64encode(f"user:{SECRET}".encode()).decode(),
    "url": urllib.parse.quote(SECRET, safe=""),
}


def _assert_clean(printed: str) -> None:
    assert [c for c in agent.commands(printed) if c.name != "task.logissue"] == []
    assert "##[" not in printed
    assert "##vso[task.prependpath" not in printed.lower() and "##vso[task.complete" not in printed.lower()
    for value in (SECRET, HOSTILE["basic"], HOSTILE["url"], base64.b64encode(SECRET.encode()).decode()[:12]):
        assert value not in printed
    assert "evil-bin" in printed, "the value itself is still shown, defused"


def test_check_and_dry_run_diffs_are_defused_and_redacted(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    request = request_file(tmp_path, "hostile-dev", tags=HOSTILE)
    (work / "requests").mkdir(exist_ok=True)
    (work / "requests" / "hostile-dev.json").write_text(request.read_text())
    git(work, "add", "requests")
    git(work, "commit", "--quiet", "-m", "a request whose files were never rendered")

    check = vending(work, "check", env=PIPELINE)
    assert check.returncode == 1
    assert "+" in check.stdout and "hostile-dev" in check.stdout, "the diff is printed"
    _assert_clean(check.stdout + check.stderr)

    dry = vending(work, "render", "--dry-run", "--all", env=PIPELINE)
    assert dry.returncode == 0, dry.stderr
    assert "would be added: generated/terraform/nonproduction/hostile-dev/main.tf.json" in dry.stdout
    _assert_clean(dry.stdout + dry.stderr)


def test_errors_and_usage_messages_are_defused_too(clone: Clone, tmp_path: Path) -> None:
    work = clone()
    usage = vending(work, "apply", str(tmp_path / "x.yaml"), "--branch", "##vso[task.prependpath]/tmp/evil-bin",
                    env=PIPELINE)
    assert usage.returncode in (1, 2)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schemaVersion": "2.0.0", "name": f"##vso[task.prependpath]/tmp/evil-bin{SECRET}"}))
    invalid = vending(work, "validate", str(bad), env=PIPELINE)
    assert invalid.returncode == 1
    for printed in (usage.stdout + usage.stderr, invalid.stdout + invalid.stderr):
        assert "##vso[task.prependpath" not in printed and SECRET not in printed
    issues = [c for c in agent.commands(invalid.stderr) if c.name == "task.logissue"]
    assert issues, "vending's own annotations still reach the agent"


def test_a_marker_split_across_writes_is_still_defused() -> None:
    raw = io.StringIO()
    stream = GuardedStream(raw, lambda line: clean(line, [SECRET], pipeline=True))
    pieces = ("diff +  tag: #", "#v", "so[task.prependpath]/tmp/evil-bin s3cr/et+pa", "t=value-41c9\n", "last #",
              "#[error]")
    for piece in pieces:
        stream.write(piece)
    assert raw.getvalue() == "diff +  tag: **vso[task.prependpath]/tmp/evil-bin ***\n"
    stream.finish()
    assert raw.getvalue().endswith("last **[error]")
