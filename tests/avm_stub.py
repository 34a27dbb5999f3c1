"""Run rendered module calls through the AVM module v0.1.1 itself (../shared's stub: the real variables,
validations, wiring, submodules and preconditions, with each resource a `terraform_data` recording the body
it would send), with real `terraform init -backend=false` + `apply`, and read back what would be sent.

Many calls go into one root: one `module` block per shape of call, with `for_each` over the calls, so
Terraform builds its graph once (a static block per call costs seconds each). Each call's arguments are
the rendered JSON values, passed through a local: Terraform reads them with the same template semantics.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vending.config import Config
from vending.model import Request
from vending.render import terraform as render_terraform
from vending.roles import ID_PREFIX, builtin_roles

from .conftest import SHARED

STUB = SHARED / "reference" / "avm-sub-vending-stub"
FAKE_SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-0000000000aa"  # the stub's vended subscription


def stub_missing_reason() -> str | None:
    if shutil.which("terraform") is None:
        return "terraform is not installed on this machine"
    if not (STUB / "main.tf").is_file():
        return f"{STUB} is absent (../shared holds the AVM module stub)"
    return None


def module_call(root: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of a rendered root's module call, without its source and version."""
    call = dict(root["module"][render_terraform.MODULE_NAME])
    call.pop("source")
    call.pop("version")
    return call


def _run(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={directory}", *args], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
             "HOME": str(directory), "TF_CLI_CONFIG_FILE": "/dev/null"})


