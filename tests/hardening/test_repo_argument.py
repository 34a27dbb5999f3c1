"""`--repo` naming something that is not a directory (`/dev/null`) said `vending.yaml:  is not a
directory`, with the path left blank; it names what is not a directory."""

from __future__ import annotations

from ..conftest import RunCli


def test_a_repo_that_is_no_directory_is_named(run_cli: RunCli) -> None:
    result = run_cli("check", "--repo", "/dev/null")
    assert result.code == 2
    assert "/dev/null is not a directory" in result.err and "Traceback" not in result.err
