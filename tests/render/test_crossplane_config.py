"""vending.yaml's Crossplane values are checked for what they become (Kubernetes names, an API
group, credentials) when the configuration loads: a hostile value is refused with exit 2 before
anything renders, and never reaches a template."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vending.config import load_config

from ..conftest import RunCli

HOSTILE = [
    ("/crossplane/providerConfig", {"providerConfig": 'default"\n    evil: true'}),
    ("/crossplane/providerConfig", {"providerConfig": '{{ env "HOME" }}'}),
    ("/crossplane/providerConfig", {"providerConfig": "Default"}),
    ("/crossplane/providerConfig", {"providerConfig": "a" * 254}),
    ("/crossplane/group", {"group": "vending.{{ .observed }}.com"}),
    ("/crossplane/group", {"group": f"{'a' * 64}.example.com"}),
    ("/crossplane/namespaces/Production", {"namespaces": {"Production": "prod_ns", "DevTest": "dev"}}),
    ("/crossplane/credentials/secretRef/name", {"credentials": {"source": "Secret", "secretRef": {
        "name": "x}}{{ fail \"boom\" }}", "key": "credentials"}}}),
    ("/crossplane/credentials/secretRef/key", {"credentials": {"source": "Secret", "secretRef": {
        "name": "azure", "key": "a\nb: c"}}}),
    ("/crossplane/credentials/secretRef/namespace", {"credentials": {"source": "Secret", "secretRef": {
        "name": "azure", "key": "k", "namespace": "Crossplane System"}}}),
    ("/crossplane/credentials/tenantId", {"credentials": {"source": "OIDCTokenFile", "tenantId": "tenant",
                                                          "clientId": "00000000-0000-4000-8000-00000000000c"}}),
    ("/crossplane/credentials", {"credentials": {"source": "SystemAssignedManagedIdentity"}}),
    ("/crossplane/credentials", {"credentials": {"source": "Secret"}}),
    ("/crossplane/credentials/source", {"credentials": {"source": "InjectedIdentity"}}),
]


def configure(root: Path, crossplane: dict[str, object]) -> None:
    path = root / "vending.yaml"
    document = yaml.safe_load(path.read_text())
    document["crossplane"].update(crossplane)
    path.write_text(yaml.safe_dump(document))


@pytest.mark.parametrize(("pointer", "crossplane"), HOSTILE, ids=[f"{p}-{i}" for i, (p, _) in enumerate(HOSTILE)])
def test_a_hostile_crossplane_value_is_refused_at_load(run_cli: RunCli, gitops_repo: Path, pointer: str,
                                                       crossplane: dict[str, object]) -> None:
    configure(gitops_repo, crossplane)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.err
    assert "vending.yaml:" in result.err and pointer in result.err, result.err
    assert "Traceback" not in result.err
    assert not (gitops_repo / "generated").exists()
    assert not (gitops_repo / "interface").exists()


def test_each_credentials_source_with_what_it_needs_is_accepted(gitops_repo: Path) -> None:
    tenant, client = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000c"
    for credentials in ({"source": "Secret", "secretRef": {"name": "azure.creds", "key": "creds.json"}},
                        {"source": "SystemAssignedManagedIdentity", "tenantId": tenant},
                        {"source": "UserAssignedManagedIdentity", "tenantId": tenant, "clientId": client},
                        {"source": "OIDCTokenFile", "tenantId": tenant, "clientId": client},
                        {"source": "Upbound", "tenantId": tenant, "clientId": client}):
        configure(gitops_repo, {"credentials": credentials, "providerConfig": "platform.azure"})
        config = load_config(gitops_repo)
        assert config.crossplane.credentials.source == credentials["source"]
        assert config.crossplane.provider_config == "platform.azure"
