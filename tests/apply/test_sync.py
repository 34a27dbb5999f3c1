"""Issue 15 item 6: `vending sync` rolls a vending.yaml change out to the fleet in one commit by the operator."""

from __future__ import annotations

import json
from pathlib import Path

from ..gitops.conftest import Clone, example, git, vending


def bump_module_version(work: Path) -> None:
    config = work / "vending.yaml"
    config.write_text(config.read_text().replace("version: 0.1.1", "version: 0.1.2", 1))
    git(work, "commit", "--quiet", "-am", "Bump the AVM module to 0.1.2")
    git(work, "push", "--quiet", "origin", "HEAD:main")


def test_sync_rolls_a_configuration_change_out_in_one_operator_commit(clone: Clone, trunk: Path) -> None:
    work = clone()
    for name in ("payments-prod", "analytics-dev"):
        assert vending(work, "apply", str(example(name))).returncode == 0
    git(work, "pull", "--quiet", "origin", "main")
    bump_module_version(work)
    before = git(trunk, "rev-parse", "main").strip()

    operator = clone()
    git(operator, "config", "user.name", "Olga Operator")
    git(operator, "config", "user.email", "olga@contoso.com")
    synced = vending(operator, "sync", "--ticket", "CHG-77", "--output", "json")
    assert synced.returncode == 0, synced.stderr
    outcome = json.loads(synced.stdout)
    assert outcome["action"] == "sync" and outcome["changed"] == 2
    assert git(trunk, "rev-parse", "main~1").strip() == before, "one commit"
    assert git(trunk, "log", "-1", "--format=%an <%ae>", "main").strip() == "Olga Operator <olga@contoso.com>"
    trailers = git(trunk, "log", "-1", "--format=%(trailers:only,unfold)", "main")
    assert "Vending-Action: sync" in trailers and "Requested-By: olga@contoso.com" in trailers
    assert "Change-Ticket: CHG-77" in trailers and "alice" not in trailers
    changed = set(git(trunk, "diff-tree", "--no-commit-id", "--name-only", "-r", "main").split())
    assert changed == {"generated/terraform/production/payments-prod/main.tf.json",
                       "generated/terraform/nonproduction/analytics-dev/main.tf.json"}
    assert '"version": "0.1.2"' in git(trunk, "show", "main:generated/terraform/production/payments-prod/main.tf.json")

    again = vending(operator, "sync", "--output", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["action"] == "noop"
    synced_tip = git(trunk, "rev-parse", "main")

    # The next apply is the requester's own change only, not the fleet's.
    resent = vending(clone(), "apply", str(example("analytics-dev")), "--output", "json")
    assert json.loads(resent.stdout)["action"] == "noop"
    assert git(trunk, "rev-parse", "main") == synced_tip


def test_sync_refuses_an_author_that_is_not_name_and_email(clone: Clone) -> None:
    bad = vending(clone(), "sync", "--author", "nobody")
    assert bad.returncode == 2 and "is not 'Name <email>'" in bad.stderr
