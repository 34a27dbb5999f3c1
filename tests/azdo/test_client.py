from __future__ import annotations

import pytest

from vending.azdo.client import Credential, credential_from_env, organization_url, run_body, runs_url
from vending.errors import UsageError


@pytest.mark.parametrize(("given", "expected"), [
    ("https://dev.azure.com/fabrikam/", "https://dev.azure.com/fabrikam"),
    (" https://fabrikam.visualstudio.com ", "https://fabrikam.visualstudio.com"),
    ("https://tfs.contoso.com/tfs/DefaultCollection", "https://tfs.contoso.com/tfs/DefaultCollection"),
    ("http://127.0.0.1:8080/fabrikam", "http://127.0.0.1:8080/fabrikam"),
])
def test_organization_urls(given: str, expected: str) -> None:
    assert organization_url(given) == expected


def test_the_project_is_one_encoded_path_segment() -> None:
    assert runs_url("https://dev.azure.com/o", "Fabrikam Fiber/Ops ?#%", 3) == (
        "https://dev.azure.com/o/Fabrikam%20Fiber%2FOps%20%3F%23%25/_apis/pipelines/3/runs?api-version=7.1")
    with pytest.raises(UsageError):
        runs_url("https://dev.azure.com/o", "", 3)


def test_run_body() -> None:
    assert run_body("refs/heads/main", {"name": "x"}, preview=False) == {
        "resources": {"repositories": {"self": {"refName": "refs/heads/main"}}}, "templateParameters": {"name": "x"}}
    assert run_body("refs/heads/main", {}, preview=True)["previewRun"] is True


def test_credentials_prefer_a_pat_and_never_show_themselves() -> None:
    pat = credential_from_env({"AZURE_DEVOPS_EXT_PAT": "abc", "SYSTEM_ACCESSTOKEN": "tok"})
    assert (pat.scheme, pat.source, pat.header()) == ("Basic", "AZURE_DEVOPS_EXT_PAT", "Basic OmFiYw==")
    bearer = credential_from_env({"SYSTEM_ACCESSTOKEN": "tok"})
    assert bearer.header() == "Bearer tok"
    assert "tok" not in repr(bearer) and "abc" not in repr(pat)
    assert isinstance(bearer, Credential)
    with pytest.raises(UsageError, match="no Azure DevOps credentials"):
        credential_from_env({"AZURE_DEVOPS_EXT_PAT": ""})
