from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from vending.config import load_config
from vending.intake import accept, accept_file
from vending.render import json_bytes, terraform

from ..conftest import EXAMPLES, INJECTION, MAXIMAL_REQUEST, ROOT, TEMPLATE_DIRECTIVE, vended
from ..terraform_stub import (
    offline_copy,
    terraform_missing_reason,
    unknown_attributes,
    variable_types,
    write_stub,
)
from ..terraform_stub import terraform as run_terraform

CONFIG = load_config(ROOT)


def render_doc(doc: dict[str, Any]) -> dict[str, Any]:
    request = vended(accept(json.dumps(doc).encode(), "r.json"))
    files = terraform.render(request, CONFIG)
    (content,) = files.values()
    loaded: dict[str, Any] = json.loads(content)
    return loaded


def test_literal_escapes_templates_in_strings_and_keys() -> None:
    assert terraform.literal({"${k}": ["${a}", "%{b}", "$${c}", "plain $ and %"]}) == {
        "$${k}": ["$${a}", "%%{b}", "$$${c}", "plain $ and %"]}


def test_every_request_field_reaches_the_module() -> None:
    root = render_doc(MAXIMAL_REQUEST)
    module = root["module"]["subscription"]
    assert module["source"] == "Azure/avm-ptn-alz-sub-vending/azure" and module["version"] == "0.1.1"
    assert module["subscription_alias_name"] == "maximal-prod"
    assert module["subscription_workload"] == "Production"
    assert module["subscription_management_group_id"] == "corp"
    assert module["subscription_billing_scope"].endswith("/invoiceSections/3")
    assert module["budgets"]["monthly"]["time_period_start"] == "2026-02-01T00:00:00Z"
    assert module["budgets"]["yearly"]["time_period_start"] == "2026-01-01T00:00:00Z", "from vending.yaml"
    assert module["budgets"]["monthly"]["notifications"]["forecast"]["threshold_type"] == "Forecasted"
    assert module["role_assignments"]["deployer"]["definition_lookup_enabled"] is False
    assert module["role_assignments"]["owners"]["principal_type"] == "Group"
    vnet = module["virtual_networks"]["primary"]
    assert vnet["hub_peering_enabled"] is True and vnet["hub_network_resource_id"].endswith("vnet-hub-uksouth")
    assert vnet["dns_servers"] == ["10.0.0.4"]
    assert sorted(module["subscription_register_resource_providers_and_features"]) == [
        "Microsoft.ContainerService", "Microsoft.Insights", "Microsoft.Network", "Microsoft.Security"]
    assert root["terraform"]["backend"]["azurerm"]["key"] == "vending/production/maximal-prod.tfstate"


def test_one_state_per_subscription_and_production_apart() -> None:
    paths = {}
    for path in EXAMPLES.iterdir():
        request = vended(accept_file(path))
        (generated,) = terraform.render(request, CONFIG)
        paths[request.name] = generated
        assert json.loads(terraform.render(request, CONFIG)[generated])["terraform"]["backend"]["azurerm"][
            "key"] == terraform.state_key(request, CONFIG)
    assert paths["payments-prod"] == "generated/terraform/production/payments-prod/main.tf.json"
    assert paths["analytics-dev"] == "generated/terraform/nonproduction/analytics-dev/main.tf.json"


@pytest.fixture(scope="module")
def avm_types() -> dict[str, Any]:
    try:
        return variable_types()
    except FileNotFoundError:
        pytest.skip("../shared/reference is absent")


@pytest.mark.parametrize("doc", [MAXIMAL_REQUEST, *[p for p in sorted(EXAMPLES.iterdir())]],
                         ids=lambda d: d.name if isinstance(d, Path) else "maximal")
def test_every_input_is_a_real_module_attribute(doc: Any, avm_types: dict[str, Any]) -> None:
    request = vended(accept_file(doc)) if isinstance(doc, Path) else vended(accept(json.dumps(doc).encode(), "r"))
    inputs = terraform.module_inputs(request, CONFIG)
    assert set(inputs) <= set(avm_types), set(inputs) - set(avm_types)
    for name, value in inputs.items():
        assert unknown_attributes(value, avm_types[name], name) == []


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = terraform_missing_reason()
    if reason:
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("avm-stub")
    write_stub(directory)
    return directory


