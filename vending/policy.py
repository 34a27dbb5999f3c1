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
from pathlib import Path

from vending import naming, rego, reporter, roles, schemas
from vending.allowlists import allow_list_problems, role_entries
from vending.config import CONFIG_FILE, Config
from vending.errors import InvalidInput, Problem
from vending.fleet_index import FLEET_INDEX, fleet_json, read_fleet_index
from vending.intake import Accepted
from vending.render.terraform import network_names
from vending.repo_files import inside
from vending.schema_defaults import with_defaults


def check_policy(accepted: Accepted, config: Config) -> None:
    problems = [*_hub_peering(accepted, config), *_custom_roles(accepted, config), *_derived_names(accepted, config),
                *allow_list_problems(accepted, config)]
    refusals, warnings = policy_findings(accepted, config)
    for warning in warnings:  # here, not in each command: every command that checks a request shows them
        reporter.echo_problem(accepted.path, warning, "warning")
    problems.extend(refusals)
    if problems:
        raise InvalidInput(accepted.path, problems)


def policy_findings(accepted: Accepted, config: Config) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) of the Rego policies under policy/ for `accepted`, each at the request field
    the rule names (`field`), or its nearest ancestor the request has."""
    compiled = policy_engine(config)
    if compiled is None:
        return [], []
    document = with_defaults(accepted.upgraded, schemas.schema_for(schemas.latest().name))
    refusals: list[Problem] = []
    warnings: list[Problem] = []
    for finding in rego.evaluate(compiled, document):
        problem = accepted.document.marks.problem(f"{finding.message} ({finding.rule})", finding.field)
        (refusals if finding.refuses else warnings).append(problem)
    return refusals, warnings


def policy_engine(config: Config, *, tests: bool = False) -> rego.Engine | None:
    """The policies of the repository compiled with their data (with the test modules, `*_test.rego`, for
    `policy test`; without them to check requests), or None when there are none. Compiled once per run
    (the modules, vending.yaml and the fleet index are the key), not once per request."""
    modules = tuple(m for m in rego.read_modules(config.root) if tests or not rego.is_test_module(m.path))
    if not modules:
        return None
    return _compiled(config.root, modules, json.dumps(dict(config.document), sort_keys=True),
                     _stamp(config.root), () if tests else config.policy.namespaces)


def _stamp(root: Path) -> tuple[int, int, int] | None:
    try:
        status = os.lstat(inside(root, FLEET_INDEX))
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns, status.st_size


_Key = tuple[Path, tuple[rego.Module, ...], str, tuple[int, int, int] | None, tuple[str, ...]]
_engines: dict[_Key, rego.Engine] = {}


def _compiled(root: Path, modules: tuple[rego.Module, ...], config_json: str,
              fleet_stamp: tuple[int, int, int] | None, namespaces: tuple[str, ...]) -> rego.Engine:
    """The engine of the last key asked for: a run checks one repository, and each engine is a worker process,
    so the previous one is stopped when another is needed."""
    key = (root, modules, config_json, fleet_stamp, namespaces)
    if key not in _engines:
        for old in _engines.values():
            old.close()
        _engines.clear()
        fleet = read_fleet_index(root) if fleet_stamp else {"subscriptions": {}}
        data = f'{{"vending":{{"config":{config_json},"fleet":{fleet_json(fleet)}}}}}'
        _engines[key] = rego.Engine(modules, data, namespaces)
    return _engines[key]


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
