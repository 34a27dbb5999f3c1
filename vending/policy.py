"""Checks of an accepted request against the repository's configuration and its policy.

They run before rendering so that every problem points at the request file,
with its line and column, instead of surfacing as a render failure. One function,
`check_policy`, is what every command calls: the built-in checks, the allow-lists
of vending.yaml (`vending.allowlists`) and the Rego policies under policy/
(`vending.rego`), whose warnings are reported here and whose refusals join the rest.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vending import naming, rego, reporter, roles, schemas
from vending.addresses import Index, check_against
from vending.allowlists import allow_list_problems, role_entries
from vending.config import CONFIG_FILE, Config
from vending.errors import InvalidInput, Problem
from vending.fleet_addresses import concrete_prefixes, located
from vending.fleet_index import FLEET_INDEX, fleet_json, parse_index, read_fleet_index
from vending.intake import Accepted
from vending.render.terraform import network_names
from vending.repo_files import inside
from vending.schema_defaults import with_defaults


@dataclass(frozen=True)
class PolicyInputs:
    """The policy modules and the fleet index a check reads, when they are not the working tree's: apply
    reads them at trunk's tip (`vending.trunk.policy_inputs_at`), as it reads vending.yaml there."""

    modules: tuple[rego.Module, ...]
    fleet_index: bytes | None
    shown: str
    """Where they come from, for messages (`trunk abc123`)."""


def check_policy(accepted: Accepted, config: Config, inputs: PolicyInputs | None = None, *,
                 addresses: Index | None = None) -> None:
    """Every check of a request against its repository, in one place: `validate` and `trigger` (given the
    repository), `render`, `check`, `apply`, `decommission` and the pre-commit hook call this and nothing
    else, so a request one of them accepts none of them refuses. `inputs`: trunk's policy and fleet index
    (apply); None: the working tree's. `addresses`: the fleet's address index to check the request's
    prefixes with, for the commands that do not allocate (validate, trigger); render, apply and
    decommission check them as they allocate (`fleet_addresses.vend_addresses`), with the same messages."""
    problems = [*_hub_peering(accepted, config), *_custom_roles(accepted, config), *_derived_names(accepted, config),
                *allow_list_problems(accepted, config)]
    if addresses is not None:
        prefixes = concrete_prefixes(accepted, None)
        problems.extend(located(accepted.document, problem)
                        for problem in check_against(addresses, accepted.request.name, prefixes, config))
    refusals, warnings = policy_findings(accepted, config, inputs)
    for warning in warnings:  # here, not in each command: every command that checks a request shows them
        reporter.echo_problem(accepted.path, warning, "warning")
    problems.extend(refusals)
    if problems:
        raise InvalidInput(accepted.path, problems)