def _roots(tmp: Path) -> list[Path]:
    """Every rendered root of the examples and of the maximal request."""
    files = {}
    for path in sorted(EXAMPLES.iterdir()):
        files.update(terraform.render(vended(accept_file(path)), CONFIG))
    files.update(terraform.render(vended(accept(json.dumps(MAXIMAL_REQUEST).encode(), "m.json")), CONFIG))
    absent = vended(accept(json.dumps({**MAXIMAL_REQUEST, "name": "gone-prod", "state": "absent"}).encode(), "g"))
    files.update(terraform.render(absent, CONFIG))
    files.update(terraform.render(dataclasses.replace(absent, name="deleted-prod"),
                                  dataclasses.replace(CONFIG, deletion_policy="delete")))
    roots = []
    for relative, content in files.items():
        target = tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        roots.append(target)
    return roots


def test_terraform_validate_passes_on_every_rendered_root(stub: Path, tmp_path: Path) -> None:
    roots = _roots(tmp_path / "rendered")
    assert {json.loads(r.read_text()).get("removed", [{}])[0].get("lifecycle", {}).get("destroy") for r in roots} \
        == {None, False, True}, "live roots and both kinds of decommissioned roots"
    for root_json in roots:
        copy = offline_copy(root_json, tmp_path / "validate" / root_json.parent.name, stub)
        init = run_terraform(copy, "init", "-input=false", "-no-color")
        assert init.returncode == 0, init.stderr
        result = run_terraform(copy, "validate", "-no-color")
        assert result.returncode == 0, f"{root_json}: {result.stderr}"


def test_a_type_error_fails_validate(stub: Path, tmp_path: Path) -> None:
    """The stub really checks types: the same validate fails on a mistyped input."""
    (root_json, *_) = _roots(tmp_path / "rendered")
    copy = offline_copy(root_json, tmp_path / "broken", stub)
    document = json.loads((copy / "main.tf.json").read_text())
    document["module"]["subscription"]["subscription_alias_enabled"] = {"not": "a bool"}
    (copy / "main.tf.json").write_text(json.dumps(document))
    assert run_terraform(copy, "init", "-input=false", "-no-color").returncode == 0
    result = run_terraform(copy, "validate", "-no-color")
    assert result.returncode == 1 and "subscription_alias_enabled" in result.stderr


def test_user_strings_reach_the_module_literally(stub: Path, tmp_path: Path) -> None:
    """Terraform evaluates ${...} and %{...} in JSON strings; vending's escaping keeps them literal."""
    (content,) = terraform.render(vended(accept(json.dumps(MAXIMAL_REQUEST).encode(), "m.json")), CONFIG).values()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf.json").write_bytes(content)
    copy = offline_copy(tmp_path / "root" / "main.tf.json", tmp_path / "apply", stub)
    assert run_terraform(copy, "init", "-input=false", "-no-color").returncode == 0
    applied = run_terraform(copy, "apply", "-auto-approve", "-input=false", "-no-color")
    assert applied.returncode == 0, applied.stderr
    output = run_terraform(copy, "output", "-json", "inputs")
    inputs = json.loads(output.stdout)
    assert inputs["subscription_tags"] == MAXIMAL_REQUEST["tags"]
    assert inputs["subscription_tags"]["costCenter"] == INJECTION
    assert inputs["subscription_tags"]["directive"] == TEMPLATE_DIRECTIVE
    assert inputs["subscription_display_name"] == MAXIMAL_REQUEST["displayName"]


def test_json_bytes_equals_the_standard_library() -> None:
    document = {"a": [1, 2.5, {"b": None, "c": []}], "d": {}, "é": "ünï\u2028", "t": True, "e": [[]], "q": '"\\'}
    assert json_bytes(document) == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
