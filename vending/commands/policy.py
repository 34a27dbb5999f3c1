"""`vending policy test`: run the tests of the Rego policies under policy/, like `opa test`."""

from __future__ import annotations

from pathlib import Path

import click

from vending import reporter
from vending.commands.options import open_repo, repo_option
from vending.errors import EXIT_INVALID, EXIT_OK
from vending.policy import policy_engine
from vending.rego import POLICY_DIR, run_tests


@click.group("policy")
def command() -> None:
    """Policy as code: the Rego (v1) modules under policy/ of the GitOps repository.

    render, check and apply evaluate their deny, violation and warn rules against every request.
    """


@command.command("test")
@repo_option
def test_command(repo: Path | None) -> int:
    """Run every test_* rule of the modules under policy/: each passes when it evaluates to true.

    Prints PASS or FAIL per test with its file, then a summary; exit 1 when a test fails, 2 when a
    module does not compile (with its file, line and column). The tests see the repository's data
    (data.vending.config, data.vending.fleet) unless they replace it with `with data... as`.
    """
    config = open_repo(repo)
    engine = policy_engine(config, tests=True)
    results = run_tests(engine) if engine else []
    if not results:
        reporter.echo(f"no test rules (test_*) in {POLICY_DIR}/")
        return EXIT_OK
    for result in results:
        detail = f" ({result.detail})" if result.detail else ""
        reporter.echo(f"{result.path}: {result.rule}: {'PASS' if result.passed else 'FAIL'}{detail}")
    failed = sum(not result.passed for result in results)
    reporter.echo("-" * 40)
    reporter.echo(f"PASS: {len(results) - failed}/{len(results)}" + (f"\nFAIL: {failed}/{len(results)}" if failed
                                                                      else ""))
    return EXIT_INVALID if failed else EXIT_OK
