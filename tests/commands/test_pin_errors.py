"""Issue 15 item 9 (a, b): a pin that does not resolve hides none of the file's other problems, and an
unquoted version is quoted back as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import RunCli

BODY = """name: Bad_Name
displayName: x
workload: Prod
billingScope: /providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2
managementGroup: corp
location: uksouth
requestedBy: not-an-email
resourceProviders: [Microsoft.KeyVault]
"""
OTHER_PROBLEMS = ("/name:", "/workload:", "/requestedBy:")


@pytest.mark.parametrize(("pin", "says", "checked_against"), [
    ('"9.9"', "unknown schema version '9.9'", "2.1.0"),
    ('"1.7"', "unknown schema version '1.7'", "1.1.0"),
    ("1.1", 'quote it: schemaVersion: "1.1"', "1.1.0"),
    ("1.10", 'quote it: schemaVersion: "1.10"', "1.1.0"),
])
def test_a_bad_pin_still_reports_the_other_problems(run_cli: RunCli, tmp_path: Path, pin: str, says: str,
                                                     checked_against: str) -> None:
    request = tmp_path / "bad.yaml"
    request.write_text(f"schemaVersion: {pin}\n{BODY}")
    result = run_cli("validate", str(request))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith(f"{request}:1:16: error: /schemaVersion: ")
    assert says in lines[0] and f"the rest of the file was checked against {checked_against}" in lines[0]
    for pointer in OTHER_PROBLEMS:
        assert any(f": error: {pointer}" in line for line in lines[1:]), result.err
    # 1.1 features are judged against the release the pin means: not an "added in 1.1.0" error.
    assert "resourceProviders" not in result.err
    assert len(lines) == 1 + len(OTHER_PROBLEMS)


def test_an_unquoted_pin_in_json_is_quoted_as_json(run_cli: RunCli) -> None:
    result = run_cli("validate", "-", stdin=b'{"schemaVersion": 2.0, "name": "x"}')
    assert result.code == 1
    assert 'quote it: "schemaVersion": "2.0"' in result.err
    assert '"1.0"' not in result.err


def test_a_missing_pin_still_reports_the_other_problems(run_cli: RunCli, tmp_path: Path) -> None:
    request = tmp_path / "bad.yaml"
    request.write_text(BODY)
    result = run_cli("validate", str(request))
    assert result.code == 1
    assert "missing required property 'schemaVersion'" in result.err
    assert sum("schemaVersion" in line for line in result.err.splitlines()) == 1, "the pin is reported once"
    for pointer in OTHER_PROBLEMS:
        assert f": error: {pointer}" in result.err