def policy_findings(accepted: Accepted, config: Config,
                    inputs: PolicyInputs | None = None) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) of the Rego policies under policy/ for `accepted`, each at the request field
    the rule names (`field`), or its nearest ancestor the request has."""
    compiled = policy_engine(config, inputs=inputs)
    if compiled is None:
        return [], []
    document = with_defaults(accepted.upgraded, schemas.schema_for(schemas.latest().name))
    refusals: list[Problem] = []
    warnings: list[Problem] = []
    for finding in rego.evaluate(compiled, document):
        problem = accepted.document.marks.problem(f"{finding.message} ({finding.rule})", finding.field)
        (refusals if finding.refuses else warnings).append(problem)
    return refusals, warnings


def policy_engine(config: Config, *, tests: bool = False, inputs: PolicyInputs | None = None) -> rego.Engine | None:
    """The policies of the repository compiled with their data (with the test modules, `*_test.rego`, for
    `policy test`; without them to check requests), or None when there are none. Compiled once per run
    (the modules, vending.yaml and the fleet index are the key), not once per request."""
    every = rego.read_modules(config.root) if inputs is None else inputs.modules
    modules = tuple(m for m in every if tests or not rego.is_test_module(m.path))
    if not modules:
        return None
    fleet: _FleetKey = _stamp(config.root) if inputs is None else ("bytes", inputs.fleet_index, inputs.shown)
    return _compiled(config.root, modules, json.dumps(dict(config.document), sort_keys=True),
                     fleet, () if tests else config.policy.namespaces)


def _stamp(root: Path) -> tuple[int, int, int] | None:
    try:
        status = os.lstat(inside(root, FLEET_INDEX))
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


_FleetKey = tuple[int, int, int] | tuple[str, bytes | None, str] | None
"""The working tree's index by its stat (None: there is none), or trunk's by its bytes."""
_Key = tuple[Path, tuple[rego.Module, ...], str, _FleetKey, tuple[str, ...]]
_engines: dict[_Key, rego.Engine] = {}


def _compiled(root: Path, modules: tuple[rego.Module, ...], config_json: str,
              fleet_stamp: _FleetKey, namespaces: tuple[str, ...]) -> rego.Engine:
    """The engine of the last key asked for: a run checks one repository, and each engine is a worker process,
    so the previous one is stopped when another is needed."""
    key = (root, modules, config_json, fleet_stamp, namespaces)
    if key not in _engines:
        for old in _engines.values():
            old.close()
        _engines.clear()
        fleet = _fleet(root, fleet_stamp)
        data = f'{{"vending":{{"config":{config_json},"fleet":{fleet_json(fleet)}}}}}'
        _engines[key] = rego.Engine(modules, data, namespaces)
    return _engines[key]


def _fleet(root: Path, key: _FleetKey) -> dict[str, Any]:
    if isinstance(key, tuple) and len(key) == 3 and key[0] == "bytes":
        raw, shown = key[1], key[2]
        return {"subscriptions": {}} if not isinstance(raw, bytes) else parse_index(raw, f"{FLEET_INDEX} ({shown})")
    return read_fleet_index(root) if key else {"subscriptions": {}}


def _hub_peering(accepted: Accepted, config: Config) -> list[Problem]:
    request = accepted.request
    if request.network is None or not request.network.hub_peering or request.location in config.hubs:
        return []
    known = ", ".join(config.hubs) or "none"
    return [accepted.document.marks.problem(
        f"hub peering is requested in {request.location}, but the platform has no hub network there "
        f"(hubs are configured for: {known}); set hubPeering: false or ask the platform team",
        "/network/hubPeering")]


def _custom_roles(accepted: Accepted, config: Config) -> list[Problem]:
    """A role name that is not built in is looked up in the tenant only at apply, after the subscription is
    created: it must be one the platform declared (`roles.custom` in vending.yaml)."""
    problems = []
    for pointer, definition in role_entries(accepted):
        if roles.is_custom(definition) and definition not in config.custom_roles:
            allowed = ", ".join(repr(name) for name in config.custom_roles) or "none"
            problems.append(accepted.document.marks.problem(
                f"{definition!r} is neither a built-in role nor a custom role this repository allows (custom roles "
                f"in {CONFIG_FILE}: {allowed}); the module looks role names up exactly, at apply time, after the "
                f"subscription is created: use the built-in name or the role definition id, or add the custom "
                f"role to roles.custom in {CONFIG_FILE}", pointer))
    return problems


def _derived_names(accepted: Accepted, config: Config) -> list[Problem]:
    """Every name vending derives from a template must be one Azure accepts, or the apply fails midway."""
    request = accepted.request
    if request.network is None or request.state == "absent":
        return []
    problems = []
    group, vnet = network_names(request, config)
    for key, name, template in (("resourceGroupName", group, config.network_resource_group_name),
                                ("virtualNetworkName", vnet, config.virtual_network_name)):
        rule = naming.name_problem(key, name)
        if rule:
            pointer = "/name" if "{name}" in template or "{location}" not in template else "/location"
            problems.append(accepted.document.marks.problem(
                f"the {'virtual network' if key == 'virtualNetworkName' else 'network resource group'} would be "
                f"named {name!r} ({len(name)} characters, from network.{key} {template!r} in {CONFIG_FILE}), "
                f"which Azure refuses: {rule}; choose a shorter name or ask the platform team", pointer))
    return problems
