"""A loopback stand-in for Azure DevOps' Policy Configurations and Repositories REST APIs 7.1, checking requests
the way the service documents them, and keeping the configurations it was sent.

    GET  {organization}/{project}/_apis/git/repositories/{repositoryId or name}   -> GitRepository ({id, name, ...})
    GET  {organization}/{project}/_apis/policy/configurations?policyType=&continuationToken=
         -> {count, value: [PolicyConfiguration]}, the next page's token in x-ms-continuationtoken
    POST {organization}/{project}/_apis/policy/configurations                  -> the created PolicyConfiguration
    PUT  {organization}/{project}/_apis/policy/configurations/{configurationId} -> the updated PolicyConfiguration

Errors carry `message` in the body, as the service's do.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .fake_service import Received

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BODY_KEYS = {"isEnabled", "isBlocking", "type", "settings", "id", "revision", "isDeleted", "isEnterpriseManaged"}
REVIEWER_SETTINGS = {"requiredReviewerIds", "minimumApproverCount", "creatorVoteCounts", "filenamePatterns",
                     "addedFilesOnly", "message", "scope", "ignoreIfSourceIsInScope"}
REQUIRED_REVIEWERS = "fd2167ab-b0be-447a-8ec8-39368250530e"


@dataclass
class FakePolicies:
    organization: str = "fabrikam"
    project: str = "Fabrikam Fiber"
    repositories: dict[str, str] = field(default_factory=lambda: {"vending": "2f3d2a4e-0000-4000-8000-0000000000aa"})
    authorization: str = ""
    configurations: dict[int, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 100
    answer: tuple[int, dict[str, str], bytes] | None = None
    """A fixed answer to every request (the error paths)."""
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    port: int = 0
    next_id: int = 100

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.organization}"

    def sent(self, *methods: str) -> list[Received]:
        return [r for r in self.received if r.method in methods]

    def handle(self, request: Received) -> tuple[int, dict[str, str], Any]:
        path, _, query = request.path.partition("?")
        params = urllib.parse.parse_qs(query)
        base = f"/{self.organization}/{urllib.parse.quote(self.project, safe='')}/_apis"
        if params.get("api-version") != ["7.1"]:
            return self._wrong(f"query {query!r} lacks api-version=7.1")
        if request.headers.get("authorization") != self.authorization:
            return 401, {}, {"message": "TF400813: The user is not authorized to access this resource."}
        if request.method == "GET" and path.startswith(f"{base}/git/repositories/"):
            wanted = urllib.parse.unquote(path.rsplit("/", 1)[1])
            for name, repository_id in self.repositories.items():
                if wanted in (name, repository_id):
                    return 200, {}, {"id": repository_id, "name": name, "defaultBranch": "refs/heads/main"}
            return 404, {}, {"message": f"TF401019: The Git repository with name or identifier {wanted} does not "
                                        "exist or you do not have permissions for the operation you are attempting."}
        if path == f"{base}/policy/configurations" and request.method == "GET":
            return self._list(params)
        if path == f"{base}/policy/configurations" and request.method == "POST":
            return self._store(request, None)
        match = re.fullmatch(re.escape(f"{base}/policy/configurations/") + r"(\d+)", path)
        if match and request.method == "PUT":
            return self._store(request, int(match.group(1)))
        return self._wrong(f"{request.method} {path}")

    def _wrong(self, what: str) -> tuple[int, dict[str, str], Any]:
        self.problems.append(what)
        return 400, {}, {"message": what}

    def _list(self, params: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        wanted = params.get("policyType", [""])[0]
        chosen = [c for _, c in sorted(self.configurations.items()) if not wanted or c["type"]["id"] == wanted]
        start = int(params.get("continuationToken", ["0"])[0])
        page = chosen[start:start + self.page_size]
        headers = {"x-ms-continuationtoken": str(start + self.page_size)} if start + self.page_size < len(chosen) \
            else {}
        return 200, headers, {"count": len(page), "value": page}

    def _store(self, request: Received, configuration_id: int | None) -> tuple[int, dict[str, str], Any]:
        try:
            body = request.json()
        except ValueError:
            return self._wrong("body is not JSON")
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self._wrong("content type")
        wrong = self.check(body)
        if wrong:
            self.problems.extend(wrong)
            return 400, {}, {"message": "; ".join(wrong)}
        if configuration_id is None:
            configuration_id = self.next_id
            self.next_id += 1
            revision = 1
        elif configuration_id not in self.configurations:
            return 404, {}, {"message": f"The policy configuration {configuration_id} does not exist."}
        else:
            revision = self.configurations[configuration_id]["revision"] + 1
        stored = self.stored(configuration_id, body, revision)
        self.configurations[configuration_id] = stored
        return 200, {}, stored

    def stored(self, configuration_id: int, body: dict[str, Any], revision: int = 1) -> dict[str, Any]:
        """What the service keeps (and answers) for `body`: with its id, revision, author and defaults."""
        project_id = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"
        settings = {"addedFilesOnly": False, "ignoreIfSourceIsInScope": False, **body["settings"]}
        return {
            "createdBy": {"id": "d6245f20-2af8-44f4-9451-8107cb2767db", "displayName": "Normal Paulk"},
            "createdDate": "2026-11-26T09:30:00.0000000Z",
            "isEnabled": body["isEnabled"], "isBlocking": body["isBlocking"], "isDeleted": False,
            "settings": settings,
            "_links": {"self": {"href": f"{self.url}/{project_id}/_apis/policy/configurations/{configuration_id}"}},
            "revision": revision, "id": configuration_id,
            "url": f"{self.url}/{project_id}/_apis/policy/configurations/{configuration_id}",
            "type": {"id": body["type"]["id"], "displayName": "Required reviewers"},
        }

    def check(self, body: Any) -> list[str]:
        """Everything about a configuration body that the service would refuse."""
        if not isinstance(body, dict) or not set(body) <= BODY_KEYS:
            return [f"body keys {sorted(body) if isinstance(body, dict) else body!r}"]
        wrong = [f"{key} must be a boolean" for key in ("isEnabled", "isBlocking")
                 if not isinstance(body.get(key), bool)]
        if body.get("type", {}).get("id") != REQUIRED_REVIEWERS:
            return [*wrong, f"type {body.get('type')!r} is not Required reviewers"]
        settings = body.get("settings")
        if not isinstance(settings, dict) or not set(settings) <= REVIEWER_SETTINGS:
            return [*wrong, f"settings keys {sorted(settings) if isinstance(settings, dict) else settings!r}"]
        reviewers = settings.get("requiredReviewerIds")
        if not isinstance(reviewers, list) or not reviewers or not all(
                isinstance(r, str) and GUID.fullmatch(r) for r in reviewers):
            wrong.append("requiredReviewerIds must be identity ids")
        count = settings.get("minimumApproverCount")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            wrong.append("minimumApproverCount must be a positive integer")
        patterns = settings.get("filenamePatterns", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p[:1] in "/*!" for p in patterns):
            wrong.append("filenamePatterns must be paths starting with / or a wildcard")
        scopes = settings.get("scope")
        if not isinstance(scopes, list) or not scopes:
            return [*wrong, "scope must list at least one scope"]
        for scope in scopes:
            if scope.get("repositoryId") not in self.repositories.values():
                wrong.append(f"scope repositoryId {scope.get('repositoryId')!r} is no repository of the project")
            if not str(scope.get("refName", "")).startswith("refs/heads/"):
                wrong.append(f"scope refName {scope.get('refName')!r}")
            if scope.get("matchKind") not in ("Exact", "Prefix", "DefaultBranch"):
                wrong.append(f"scope matchKind {scope.get('matchKind')!r}")
        return wrong


def _handler(service: FakePolicies) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length))
            service.received.append(request)
            if service.answer is not None:
                status, headers, payload = service.answer
            else:
                status, headers, answer = service.handle(request)
                headers = {"Content-Type": "application/json; charset=utf-8; api-version=7.1", **headers}
                payload = json.dumps(answer).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _handle

    return Handler


@contextmanager
def serving(service: FakePolicies) -> Iterator[FakePolicies]:
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
