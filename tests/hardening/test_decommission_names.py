"""`vending decommission NAME` made paths of NAME unchecked: `../vending` read trunk's vending.yaml as a
stored request, and `x/../payments-prod` reached another subscription's file (stopped only by the name
inside it, with a message blaming trunk). NAME is held to the subscription name rule first."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..gitops.conftest import Clone, example, git, vending


@pytest.mark.parametrize("name", ["../vending", "x/../payments-prod", "payments-prod/.", "Payments-Prod",
                                  "payments-prod\n"])
def test_a_name_that_is_no_subscription_name_is_a_usage_error(clone: Clone, trunk: Path, name: str) -> None:
    work = clone()
    assert vending(work, "apply", str(example("payments-prod"))).returncode == 0
    before = git(trunk, "rev-parse", "main")
    result = vending(work, "decommission", name, "--confirm", name, "--requested-by", "bob@contoso.com",
                     env={"TF_BUILD": "True"})
    assert result.returncode == 2, result.stderr
    assert "is not a subscription name" in result.stderr
    assert "vending.yaml" not in result.stderr and "trunk is inconsistent" not in result.stderr
    assert git(trunk, "rev-parse", "main") == before