@dataclass
class Applied:
    ok: bool
    error: str = ""
    offender: str | None = None
    """The call the module refused (found by bisection), when the apply failed."""
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per call: the address of each recorded resource inside the module -> the body it would send."""


def _root(calls: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    shapes: dict[tuple[str, ...], dict[str, Mapping[str, Any]]] = {}
    for key, call in calls.items():
        shapes.setdefault(tuple(sorted(call)), {})[key] = call
    locals_: dict[str, Any] = {}
    modules: dict[str, Any] = {}
    for index, (arguments, members) in enumerate(sorted(shapes.items())):
        locals_[f"g{index}"] = dict(members)
        modules[f"g{index}"] = {"source": str(STUB.resolve()), "for_each": f"${{local.g{index}}}",
                                **{name: f"${{each.value.{name}}}" for name in arguments}}
    return {"locals": locals_, "module": modules}


def _apply(calls: Mapping[str, Mapping[str, Any]], directory: Path) -> tuple[bool, str, dict[str, Any]]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf.json").write_text(json.dumps(_root(calls), ensure_ascii=False), encoding="utf-8")
    init = _run(directory, "init", "-backend=false", "-input=false", "-no-color")
    if init.returncode != 0:
        return False, init.stderr, {}
    applied = _run(directory, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20")
    if applied.returncode != 0:
        return False, applied.stderr, {}
    shown = _run(directory, "show", "-json")
    return True, "", json.loads(shown.stdout)


def _resources(module: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found.extend(_resources(child))
    return found


def apply_calls(calls: Mapping[str, Mapping[str, Any]], workdir: Path) -> Applied:
    """Apply every call in one root; on failure, bisect to the first call the module refuses."""
    ok, error, state = _apply(calls, workdir / "all")
    if not ok:
        return Applied(ok=False, error=error, offender=_bisect(dict(calls), workdir, error)[0])
    bodies: dict[str, dict[str, Any]] = {key: {} for key in calls}
    for resource in _resources(state.get("values", {}).get("root_module", {})):
        # module.g0["payments-prod"].module.subscription[0].terraform_data.alias[0]
        head, _, inner = resource["address"].partition("].")
        key = json.loads(head.split("[", 1)[1])
        bodies[key][inner] = resource["values"]["input"]
    return Applied(ok=True, bodies=bodies)


def _bisect(calls: dict[str, Mapping[str, Any]], workdir: Path, error: str, depth: int = 0) -> tuple[str, str]:
    if len(calls) == 1:
        return next(iter(calls)), error
    keys = sorted(calls)
    for index, half in enumerate((keys[: len(keys) // 2], keys[len(keys) // 2:])):
        part = {key: calls[key] for key in half}
        ok, part_error, _ = _apply(part, workdir / f"bisect-{depth}-{index}")
        if not ok:
            return _bisect(part, workdir, part_error, depth + 1)
    return ",".join(keys), error  # only the combination fails


def mismatches(request: Request, config: Config, bodies: Mapping[str, Any]) -> list[str]:
    """How what the module would send differs from what the request (and vending.yaml) say."""
    wrong: list[str] = []

    def expect(what: str, actual: Any, wanted: Any) -> None:
        if actual != wanted:
            wrong.append(f"{request.name}: {what}: module sends {actual!r}, request says {wanted!r}")

    alias = bodies["module.subscription[0].terraform_data.alias[0]"]
    properties = alias["body"]["properties"]
    expect("alias name", alias["name"], request.name)
    expect("displayName", properties["displayName"], request.display_name)
    expect("workload", properties["workload"], request.workload)
    expect("billingScope", properties["billingScope"], request.billing_scope)
    expect("management group", properties["additionalProperties"]["managementGroupId"],
           f"/providers/Microsoft.Management/managementGroups/{request.management_group}")
    expect("alias tags", properties["additionalProperties"]["tags"], dict(request.tags))
    expect("tags", bodies["module.subscription[0].terraform_data.tags[0]"]["body"]["properties"]["tags"],
           dict(request.tags))
    expect("rename", bodies["module.subscription[0].terraform_data.rename[0]"]["body"]["subscriptionName"],
           request.display_name)

    for key, budget in request.budgets.items():
        sent = bodies.get(f'module.budget["{key}"].terraform_data.budget')
        if sent is None:
            wrong.append(f"{request.name}: budget {key} is not sent")
            continue
        props = sent["body"]["properties"]
        expect(f"budget {key} amount", props["amount"], budget.amount)
        expect(f"budget {key} time grain", props["timeGrain"], budget.time_grain)
        expect(f"budget {key} notifications", {
            name: (n["operator"], n["threshold"], n["thresholdType"], n["contactEmails"], n["enabled"])
            for name, n in props["notifications"].items()}, {
            name: (n.operator, n.threshold, n.threshold_type, list(n.contact_emails), True)
            for name, n in budget.notifications.items()})
    expect("budgets", sorted(a for a in bodies if a.startswith("module.budget[")),
           sorted(f'module.budget["{key}"].terraform_data.budget' for key in request.budgets))

    for key, ra in request.role_assignments.items():
        sent = bodies.get(f'module.roleassignment["{key}"].terraform_data.this')
        if sent is None:
            wrong.append(f"{request.name}: role assignment {key} is not sent")
            continue
        guid = builtin_roles().get(ra.definition) or ra.definition.removeprefix(ID_PREFIX)
        expect(f"role assignment {key}", (sent["body"]["properties"]["principalId"],
                                          sent["body"]["properties"]["roleDefinitionId"],
                                          sent["body"]["properties"]["principalType"]),
               (ra.principal_id, f"{FAKE_SUBSCRIPTION}{ID_PREFIX}{guid}", ra.principal_type))
    expect("role assignments", sorted(a for a in bodies if a.endswith("].terraform_data.this")),
           sorted(f'module.roleassignment["{key}"].terraform_data.this' for key in request.role_assignments))

    network = request.network if request.state == "present" else None
    vnet = bodies.get('module.virtualnetwork[0].module.virtual_networks["primary"].terraform_data.vnet')
    if network is None:
        expect("virtual network", vnet, None)
    elif vnet is None:
        wrong.append(f"{request.name}: the virtual network is not sent")
    else:
        group, name = render_terraform.network_names(request, config)
        expect("vnet name", vnet["name"], name)
        expect("vnet group", vnet["parent_id"], f"{FAKE_SUBSCRIPTION}/resourceGroups/{group}")
        expect("vnet location", vnet["location"], request.location)
        expect("address space", sorted(vnet["body"]["properties"]["addressSpace"]["addressPrefixes"]),
               sorted(network.address_space))
        expect("dns servers", (vnet["body"]["properties"]["dhcpOptions"] or {}).get("dnsServers"),
               list(network.dns_servers) or None)
        peerings = {direction: bodies.get(f'module.virtualnetwork[0].module.peering_hub_{direction}["primary"]'
                                          ".terraform_data.peering") for direction in ("outbound", "inbound")}
        if not network.hub_peering:
            expect("hub peerings", peerings, {"outbound": None, "inbound": None})
        else:
            hub, gateways = config.hubs[request.location], config.hub_peering[request.location]
            spoke = f"{FAKE_SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{name}"
            expect("peering to the hub", {k: (peerings["outbound"] or {}).get(k) for k in (
                "parent_id", "remote_virtual_network_id", "use_remote_gateways", "allow_gateway_transit")},
                {"parent_id": spoke, "remote_virtual_network_id": hub,
                 "use_remote_gateways": gateways.use_remote_gateways, "allow_gateway_transit": False})
            expect("peering from the hub", {k: (peerings["inbound"] or {}).get(k) for k in (
                "parent_id", "remote_virtual_network_id", "use_remote_gateways", "allow_gateway_transit")},
                {"parent_id": hub, "remote_virtual_network_id": spoke,
                 "use_remote_gateways": False, "allow_gateway_transit": gateways.allow_gateway_transit})

    registered = sorted(body["action"].removeprefix("providers/").removesuffix("/register")
                        for address, body in bodies.items() if address.startswith("module.resourceproviders["))
    expect("resource providers", registered, render_terraform.resource_providers(request, config))
    expect("namespaces registered once", len({ns.lower() for ns in registered}), len(registered))

    if not config.terraform.enable_telemetry:
        expect("telemetry resources", sorted(a for a in bodies if "telemetry" in a), [])
        expect("vnet telemetry", vnet and vnet["telemetry"], False if vnet else None)
    return wrong


def plan_errors(calls: Mapping[str, Mapping[str, Any]], directory: Path) -> str:
    """The errors `terraform plan` reports for the calls (all calls' errors come in one run)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf.json").write_text(json.dumps(_root(calls), ensure_ascii=False), encoding="utf-8")
    init = _run(directory, "init", "-backend=false", "-input=false", "-no-color")
    assert init.returncode == 0, init.stderr
    plan = _run(directory, "plan", "-input=false", "-no-color", "-refresh=false")
    return plan.stderr if plan.returncode != 0 else ""
