"""`vending trigger` end to end against a loopback Azure DevOps that checks requests as the service documents them."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from vending import schemas

from ..azdo import agent
from ..azdo.fake_service import (
    FINAL_YAML,
    FakeAzureDevOps,
    no_ambient_settings,  # noqa: F401 - the autouse fixture, imported to apply here
    serving,
)
from ..conftest import EXAMPLES, Run, RunCli

PAT = "pat-4c7e1b0a9f8d7e6c5b4a3f2e1d0c9b8a"
BASIC = "Basic " + base64.b64encode(f":{PAT}".encode()).decode()
REQUEST = str(EXAMPLES / "risk-models-prod.json")


@pytest.fixture
def service() -> Iterator[FakeAzureDevOps]:
    with serving(FakeAzureDevOps(authorization=BASIC)) as running:
        yield running


def trigger(run_cli: RunCli, service: FakeAzureDevOps, *args: str, request: str = REQUEST,
            env: dict[str, str] | None = None) -> Run:
    result = run_cli("trigger", request, "--organization", service.url, "--project", service.project,
                     "--pipeline", str(service.pipeline_id), *args,
                     env={"AZURE_DEVOPS_EXT_PAT": PAT} if env is None else env)
    assert PAT not in result.out + result.err
    assert BASIC.split()[1] not in result.out + result.err
    assert "Traceback" not in result.err
    return result


def test_queues_a_run_with_the_request_as_string_parameters(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    result = trigger(run_cli, service)
    assert result.code == 0, result.err
    assert service.problems == []
    body = service.received[0].json()
    assert body["resources"] == {"repositories": {"self": {"refName": "refs/heads/main"}}}
    assert "previewRun" not in body
    parameters = body["templateParameters"]
    source = json.loads(Path(REQUEST).read_text(encoding="utf-8"))
    assert parameters["schemaVersion"] == schemas.latest().name  # the pin "2" resolved and upgraded
    assert parameters["displayName"] == source["displayName"]
    assert json.loads(parameters["budgets"]) == source["budgets"]
    assert json.loads(parameters["resourceProviders"]) == source["resourceProviders"]
    assert "state" not in parameters  # absent: the template's default applies
    assert result.out.splitlines() == [
        "Queued run 1088 (20261126.1) of pipeline 12 in Fabrikam Fiber: inProgress",
        f"{service.url}/Fabrikam%20Fiber/_build/results?buildId=1088"]


def test_an_old_request_is_sent_in_the_newest_shape(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    result = trigger(run_cli, service, "--ref", "release/2026", request=str(EXAMPLES / "payments-prod.yaml"))
    assert result.code == 0, result.err
    assert "deprecated" in result.err  # the 1.0 pin still warns
    body = service.received[0].json()
    assert body["resources"]["repositories"]["self"]["refName"] == "refs/heads/release/2026"
    parameters = body["templateParameters"]
    assert parameters["schemaVersion"] == "2.1.0"
    assert set(json.loads(parameters["budgets"])) == {"default"}
    assert all(set(v) == {"principalId", "definition"} for v in json.loads(parameters["roleAssignments"]).values())
    assert json.loads(parameters["network"]) == {"addressSpace": ["10.20.0.0/24"], "hubPeering": True}


def test_bearer_token_and_json_output_and_output_variables(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    service.authorization = "Bearer job-token-1234"
    result = trigger(run_cli, service, "--output", "json",
                     env={"SYSTEM_ACCESSTOKEN": "job-token-1234", "TF_BUILD": "True"})
    assert result.code == 0, result.err
    assert service.problems == []
    assert json.loads(result.out) == {
        "id": 1088, "name": "20261126.1", "state": "inProgress", "preview": False,
        "url": f"{service.url}/Fabrikam%20Fiber/_build/results?buildId=1088"}
    variables = {c.properties["variable"]: c.message for c in agent.commands(result.err)}
    assert variables == {"runId": "1088", "runState": "inProgress",
                         "runUrl": f"{service.url}/Fabrikam%20Fiber/_build/results?buildId=1088"}
    assert "job-token-1234" not in result.out + result.err


def test_preview_prints_the_final_yaml(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    result = trigger(run_cli, service, "--preview")
    assert result.code == 0, result.err
    assert service.problems == []
    assert service.received[0].json()["previewRun"] is True
    assert result.out == FINAL_YAML
    assert "nothing was queued" in result.err


def test_an_invalid_request_is_not_sent(run_cli: RunCli, service: FakeAzureDevOps, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b'schemaVersion: "2"\nname: Payments_Prod\n')
    result = trigger(run_cli, service, request=str(bad))
    assert result.code == 1
    assert f"{bad}:2:7: error: /name:" in result.err
    assert "not sent" in result.err
    assert service.received == []


def test_no_credentials_is_a_usage_error(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    result = trigger(run_cli, service, env={})
    assert result.code == 2
    assert "AZURE_DEVOPS_EXT_PAT" in result.err and "SYSTEM_ACCESSTOKEN" in result.err
    assert service.received == []


@pytest.mark.parametrize("url", ["dev.azure.com/fabrikam", "ftp://dev.azure.com/fabrikam",
                                 "http://dev.azure.com/fabrikam", "https://me:pw@dev.azure.com/fabrikam",
                                 "https://dev.azure.com/fabrikam?x=1", "https://"])
def test_a_bad_organization_url_is_a_usage_error(run_cli: RunCli, url: str) -> None:
    result = run_cli("trigger", REQUEST, "--organization", url, "--project", "p", "--pipeline", "1",
                     env={"AZURE_DEVOPS_EXT_PAT": PAT})
    assert result.code == 2
    assert "--organization" in result.err


@pytest.mark.parametrize(("args", "expected"), [
    (("--pipeline", "0"), "--pipeline"), (("--pipeline", "x"), "--pipeline"), (("--project", " "), "--project")])
def test_other_usage_errors(run_cli: RunCli, service: FakeAzureDevOps, args: tuple[str, ...], expected: str) -> None:
    result = run_cli("trigger", REQUEST, "--organization", service.url, "--project", "p", "--pipeline", "1", *args,
                     env={"AZURE_DEVOPS_EXT_PAT": PAT})
    assert result.code == 2
    assert expected in result.err
    assert service.received == []


def json_error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"$id": "1", "innerException": None, "message": message,
            "typeName": "Microsoft.Azure.Pipelines.WebApi.PipelineNotFoundException, Microsoft.Azure.Pipelines.WebApi",
            "typeKey": "PipelineNotFoundException", "errorCode": 0, "eventId": 3000}
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()


SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head></html>"


@pytest.mark.parametrize(("answer", "expected"), [
    ((401, {"Content-Type": "text/html"}, b""),
     "refused the credentials from AZURE_DEVOPS_EXT_PAT (401)"),
    ((203, {"Content-Type": "text/html; charset=utf-8"}, SIGN_IN_PAGE),
     "answered with its sign-in page, so the token is invalid, expired or for another organization"),
    (json_error(403, "TF215106: Access denied. needs Queue builds permissions"),
     "may not queue pipeline 12 in project 'Fabrikam Fiber'"),
    (json_error(404, "The pipeline 12 was not found."),
     "not found (404): pipeline 12 in project 'Fabrikam Fiber'"),
    (json_error(400, "Unexpected parameter 'surprise'"),
     "refused the run of pipeline 12 in project 'Fabrikam Fiber'"),
    (json_error(500, "VS402912: service unavailable"), "failed (500)"),
    ((200, {"Content-Type": "application/json"}, b"{not json"), "not JSON"),
])
def test_service_errors_exit_4_with_a_sentence(run_cli: RunCli, service: FakeAzureDevOps,
                                               answer: tuple[int, dict[str, str], bytes], expected: str) -> None:
    service.answer = answer
    result = trigger(run_cli, service)
    assert result.code == 4
    assert expected in result.err
    message = json.loads(answer[2]).get("message") if answer[2].startswith(b"{\"") else None
    if message:
        assert message in result.err  # the service's own words


def test_a_redirect_to_sign_in_is_not_followed(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    with serving(FakeAzureDevOps()) as elsewhere:
        service.answer = (302, {"Location": f"{elsewhere.url}/_signin?realm=dev.azure.com"}, b"")
        result = trigger(run_cli, service)
        assert result.code == 4
        assert "sign-in page" in result.err
        assert elsewhere.received == []  # the Authorization header went nowhere else


def test_a_slow_service_times_out(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    service.delay = 2.0
    result = trigger(run_cli, service, "--timeout", "0.3")
    assert result.code == 4
    assert "did not answer within 0.3 s" in result.err


def test_nothing_listening(run_cli: RunCli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("trigger", REQUEST, "--organization", f"http://127.0.0.1:{port}/fabrikam", "--project", "p",
                     "--pipeline", "1", env={"AZURE_DEVOPS_EXT_PAT": PAT})
    assert result.code == 4
    assert f"could not reach http://127.0.0.1:{port}/fabrikam" in result.err


def test_errors_are_issues_on_the_run_without_the_token(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    service.answer = json_error(400, f"bad token {PAT}")  # a service that echoes the credential
    result = trigger(run_cli, service, env={"AZURE_DEVOPS_EXT_PAT": PAT, "TF_BUILD": "True"})
    assert result.code == 4
    issues = [c for c in agent.commands(result.err) if c.name == "task.logissue"]
    assert len(issues) == 1 and issues[0].properties == {"type": "error"}
    assert "bad token ***" in issues[0].message


def test_a_run_without_a_web_link_shows_its_api_url(run_cli: RunCli, service: FakeAzureDevOps) -> None:
    run = {"id": 7, "name": "20261126.2", "state": "notStarted", "url": "https://example.invalid/runs/7",
           "_links": "unexpected"}
    service.answer = (200, {"Content-Type": "application/json"}, json.dumps(run).encode())
    result = trigger(run_cli, service)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "https://example.invalid/runs/7"

