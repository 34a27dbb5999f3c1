"""A loopback stand-in for Azure DevOps' Runs API 7.1 that checks requests the way the service documents them.

Runs - Run Pipeline: `POST {organization}/{project}/_apis/pipelines/{pipelineId}/runs?api-version=7.1`
with a `RunPipelineParameters` body (`resources.repositories.self.refName`,
`templateParameters` as a map of strings, `previewRun`) answers with a `Run`
(`_links.web.href`, `id`, `name`, `state`, `url`, `pipeline`, `resources`, and
`finalYaml` for a preview). Errors carry `message` in the body.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

BODY_KEYS = {"previewRun", "resources", "stagesToSkip", "templateParameters", "variables", "yamlOverride"}
FINAL_YAML = "stages:\n- stage: DryRun\n  jobs:\n  - job: DryRun\n"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeAzureDevOps:
    organization: str = "fabrikam"
    project: str = "Fabrikam Fiber"
    pipeline_id: int = 12
    authorization: str = ""
    answer: tuple[int, dict[str, str], bytes] | None = None
    """A fixed answer instead of a run (for the error paths)."""
    delay: float = 0.0
    dribble: float = 0.0
    """Send the answer one byte every `dribble` seconds (a slow-loris service)."""
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.organization}"

    def check(self, request: Received) -> list[str]:
        """Everything about `request` that the service would not accept."""
        wrong = []
        path, _, query = request.path.partition("?")
        project = urllib.parse.quote(self.project, safe="")
        if request.method != "POST":
            wrong.append(f"method {request.method}, not POST")
        if path != f"/{self.organization}/{project}/_apis/pipelines/{self.pipeline_id}/runs":
            wrong.append(f"path {path}")
        if urllib.parse.parse_qs(query) != {"api-version": ["7.1"]}:
            wrong.append(f"query {query!r}, not api-version=7.1")
        if not request.headers.get("content-type", "").startswith("application/json"):
            wrong.append(f"content type {request.headers.get('content-type')!r}")
        if request.headers.get("authorization") != self.authorization:
            wrong.append("authorization header")
        try:
            body = request.json()
        except ValueError:
            return [*wrong, "body is not JSON"]
        if not isinstance(body, dict) or not set(body) <= BODY_KEYS:
            return [*wrong, f"body keys {sorted(body) if isinstance(body, dict) else body!r}"]
        ref = body.get("resources", {}).get("repositories", {}).get("self", {}).get("refName")
        if not isinstance(ref, str) or not ref.startswith("refs/"):
            wrong.append(f"resources.repositories.self.refName {ref!r}")
        parameters = body.get("templateParameters")
        if not isinstance(parameters, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()):
            wrong.append("templateParameters must map names to strings")
        if "previewRun" in body and not isinstance(body["previewRun"], bool):
            wrong.append("previewRun must be a boolean")
        return wrong

    def run(self, body: dict[str, Any]) -> dict[str, Any]:
        project = urllib.parse.quote(self.project, safe="")
        api = f"{self.url}/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c/_apis/pipelines/{self.pipeline_id}"
        preview = body.get("previewRun", False)
        run: dict[str, Any] = {
            "_links": {"self": {"href": f"{api}/runs/1088"},
                       "web": {"href": f"{self.url}/{project}/_build/results?buildId=1088"},
                       "pipeline.web": {"href": f"{self.url}/{project}/_build/definition?definitionId=12"},
                       "pipeline": {"href": f"{api}?revision=4"}},
            "templateParameters": body["templateParameters"],
            "pipeline": {"url": f"{api}?revision=4", "id": self.pipeline_id, "revision": 4,
                         "name": "vend-subscription", "folder": "\\"},
            "state": "inProgress",
            "createdDate": "2026-11-26T09:30:00.0000000Z",
            "url": f"{api}/runs/1088",
            "resources": {"repositories": {"self": {
                "repository": {"id": "1f3d2a4e-0000-4000-8000-000000000001", "type": "azureReposGit"},
                "refName": body["resources"]["repositories"]["self"]["refName"],
                "version": "3a1e2f9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"}}},
            "id": -1 if preview else 1088,
            "name": "20261126.1",
        }
        if preview:
            run["finalYaml"] = FINAL_YAML
        return run


def _handler(service: FakeAzureDevOps) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length))
            service.received.append(request)
            if service.delay:
                time.sleep(service.delay)
            if service.answer is not None:
                status, headers, payload = service.answer
            else:
                wrong = service.check(request)
                service.problems.extend(wrong)
                status, headers = (400, {"Content-Type": "application/json"}) if wrong else (
                    200, {"Content-Type": "application/json; charset=utf-8; api-version=7.1"})
                payload = json.dumps({"message": "; ".join(wrong)} if wrong else service.run(request.json())).encode()
            if service.dribble:
                self._dribble(status, headers, payload)
                return
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (a timeout test): no BrokenPipe traceback in the test output
                self.close_connection = True

        def _dribble(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            head = f"HTTP/1.1 {status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            raw = f"{head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
            self.close_connection = True
            try:
                for index in range(len(raw)):
                    self.wfile.write(raw[index:index + 1])
                    self.wfile.flush()
                    time.sleep(service.dribble)
            except OSError:  # the client gave up
                return

        do_POST = do_GET = _handle

    return Handler


@contextmanager
def serving(service: FakeAzureDevOps) -> Iterator[FakeAzureDevOps]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imported by a test module, every test there runs without the caller's Azure DevOps token, agent
    marker or proxy: the loopback service is the only one it can reach."""
    for name in ("AZURE_DEVOPS_EXT_PAT", "SYSTEM_ACCESSTOKEN", "TF_BUILD", "http_proxy", "https_proxy",
                 "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
