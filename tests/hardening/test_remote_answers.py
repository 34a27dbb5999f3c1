"""Finding 4: `trigger --timeout` bounds the whole call, and a hostile answer is exit 4, not 70."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..azdo.fake_service import FakeAzureDevOps, serving
from ..commands.test_trigger import BASIC, PAT, trigger
from ..conftest import RunCli


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_DEVOPS_EXT_PAT", "SYSTEM_ACCESSTOKEN", "TF_BUILD", "http_proxy", "https_proxy",
                 "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def service() -> Iterator[FakeAzureDevOps]:
    with serving(FakeAzureDevOps(authorization=BASIC)) as running:
        yield running


def test_a_service_dribbling_its_answer_cannot_outlast_the_timeout(run_cli: RunCli,
                                                                   service: FakeAzureDevOps) -> None:
    # Each byte arrives well within a per-read timeout; the whole answer takes ~6 s, the budget is 1 s.
    # Without a bound on the whole call the run would be queued (exit 0) after those 6 s.
    service.answer = (200, {"Content-Type": "application/json"}, b'{"id": 1088, "state": "inProgress"}')
    service.dribble = 0.05
    result = trigger(run_cli, service, "--timeout", "1")
    assert result.code == 4, result.out + result.err
    assert "did not answer within 1 s" in result.err


@pytest.mark.parametrize("status", [200, 500])
def test_a_deeply_nested_answer_is_a_remote_error(run_cli: RunCli, service: FakeAzureDevOps, status: int) -> None:
    service.answer = (status, {"Content-Type": "application/json"}, b"[" * 100_000 + b"]" * 100_000)
    result = trigger(run_cli, service)
    assert result.code == 4, result.err
    assert "internal error" not in result.err
    if status == 200:
        assert "nested too deeply" in result.err
    assert PAT not in result.err
