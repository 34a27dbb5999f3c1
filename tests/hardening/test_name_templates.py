"""Finding 9 (the part still open): vending.yaml's network name templates were Python format strings,
checked only to format without error: `{name.__len__}` put a memory address into the output,
`{name:>30000000}` a 30 MB name, `{name.__class__.__x__}` an exit 70. They may hold bare `{name}` and
`{location}` between characters Azure allows; and what a template makes of a long request name is
refused on the request when Azure would refuse it (a 63-character name made a 79-character network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import RunCli

DEFAULT = 'virtualNetworkName: "vnet-{name}-{location}"'
NETWORKED = """schemaVersion: "2.0.0"
name: {name}
displayName: App
workload: DevTest
billingScope: /providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2
managementGroup: corp
location: westeurope
requestedBy: eve@contoso.com
network:
  addressSpace: ["10.30.0.0/26"]
  hubPeering: false
"""


def _configure(repo: Path, template: str) -> None:
    config = repo / "vending.yaml"
    text = config.read_text()
    assert DEFAULT in text
    config.write_text(text.replace(DEFAULT, f"virtualNetworkName: {template!r}"))


@pytest.mark.parametrize(("template", "said"), [
    ("vnet-{name.__len__}-{location}", "{name.__len__} is not a placeholder"),
    ("vnet-{name:>30000000}", "{name:>30000000} is not a placeholder"),
    ("vnet-{name.__class__.__x__}", "{name.__class__.__x__} is not a placeholder"),
    ("vnet-{name!r}", "{name!r} is not a placeholder"),
    ("vnet-{0}", "{0} is not a placeholder"),
    ("vnet-{name", "braces only around a placeholder"),
    ("vnet {name}", "which Azure refuses"),
    ("vnet-{name}.", "which Azure refuses"),
])
def test_a_hostile_name_template_is_refused_at_load(run_cli: RunCli, gitops_repo: Path, template: str,
                                                    said: str) -> None:
    _configure(gitops_repo, template)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.err
    assert "vending.yaml:" in result.err and "/network/virtualNetworkName" in result.err and said in result.err
    assert "0x" not in result.err + result.out and "internal error" not in result.err
    assert not (gitops_repo / "generated").exists()


def test_a_network_name_azure_would_refuse_is_refused_on_the_request(run_cli: RunCli, gitops_repo: Path) -> None:
    long_name = "a" + "b" * 61 + "c"
    request = gitops_repo / "requests" / f"{long_name}.yaml"
    request.write_text(NETWORKED.format(name=long_name))
    result = run_cli("render", "--repo", str(gitops_repo), str(request))
    assert result.code == 1, result.err
    assert f"{long_name}.yaml:2:7: error: /name: the virtual network would be named" in result.err
    assert "(79 characters" in result.err
    assert not (gitops_repo / "generated").exists()


def test_names_that_fit_render(run_cli: RunCli, gitops_repo: Path) -> None:
    _configure(gitops_repo, "vnet_{location}.{name}_")
    name = "a" + "b" * 45 + "c"  # vnet_ + westeurope + . + 47 + _ = 64
    request = gitops_repo / "requests" / f"{name}.yaml"
    request.write_text(NETWORKED.format(name=name))
    result = run_cli("render", "--repo", str(gitops_repo), str(request))
    assert result.code == 0, result.err
    assert f"vnet_westeurope.{name}_" in "".join(
        path.read_text() for path in (gitops_repo / "generated").rglob("*") if path.is_file())


@pytest.mark.parametrize("hub", [
    '/subscriptions/${file(\\"x\\")}/resourceGroups/rg\\n  evil: x/providers/Microsoft.Network/virtualNetworks/v',
    "/subscriptions/00000000-0000-0000-0000-00000000000A/resourceGroups/rg/providers/Microsoft.Network/"
    "virtualNetworks/vnet",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg./providers/Microsoft.Network/"
    "virtualNetworks/vnet",
])
def test_a_hub_that_is_no_virtual_network_id_the_module_takes_is_refused_at_load(
        run_cli: RunCli, gitops_repo: Path, hub: str) -> None:
    """Hub ids were any text between the slashes (newlines, `${`, quotes): rendered, then refused by the
    module's own validation at plan. They are held to the module's rule (a lower-case subscription id)."""
    config = gitops_repo / "vending.yaml"
    text = config.read_text()
    start = text.index("uksouth:")
    end = text.index("\n    northeurope:", start)
    config.write_text(text[:start] + f'uksouth: "{hub}"' + text[end:])
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.err
    assert "/network/hubs/uksouth" in result.err and "not a virtual network id the AVM module accepts" in result.err
    assert not (gitops_repo / "generated").exists()


@pytest.mark.parametrize("segment", ["con", "aux", "lpt1"])
def test_an_environment_segment_windows_reserves_is_refused(run_cli: RunCli, gitops_repo: Path, segment: str) -> None:
    """The workload's path segment becomes a directory (`generated/terraform/<segment>/`): a Windows device
    name there could not be checked out, as with subscription names."""
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text().replace("DevTest: nonproduction", f"DevTest: {segment}", 1))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2, result.err
    assert "/environments/DevTest" in result.err and "device name Windows reserves" in result.err
    assert not (gitops_repo / "generated").exists()
