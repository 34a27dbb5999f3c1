"""Finding 4: `trigger --timeout` bounds the whole call, and a hostile answer is exit 4, not 70."""

from __future__ import annotations

import pytest

from ..azdo import fake_service
from ..azdo.fake_service import FakeAzureDevOps, serving
from ..commands import test_trigger
from ..commands.test_trigger import BASIC, PAT, trigger
from ..conftest import RunCli


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


def test_plain_http_to_loopback_never_goes_through_a_proxy(run_cli: RunCli, service: FakeAzureDevOps,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """http is allowed for loopback only, so that the credential never crosses the network in the clear; an
    HTTP_PROXY in the environment made urllib send the call, Authorization header and all, to the proxy."""
    with serving(FakeAzureDevOps(authorization=BASIC)) as proxy:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = trigger(run_cli, service)
        assert result.code == 0, result.err
        assert proxy.received == [], "the proxy saw the call"
    assert len(service.received) == 1


# The same loopback service, and no proxy or token from the caller, as the trigger tests use.
no_ambient_settings = fake_service.no_ambient_settings
service = test_trigger.service
