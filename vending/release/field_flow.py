"""Whether every property of the newest request schema reaches every render target, proven by rendering.

A property *flows* to a target when some value of it changes what that target renders. For each
property of the newest schema (nested ones too: `/budgets/*/amount`), a full sample request
(`SAMPLE`) is rendered, then rendered again with the property changed: left out when it is
optional, set to another value its schema allows (another `enum` member, an `examples` value,
the `default`, the other boolean, a number one up or down, a text with its last letter or digit
moved on, a list or map one entry shorter or with its last text moved on so) or, when the sample
lacks it (a newly released field), set to such a value. A variant the schema, the request checks
or the policy refuses is not counted. The property flows to the target iff a counted variant
changes the target's files.

A property that does not flow to a target must be listed, with the reason, in
`interface/request/not-mapped.json` (`NOT_MAPPED_PATH`):

    {"/requestedBy": {"terraform": "audit trail only: the author of the vending commit"}}

and a property listed there must really not flow (otherwise the entry is stale). Everything
here is a pure function of the series' newest schema, the configuration and that list.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vending.config import Config, config_from_bytes
from vending.errors import InvalidInput
from vending.intake import Accepted
from vending.loader import Json, join_pointer, load_bytes
from vending.model import build_request
from vending.policy import check_policy
from vending.records import dated, record_facts
from vending.release.series import Series
from vending.render import Files
from vending.render.targets import TARGETS
from vending.schemadiff.properties import ANY, Property, properties
from vending.schemadiff.schema_input import schema_problems
from vending.schemas import Release
from vending.semantics import check_request
from vending.validation import validate

NOT_MAPPED_PATH = "interface/request/not-mapped.json"
SHOWN = "<field-flow sample>"
TODAY = datetime.date(2026, 1, 15)
"""The day the samples are vended on: fixed, so that the check is deterministic; the sample's budget
start (2026-02-01) is within Azure's window on it and differs from the start it would get without one."""

SAMPLE: dict[str, Json] = {
    "name": "flow-sample",
    "displayName": "Flow sample",
    "workload": "Production",
    "billingScope": "/providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321",
    "managementGroup": "corp",
    "location": "uksouth",
    "requestedBy": "alice@contoso.com",
    "ticket": "CHG0012345",
    "tags": {"costCenter": "1234", "owner": "payments"},
    "budgets": {
        "default": {
            "amount": 500,
            "timeGrain": "Monthly",
            "startDate": "2026-02-01",
            "endDate": "2027-12-30",
            "notifications": {
                "actual-80": {"threshold": 80, "thresholdType": "Forecasted", "operator": "GreaterThanOrEqualTo",
                              "contactEmails": ["finops@contoso.com", "lead@contoso.com"]},
                "actual-100": {"threshold": 100, "contactEmails": ["finops@contoso.com"]},
            },
        },
    },
    "network": {"addressSpace": ["10.20.0.0/24", "10.20.1.0/24"], "hubPeering": False,
                "dnsServers": ["10.0.0.4", "10.0.0.5"]},
    "roleAssignments": {
        "owners": {"principalId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "definition": "Contributor",
                   "principalType": "Group"},
    },
    "resourceProviders": ["Microsoft.ContainerService", "Microsoft.KeyVault"],
    "state": "present",
}
"""A request of the newest schema with every optional property set (`schemaVersion` is added: the newest
release). A new major that changes the shape of a request changes this sample too."""

