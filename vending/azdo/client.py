"""Queue a run of an Azure Pipelines pipeline through the Runs REST API 7.1 (standard library only).

    POST {organization}/{project}/_apis/pipelines/{pipelineId}/runs?api-version=7.1

Every failure becomes a `RemoteError` (or a `UsageError` for what the user
typed) whose sentence says what to do; the credential never appears in one.
Redirects are not followed: Azure DevOps answers a bad token with a redirect
to its sign-in page, and following it would send the Authorization header on.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vending import __version__
from vending.errors import RemoteError, UsageError
from vending.pipeline_log import redact, secrets

API_VERSION = "7.1"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Credential:
    scheme: str
    """Basic (a personal access token) or Bearer (the job's System.AccessToken)."""
    source: str
    """The environment variable it came from."""
    secret: str = field(repr=False)

    def header(self) -> str:
        if self.scheme == "Basic":
            return "Basic " + base64.b64encode(f":{self.secret}".encode()).decode()
        return f"Bearer {self.secret}"


def credential_from_env(env: Mapping[str, str], scope: str = "Build (Read & execute)") -> Credential:
    """A PAT from AZURE_DEVOPS_EXT_PAT, else the job token from SYSTEM_ACCESSTOKEN."""
    if env.get("AZURE_DEVOPS_EXT_PAT"):
        return Credential("Basic", "AZURE_DEVOPS_EXT_PAT", env["AZURE_DEVOPS_EXT_PAT"])
    if env.get("SYSTEM_ACCESSTOKEN"):
        return Credential("Bearer", "SYSTEM_ACCESSTOKEN", env["SYSTEM_ACCESSTOKEN"])
    raise UsageError(
        "no Azure DevOps credentials: set AZURE_DEVOPS_EXT_PAT to a personal access token with the "
        f"{scope} scope, or, inside a pipeline, map SYSTEM_ACCESSTOKEN: $(System.AccessToken) "
        "into the step's env")


def organization_url(text: str) -> str:
    """`text` as an organization (or collection) URL without a trailing slash, or `UsageError`."""
    parts = urllib.parse.urlsplit(text.strip())
    example = "such as https://dev.azure.com/fabrikam"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--organization {text!r} is not an organization URL {example}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(f"--organization {text!r} must be a plain URL {example}, without credentials, "
                         "query or fragment")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise UsageError(f"--organization {text!r} uses http: credentials are only sent over https")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def runs_url(organization: str, project: str, pipeline_id: int) -> str:
    if not project.strip():
        raise UsageError("--project must name the Azure DevOps project")
    quoted = urllib.parse.quote(project, safe="")
    return f"{organization}/{quoted}/_apis/pipelines/{pipeline_id}/runs?api-version={API_VERSION}"


def run_body(ref: str, template_parameters: Mapping[str, str], *, preview: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"resources": {"repositories": {"self": {"refName": ref}}},
                            "templateParameters": dict(template_parameters)}
    if preview:
        body["previewRun"] = True
    return body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


@dataclass(frozen=True)
class Hints:
    """What to tell the user when Azure DevOps refuses a call: the token scope and the permission it
    needs, and the options that name what was not found."""
    scope: str = "Build (Read & execute)"
    permission: str = "it needs the 'Queue builds' permission on the pipeline"
    not_found: str = ("check --organization, --project and --pipeline (the pipeline id is the definitionId in "
                      "the pipeline's URL)")
    refused: str = "Azure DevOps refused the run of"
    forbidden: str = "may not queue"


def run_pipeline(organization: str, project: str, pipeline_id: int, *, ref: str,
                 template_parameters: Mapping[str, str], credential: Credential, preview: bool = False,
                 timeout: float = 30.0) -> dict[str, Any]:
    """The run Azure DevOps queued (or, with `preview`, the run it would queue, with `finalYaml`)."""
    url = runs_url(organization, project, pipeline_id)
    where = f"pipeline {pipeline_id} in project {project!r} at {organization}"
    run, _ = call_json("POST", url, run_body(ref, template_parameters, preview=preview), credential=credential,
                       where=where, organization=organization, timeout=timeout, what="a run")
    if not isinstance(run, dict):
        raise RemoteError(f"Azure DevOps answered {where} with JSON that is not a run")
    return run


def call_json(method: str, url: str, body: Any, *, credential: Credential, where: str, organization: str,
              timeout: float, what: str, hints: Hints | None = None) -> tuple[Any, Mapping[str, str]]:
    """(the JSON answer, its headers) of one call of an Azure DevOps REST API; `body` None sends none."""
    hints = hints or Hints()
    headers = {"Accept": "application/json", "Authorization": credential.header(),
               "User-Agent": f"vending/{__version__}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    hidden = secrets({credential.source: credential.secret})
    # Plain http is for loopback only (organization_url); through a proxy the credential would cross the
    # network in the clear, so such a call never takes one (HTTPS_PROXY tunnels TLS, and is kept).
    direct = [urllib.request.ProxyHandler({})] if url.startswith("http:") else []
    opener = urllib.request.build_opener(_NoRedirect, *direct)
    try:
        status, answer_headers, raw, failed = _within(timeout, lambda: _exchange(opener, request, timeout))
        if failed:
            raise RemoteError(redact(_http_failure(status, _service_message(raw), where, credential, hints), hidden))
    except TimeoutError:
        raise RemoteError(_too_slow(timeout, where)) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise RemoteError(_too_slow(timeout, where)) from None
        text = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise RemoteError(redact(f"could not reach {organization}: {text}; check --organization "
                                 "and the network (proxy settings come from HTTPS_PROXY)", hidden)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise RemoteError(redact(f"the connection to {organization} failed: {exc or type(exc).__name__}; "
                                 "try again", hidden)) from None
    if status == 203 or "json" not in answer_headers.get("content-type", "").lower():
        raise RemoteError(_sign_in(credential, where))
    try:
        return json.loads(raw), answer_headers
    except ValueError:
        raise RemoteError(f"Azure DevOps answered {where} with something that is not JSON") from None
    except RecursionError:
        raise RemoteError(f"Azure DevOps answered {where} with JSON nested too deeply to be {what}") from None


def _exchange(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
              timeout: float) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers by lower-case name, body, whether the status is an HTTP error) of one request."""
    try:
        with opener.open(request, timeout=timeout) as response:
            return (response.status, {k.lower(): v for k, v in response.headers.items()},
                    response.read(MAX_RESPONSE_BYTES), False)
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_RESPONSE_BYTES) if exc.fp is not None else b""
        return exc.code, {k.lower(): v for k, v in exc.headers.items()} if exc.headers else {}, body, True


T = TypeVar("T")


def _within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`, or `TimeoutError` once `seconds` have passed in all.

    A socket timeout bounds each read only: a server sending a byte every 0.4 s never trips one. So the
    exchange runs in a daemon thread and the caller waits for it at most `seconds`; an abandoned exchange
    dies with the process, which is about to report the timeout and exit."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            failure.append(exc)

    thread = threading.Thread(target=run, name="azure-devops-request", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError
    if failure:
        raise failure[0]
    return outcome[0]


def _too_slow(timeout: float, where: str) -> str:
    return f"Azure DevOps did not answer within {timeout:g} s ({where}); try again, or raise --timeout"


def _sign_in(credential: Credential, where: str) -> str:
    return (f"Azure DevOps did not accept the credentials from {credential.source} for {where}: it answered "
            "with its sign-in page, so the token is invalid, expired or for another organization")


def _http_failure(status: int, message: str, where: str, credential: Credential, hints: Hints) -> str:
    said = f": {message}" if message else ""
    if 300 <= status < 400 or status == 401:
        if 300 <= status < 400:
            return _sign_in(credential, where)
        return (f"Azure DevOps refused the credentials from {credential.source} (401) for {where}{said}; "
                f"check that the token is valid, not expired, and has the {hints.scope} scope")
    if status == 403:
        return f"the identity behind {credential.source} {hints.forbidden} {where} (403){said}; {hints.permission}"
    if status == 404:
        return f"not found (404): {where}{said}; {hints.not_found}"
    if status >= 500:
        return f"Azure DevOps failed ({status}) for {where}{said}; try again later"
    return f"{hints.refused} {where} ({status}){said}"


def _service_message(raw: bytes) -> str:
    """The `message` of an Azure DevOps error body, if it has one."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message).split())[:1000] if message else ""