ALTERNATIVES: dict[str, tuple[Json, ...]] = {
    "/roleAssignments/*/definition": ("Reader", "/providers/Microsoft.Authorization/roleDefinitions/"
                                                "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
}
"""Values to try where the schema allows more than vending accepts and gives no example of it (a role must
be built in or declared in vending.yaml)."""


@dataclass(frozen=True)
class Flow:
    """What the renders showed for one property."""

    prop: Property
    reaches: frozenset[str]
    """The targets some accepted variant changed."""
    tried: int
    """How many variants were accepted and rendered (0: nothing could be proven)."""
    broken: str = ""
    """Why the model could not be built from a variant the schema accepts (a bug to fix), if it could not."""


@dataclass(frozen=True)
class FieldFlow:
    release: Release
    flows: tuple[Flow, ...]
    problem: str = ""
    """Why nothing could be rendered (the sample is refused), if so."""


def trace(schema: Mapping[str, Any], release: Release, config: Config) -> FieldFlow:
    """Which targets each property of `schema` (the newest release, `release`) reaches."""
    base_doc = {"schemaVersion": release.name, **copy.deepcopy(SAMPLE)}
    if config.hubs and base_doc.get("location") not in config.hubs:
        base_doc["location"] = min(config.hubs)  # so that peering with the hub can be tried
    try:
        base = _render(base_doc, schema, release, config)
    except (InvalidInput, _ModelError) as exc:
        return FieldFlow(release, (), f"the sample request of {__name__}.SAMPLE is refused under {release.name}: "
                                      f"{_reason(exc)}; update SAMPLE for this release")
    flows = []
    for prop in properties(schema):
        reaches: set[str] = set()
        tried = 0
        broken = ""
        for variant in _variants(base_doc, prop):
            try:
                files = _render(variant, schema, release, config)
            except InvalidInput:
                continue
            except _ModelError as exc:
                broken = str(exc)
                continue
            tried += 1
            reaches |= {target for target in TARGETS if files[target] != base[target]}
        flows.append(Flow(prop, frozenset(reaches), tried, broken))
    return FieldFlow(release, tuple(flows))


class _ModelError(Exception):
    """A document the newest schema accepts that the model cannot be built from."""


def _render(doc: dict[str, Json], schema: Mapping[str, Any], release: Release, config: Config) -> dict[str, Files]:
    document = load_bytes(json.dumps(doc).encode(), SHOWN, syntax="json")
    problems = validate(document.data, schema, document.marks)
    if not problems:
        problems, _ = check_request(document.data, document.marks)
    if problems:
        raise InvalidInput(SHOWN, problems)
    try:
        request = build_request(document.data, schema_pin=document.data["schemaVersion"],
                                schema_version=release.name)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _ModelError(f"model.build_request fails on {json.dumps(doc, sort_keys=True)}: "
                          f"{type(exc).__name__}: {exc}") from None
    accepted = Accepted(document=document, release=release, request=request, upgraded=document.data, warnings=())
    check_policy(accepted, config)
    request = dated(accepted, record_facts(accepted, None, TODAY), config).request
    return {name: target.render(request, config, source=f"requests/{request.name}.json")
            for name, target in TARGETS.items()}


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return "; ".join(f"{p.pointer or '/'}: {p.message}" for p in error.problems[:3])
    return str(error)


def _variants(base: dict[str, Json], prop: Property) -> Iterator[dict[str, Json]]:
    """`base` with the property at `prop` changed, in each way its schema allows."""
    tokens = _concrete(base, prop.tokens)
    if tokens is None:
        return  # a parent is absent from the sample: nothing to vary
    parent = _parent(base, tokens)
    last = tokens[-1]
    if not isinstance(parent, dict):
        return
    if last not in parent:
        for value in _candidates(prop, None):
            yield _with(base, tokens, value)
        return
    if not prop.required:
        yield _without(base, tokens)
    for value in _candidates(prop, parent[last]):
        yield _with(base, tokens, value)


def _concrete(doc: Json, tokens: Sequence[str]) -> list[str] | None:
    """`tokens` with each `*` replaced by the first key (or index) of the sample there; None when a parent
    is absent."""
    out: list[str] = []
    node: Any = doc
    for index, written in enumerate(tokens):
        token = written
        if written == ANY:
            if isinstance(node, dict) and node:
                token = min(node)
            elif isinstance(node, list) and node:
                token = "0"
            else:
                return None
        out.append(token)
        if index < len(tokens) - 1:
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                return None
    return out


def _candidates(prop: Property, current: Json | None) -> list[Json]:
    """Values the property's schema allows, other than `current` (None: the property is absent)."""
    schema = prop.schema
    found: list[Json] = list(ALTERNATIVES.get(prop.pointer, ()))
    found += list(schema.get("enum", []))
    found += [schema["const"]] if "const" in schema else []
    found += list(schema.get("examples", []))
    found += [schema["default"]] if "default" in schema else []
    kind = schema.get("type")
    if kind == "boolean":
        found += [True, False]
    if isinstance(current, bool):
        pass
    elif isinstance(current, int | float) and kind in ("integer", "number"):
        found += [current + 1, current - 1]
    elif isinstance(current, str):
        found.append(_nudged(current))
    elif isinstance(current, list) and current:
        if len(current) > schema.get("minItems", 0):
            found.append(current[:-1])
        if isinstance(current[-1], str):
            found.append([*current[:-1], _nudged(current[-1])])
    elif isinstance(current, dict) and "properties" not in schema and len(current) > schema.get("minProperties", 0):
        found.append({key: current[key] for key in sorted(current)[:-1]})
    unique: list[Json] = []
    for value in found:
        if value != current and value not in unique:
            unique.append(value)
    return unique


def _nudged(text: str) -> str:
    """`text` with its last letter or digit moved on by one (`a` -> `b`, `9` -> `0`)."""
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char.isascii() and char.isalnum():
            if char.isdigit():
                moved = str((int(char) + 1) % 10)
            else:
                start = ord("a") if char.islower() else ord("A")
                moved = chr(start + (ord(char) - start + 1) % 26)
            return text[:index] + moved + text[index + 1:]
    return text + "x"


def _with(base: dict[str, Json], tokens: Sequence[str], value: Json) -> dict[str, Json]:
    doc = copy.deepcopy(base)
    _parent(doc, tokens)[tokens[-1]] = copy.deepcopy(value)
    return doc


def _without(base: dict[str, Json], tokens: Sequence[str]) -> dict[str, Json]:
    doc = copy.deepcopy(base)
    del _parent(doc, tokens)[tokens[-1]]
    return doc


def _parent(doc: Json, tokens: Sequence[str]) -> Any:
    """The map or list that holds the value at `tokens` (concrete: no `*`)."""
    node: Any = doc
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def parse_not_mapped(raw: bytes | None) -> tuple[dict[str, dict[str, str]], list[str]]:
    """(pointer -> {target: reason}) of the not-mapped list, and why it cannot be read (if it cannot).
    A missing list is an empty one."""
    if raw is None:
        return {}, []
    try:
        document = load_bytes(raw, NOT_MAPPED_PATH, syntax="json")
    except InvalidInput as exc:
        problem = exc.problems[0]
        return {}, [f"{NOT_MAPPED_PATH}:{problem.line}:{problem.column}: {problem.message}"]
    listed: dict[str, dict[str, str]] = {}
    failures: list[str] = []
    for pointer, entry in document.data.items():
        line, column = document.marks.locate(_key_pointer(pointer), key=True)
        where = f"{NOT_MAPPED_PATH}:{line}:{column}"
        if not isinstance(entry, dict) or not entry or not all(
                isinstance(reason, str) and reason.strip() for reason in entry.values()):
            failures.append(f"{where}: {pointer!r} must map each target it does not reach to the reason, such as "
                            '{"terraform": "audit trail only: a commit trailer"}')
            continue
        unknown = sorted(set(entry) - set(TARGETS))
        if unknown:
            failures.append(f"{where}: {pointer!r} names {', '.join(unknown)}, not a render target "
                            f"({', '.join(TARGETS)})")
        listed[pointer] = {target: reason for target, reason in entry.items() if target in TARGETS}
    return listed, failures


def _key_pointer(key: str) -> str:
    return join_pointer("", key)


def judge(flow: FieldFlow, listed: Mapping[str, Mapping[str, str]]) -> list[str]:
    """One sentence per property that a target neither gets nor lists, and per stale entry of the list."""
    if flow.problem:
        return [flow.problem]
    failures = []
    declared = {f.prop.pointer for f in flow.flows}
    for item in flow.flows:
        pointer = item.prop.pointer
        reasons = listed.get(pointer, {})
        if item.broken:
            failures.append(f"{pointer}: {item.broken}")
        for target in TARGETS:
            if target in item.reaches:
                if target in reasons:
                    failures.append(f"{pointer} reaches {target} (a value of it changes what {target} renders), "
                                    f"but {NOT_MAPPED_PATH} lists it as not mapped there; remove that entry")
            elif target not in reasons:
                if item.tried == 0:
                    failures.append(
                        f"{pointer}: cannot tell whether it reaches {target}: no value vending tries for it is "
                        f"accepted; give it `examples` in the {flow.release.name} schema, or list it in "
                        f"{NOT_MAPPED_PATH} with the reason")
                else:
                    failures.append(
                        f"{pointer} does not reach {target}: no value of it changes what {target} renders; map it "
                        f"(vending/model.py and vending/render/) or list it under {target} in {NOT_MAPPED_PATH} "
                        "with the reason")
    failures += [f"{NOT_MAPPED_PATH} lists {pointer}, which is not a property of request schema "
                 f"{flow.release.name}; remove it" for pointer in sorted(set(listed) - declared)]
    return failures


def check_field_flow(series: Series) -> list[str]:
    """Every property of the newest release reaches every render target, or is listed as not mapped there."""
    newest = _newest(series)
    if newest is None:
        return []  # no readable release: the lock and bump checks say why
    release, schema = newest
    listed, failures = parse_not_mapped(series.not_mapped)
    if series.config is None:
        return [*failures, "no configuration to render the field flow with"]
    shown, raw = series.config
    try:
        config = config_from_bytes(raw, shown, series.root)
    except InvalidInput as exc:
        return [*failures, f"{shown}: {_reason(exc)}: the field flow is rendered with it"]
    return [*failures, *judge(trace(schema, release, config), listed)]


def _newest(series: Series) -> tuple[Release, Mapping[str, Any]] | None:
    for release in reversed(series.releases):
        data = series.files.get(release.name)
        if data is None or release.status == "removed":
            continue
        try:
            schema = json.loads(data)
        except ValueError:
            return None
        if not isinstance(schema, dict) or schema_problems(schema, None):
            return None
        return release, schema
    return None
