"""The repository's configuration, `vending.yaml`: loaded strictly, validated by its own schema."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vending import naming
from vending.config_addresses import address_problems, canonical
from vending.config_allowed import allowed_role_problems
from vending.config_git import git_problems
from vending.errors import ConfigError, ConfigInvalid, InvalidInput, Problem, UnsafePath
from vending.loader import MAX_BYTES, Marks, capped, join_pointer, load_bytes
from vending.model import frozen_map
from vending.portable_names import is_reserved
from vending.repo_files import read_file
from vending.validation import validate

CONFIG_FILE = "vending.yaml"
# modules/virtual-network/variables.tf: the hub network id of a hub peering
_HUB_ID = re.compile(r"/subscriptions/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}/resourceGroups/"
                     r"[-\w._]{1,89}[^\t\n\f\r .]/providers/Microsoft\.Network/virtualNetworks/[-\w_.]{2,64}", re.ASCII)
REQUESTS_DIR = "requests"
GENERATED_DIR = "generated"
INTERFACE_DIR = "interface"


@dataclass(frozen=True)
class Provider:
    source: str
    version: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Backend:
    resource_group_name: str
    storage_account_name: str
    container_name: str
    key_prefix: str
    subscription_id: str | None
    use_azuread_auth: bool


@dataclass(frozen=True)
class Terraform:
    module_source: str
    module_version: str
    required_version: str
    providers: Mapping[str, Provider]
    backend: Backend
    enable_telemetry: bool
    subscription_id: str
    """The platform subscription the azurerm provider is configured with (azurerm 4.x plans nothing without
    one); the vended subscription does not exist yet when the plan runs."""


@dataclass(frozen=True)
class SecretRef:
    name: str
    key: str
    namespace: str


@dataclass(frozen=True)
class Credentials:
    """How each vended subscription's own ProviderConfig authenticates (its subscription is the vended one)."""
    source: str
    secret_ref: SecretRef | None
    tenant_id: str | None
    client_id: str | None


DEFAULT_CREDENTIALS = {"source": "Secret", "secretRef": {"name": "azure-credentials", "key": "credentials"}}


@dataclass(frozen=True)
class Crossplane:
    group: str
    mode: str
    namespaces: Mapping[str, str]
    provider_config: str
    credentials: Credentials


@dataclass(frozen=True)
class Signing:
    format: str
    key: str


@dataclass(frozen=True)
class Git:
    committer_name: str
    committer_email: str
    skip_ci: str
    signing: Signing | None
    push_attempts: int
    push_budget_seconds: float
    push_initial_delay_seconds: float


@dataclass(frozen=True)
class Deploy:
    """The Azure DevOps deploy pipeline of the Terraform roots (interface/pipelines/deploy-subscriptions.yml)."""

    branch: str
    vend_pipeline: str
    environments: Mapping[str, str]
    """The Azure DevOps environment whose approvals and checks gate the applies, by workload."""
    service_connections: Mapping[str, str]
    """The workload-identity-federation service connection that plans and applies, by workload."""
    pool: Mapping[str, str]
    terraform_version: str


DEFAULT_DEPLOY_ENVIRONMENTS = {"Production": "vending-production", "DevTest": "vending-devtest"}
DEFAULT_SERVICE_CONNECTION = "vending-deploy"


@dataclass(frozen=True)
class HubPeering:
    """Gateway settings of the peerings with a hub (both false: the hub has no gateway to share)."""

    use_remote_gateways: bool
    allow_gateway_transit: bool


@dataclass(frozen=True)
class Flux:
    """Flux objects that deploy generated/ (docs/gitops-controllers.md)."""
    namespace: str
    interval: str
    secret_ref: str | None
    provider: str | None
    """How source-controller signs in to the repository: azure is its workload identity."""
    git_service_account: str | None
    approve_plan: Mapping[str, str]
    """Per workload: auto (tofu-controller applies every plan) or manual (a plan waits for its approval)."""
    service_accounts: Mapping[str, str]
    """Per workload: the runner's ServiceAccount (its workload identity deploys that workload only)."""


@dataclass(frozen=True)
class ArgoCD:
    namespace: str
    project: str
    server: str
    sync: Mapping[str, str]
    """Per workload: automated or manual."""


@dataclass(frozen=True)
class ContinuousDeployment:
    """`cd` in vending.yaml: the GitOps controllers vending renders objects for (optional)."""
    url: str
    branch: str
    flux: Flux | None
    argocd: ArgoCD | None


@dataclass(frozen=True)
class AzureRepos:
    """`azureRepos`: branch policies (required reviewers by path) for Azure Repos, which ignores CODEOWNERS."""
    branch: str
    reviewers: Mapping[str, str]
    """Owner (as in `owners`) -> Azure DevOps identity id (GUID) of the user or group."""
    minimum_approver_count: int
    creator_vote_counts: bool


@dataclass(frozen=True)
class AllowList:
    """Values a request may use: only those in `allow` (None: any), never those in `deny`."""

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()


@dataclass(frozen=True)
class Allowed:
    """The allow-lists of `allowed` in vending.yaml; a workload's own lists apply on top of the shared ones."""

    management_groups: AllowList = AllowList()
    locations: AllowList = AllowList()
    roles: AllowList = AllowList()
    per_workload: Mapping[str, Allowed] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    namespaces: tuple[str, ...] = ("main",)
    """The Rego packages whose deny/violation/warn rules are enforced (conftest's --namespace)."""


@dataclass(frozen=True)
class Config:
    root: Path
    targets: tuple[str, ...]
    deletion_policy: str
    environments: Mapping[str, str]
    terraform: Terraform
    hubs: Mapping[str, str]
    """The hub virtual network's id, by location."""
    hub_peering: Mapping[str, HubPeering]
    """The gateway settings of the peerings with each location's hub."""
    virtual_network_name: str
    network_resource_group_name: str
    resource_providers: tuple[str, ...]
    budget_end_date: str
    custom_roles: tuple[str, ...]
    """Role names that are not built in and may be assigned (they exist in the tenant)."""
    crossplane: Crossplane
    git: Git
    owners: Mapping[str, tuple[str, ...]]
    deploy: Deploy
    warnings: tuple[Problem, ...] = ()
    """What in vending.yaml is deprecated: accepted and ignored, to be removed."""
    cd: ContinuousDeployment | None = None
    azure_repos: AzureRepos | None = None
    allowed: Allowed = Allowed()
    policy: Policy = Policy()
    document: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """vending.yaml as written (validated): what Rego policies see as data.vending.config."""
    hub_prefixes: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=lambda: frozen_map({}))
    """The hub network's address prefixes, by location: no subscription may overlap them."""
    reserved: tuple[str, ...] = ()
    """Address ranges no subscription may use."""
    pools: Mapping[str, Mapping[str, tuple[str, ...]]] = dataclasses.field(default_factory=lambda: frozen_map({}))
    """Where a prefix asked for by size is allocated: location -> workload -> IPv4 prefixes, in search order."""

    def environment(self, workload: str) -> str:
        """The path segment of a workload: production and non-production never share a path."""
        return self.environments[workload]


DEFAULT_PROVIDERS = {
    "azapi": {"source": "Azure/azapi", "version": "~> 2.5"},
    "azurerm": {"source": "hashicorp/azurerm", "version": "~> 4.0", "config": {"features": {}}},
}


@functools.cache
def config_schema() -> Mapping[str, Any]:
    loaded: dict[str, Any] = json.loads((Path(__file__).parent / "config.schema.json").read_text(encoding="utf-8"))
    return loaded


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding `vending.yaml`."""
    if start.exists() and not start.is_dir():
        raise ConfigError(f"{start} is not a directory; pass the GitOps repository (or a directory inside it)")
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_FILE).is_file():
            return directory
    raise ConfigError(
        f"no {CONFIG_FILE} in {start} or any parent directory; run vending inside a GitOps repository "
        "managed by vending (or pass --repo DIR)")


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    try:
        raw = read_file(root, CONFIG_FILE, limit=MAX_BYTES)
    except UnsafePath as exc:
        raise ConfigError(str(exc)) from None
    if raw is None:
        raise ConfigError(f"{path} does not exist; create it (see the README) or pass --repo DIR")
    return config_from_bytes(raw, str(path), root)


def config_from_bytes(raw: bytes, shown: str, root: Path) -> Config:
    """The configuration in `raw` (named `shown` in errors) of the repository at `root`."""
    try:
        document = load_bytes(raw, shown, syntax="yaml")
    except InvalidInput as exc:
        raise ConfigInvalid(shown, list(exc.problems)) from None
    problems = validate(document.data, config_schema(), document.marks)
    if not problems:
        problems = _semantic_problems(document.data, document.marks)
    if problems:
        raise ConfigInvalid(shown, capped(problems))
    return dataclasses.replace(build_config(root, document.data), warnings=tuple(_deprecated(document.data,
                                                                                            document.marks)),
                               document=frozen_map(document.data))


def _deprecated(doc: Mapping[str, Any], marks: Marks) -> list[Problem]:
    if "startDate" not in doc.get("budgets", {}):
        return []
    return [marks.problem(
        "budgets.startDate is no longer used and is ignored: a budget starts on the first day of its current "
        "period on the day it is vended, recorded in records/<name>.json (Azure refuses a start further in the "
        "past); remove it. Budgets vended before records existed started on this date: record it for them "
        "(see the README, Budget dates)", "/budgets/startDate")]


def _semantic_problems(doc: Mapping[str, Any], marks: Marks) -> list[Problem]:
    problems = []
    segments = doc.get("environments", {})
    if len(set(segments.values())) != len(segments):
        problems.append(marks.problem(
            "each workload needs its own path segment: production and non-production must never share a path",
            "/environments"))
    problems.extend(marks.problem(
        f"{segment!r} is a device name Windows reserves: generated/<target>/{segment}/ could not be checked out "
        "on Windows; choose another path segment", f"/environments/{workload}")
        for workload, segment in segments.items() if is_reserved(segment))
    network = doc.get("network", {})
    for key in ("virtualNetworkName", "resourceGroupName"):
        template = network.get(key)
        if template is None:
            continue
        problem = naming.template_problem(template)
        if problem is None:
            sample = naming.expand(template, {"name": "payments-prod", "location": "uksouth",
                                              "environment": "production"})
            rule = naming.name_problem(key, sample)
            if rule:
                problem = f"the template {template!r} makes names such as {sample!r}, which Azure refuses: {rule}"
        if problem:
            problems.append(marks.problem(problem, f"/network/{key}"))
    for location, hub in network.get("hubs", {}).items():
        pointer = join_pointer("/network/hubs", location)
        hub_id = hub if isinstance(hub, str) else hub["id"]
        if not _HUB_ID.fullmatch(hub_id):
            problems.append(marks.problem(
                f"{hub_id!r} is not a virtual network id the AVM module accepts: /subscriptions/<lowercase guid>/"
                "resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<2-64 of a-z A-Z 0-9 _ . ->",
                pointer if isinstance(hub, str) else join_pointer(pointer, "id")))
        if isinstance(hub, Mapping) and hub.get("useRemoteGateways") and not hub.get("allowGatewayTransit"):
            problems.append(marks.problem(
                "useRemoteGateways needs allowGatewayTransit: a spoke can use the hub's gateway only when the hub's "
                "side of the peering allows gateway transit", join_pointer(pointer, "useRemoteGateways")))
    azurerm = doc["terraform"].get("providers", {}).get("azurerm", {}).get("config", {})
    if "subscription_id" in azurerm:
        problems.append(marks.problem(
            "set the platform subscription as terraform.subscriptionId, not in the azurerm provider's config",
            "/terraform/providers/azurerm/config/subscription_id"))
    problems.extend(address_problems(network, marks))
    problems.extend(git_problems(doc, marks))
    problems.extend(deploy_problems(doc, marks))
    problems.extend(_azure_repos_problems(doc, marks))
    if "argocd" in doc.get("cd", {}) and "crossplane" not in doc.get("targets", ("terraform", "crossplane")):
        problems.append(marks.problem(
            "cd.argocd deploys generated/crossplane/, which only the crossplane target renders: add crossplane to "
            "targets or remove cd.argocd", "/cd/argocd"))
    url = doc.get("cd", {}).get("repository", {}).get("url", "")
    if ":" in url.partition("://")[2].partition("/")[0].rpartition("@")[0]:
        problems.append(marks.problem(
            "the repository URL carries a password, which would be committed and copied into generated files: "
            "remove it and use cd.flux.git.secretRef (or provider: azure)", "/cd/repository/url"))
    git = doc.get("cd", {}).get("flux", {}).get("git", {})
    if "serviceAccountName" in git and git.get("provider") != "azure":
        problems.append(marks.problem(
            "serviceAccountName signs in with a workload identity: it needs provider: azure",
            "/cd/flux/git/serviceAccountName"))
    problems.extend(allowed_role_problems(doc, marks))
    return problems


def _azure_repos_problems(doc: Mapping[str, Any], marks: Marks) -> list[Problem]:
    """Every owner needs an identity id: Azure DevOps policies name reviewers by id, not by name."""
    reviewers = doc.get("azureRepos", {}).get("reviewers")
    if reviewers is None:
        return []
    problems = []
    for workload, owners in doc.get("owners", {}).items():
        for index, owner in enumerate(owners):
            if owner not in reviewers:
                problems.append(marks.problem(
                    f"{owner!r} has no identity id in azureRepos.reviewers: Azure DevOps names required reviewers "
                    "by id; add it (docs/azure-devops.md, Branch policies, says where to find it)",
                    f"/owners/{workload}/{index}"))
    return problems


def deploy_problems(doc: Mapping[str, Any], marks: Marks) -> list[Problem]:
    given = doc.get("deploy", {}).get("environments", {})
    environments = {**DEFAULT_DEPLOY_ENVIRONMENTS, **given}
    if given and len({name.lower() for name in environments.values()}) == 1:
        return [marks.problem("each workload needs its own Azure DevOps environment, so that Production waits for "
                              "its own approvals and checks (environment names are not case-sensitive)",
                              "/deploy/environments")]
    return []


def _deploy(doc: Mapping[str, Any]) -> Deploy:
    connection = doc.get("serviceConnection", DEFAULT_SERVICE_CONNECTION)
    return Deploy(
        branch=doc.get("branch", "main"),
        vend_pipeline=doc.get("vendPipeline", "vend-subscription"),
        environments=frozen_map({**DEFAULT_DEPLOY_ENVIRONMENTS, **doc.get("environments", {})}),
        service_connections=frozen_map({workload: doc.get("serviceConnections", {}).get(workload, connection)
                                        for workload in DEFAULT_DEPLOY_ENVIRONMENTS}),
        pool=frozen_map(doc.get("pool", {"vmImage": "ubuntu-latest"})),
        terraform_version=doc.get("terraformVersion", ""),
    )


def _credentials(doc: Mapping[str, Any]) -> Credentials:
    secret = doc.get("secretRef")
    return Credentials(
        source=doc["source"],
        secret_ref=SecretRef(name=secret["name"], key=secret["key"],
                             namespace=secret.get("namespace", "crossplane-system")) if secret else None,
        tenant_id=doc.get("tenantId"),
        client_id=doc.get("clientId"),
    )


def build_config(root: Path, doc: Mapping[str, Any]) -> Config:
    tf = doc["terraform"]
    backend = tf["backend"]
    cp = doc["crossplane"]
    git = doc.get("git", {})
    push = git.get("push", {})
    committer = git.get("committer", {"name": "vending", "email": "vending@localhost"})
    signing = git.get("signing")
    network = doc.get("network", {})
    budgets = doc.get("budgets", {"endDate": "2035-12-31"})
    environments = doc.get("environments", {"Production": "production", "DevTest": "nonproduction"})
    owners = doc.get("owners", {})
    providers = tf.get("providers", DEFAULT_PROVIDERS)
    return Config(
        root=root,
        targets=tuple(doc.get("targets", ("terraform", "crossplane"))),
        deletion_policy=doc.get("deletionPolicy", "orphan"),
        environments=frozen_map(environments),
        terraform=Terraform(
            module_source=tf["module"]["source"],
            module_version=tf["module"]["version"],
            required_version=tf.get("requiredVersion", "~> 1.10"),
            providers=frozen_map({
                name: Provider(source=p["source"], version=p["version"], config=p.get("config", {}))
                for name, p in providers.items()
            }),
            backend=Backend(
                resource_group_name=backend["resourceGroupName"],
                storage_account_name=backend["storageAccountName"],
                container_name=backend["containerName"],
                key_prefix=backend.get("keyPrefix", "vending"),
                subscription_id=backend.get("subscriptionId"),
                use_azuread_auth=backend.get("useAzureadAuth", True),
            ),
            enable_telemetry=tf.get("enableTelemetry", True),
            subscription_id=tf["subscriptionId"].lower(),
        ),
        hubs=frozen_map({location: hub if isinstance(hub, str) else hub["id"]
                         for location, hub in network.get("hubs", {}).items()}),
        hub_peering=frozen_map({
            location: HubPeering(use_remote_gateways=False, allow_gateway_transit=False) if isinstance(hub, str) else
            HubPeering(use_remote_gateways=hub.get("useRemoteGateways", False),
                       allow_gateway_transit=hub.get("allowGatewayTransit", False))
            for location, hub in network.get("hubs", {}).items()}),
        virtual_network_name=network.get("virtualNetworkName", "vnet-{name}-{location}"),
        network_resource_group_name=network.get("resourceGroupName", "rg-{name}-network"),
        resource_providers=tuple(sorted(doc.get("resourceProviders", ()))),
        budget_end_date=budgets["endDate"],
        custom_roles=tuple(sorted(doc.get("roles", {}).get("custom", ()))),
        crossplane=Crossplane(
            group=cp["group"],
            mode=cp.get("mode", "composite"),
            namespaces=frozen_map(cp.get("namespaces", {w: f"subscriptions-{s}" for w, s in environments.items()})),
            provider_config=cp.get("providerConfig", "default"),
            credentials=_credentials(cp.get("credentials", DEFAULT_CREDENTIALS)),
        ),
        git=Git(
            committer_name=committer["name"],
            committer_email=committer["email"],
            skip_ci=git.get("skipCi", "[skip ci]"),
            signing=Signing(format=signing["format"], key=signing["key"]) if signing else None,
            push_attempts=push.get("attempts", 10),
            push_budget_seconds=push.get("budgetSeconds", 120),
            push_initial_delay_seconds=push.get("initialDelaySeconds", 0.2),
        ),
        owners=frozen_map({key: tuple(value) for key, value in owners.items()}),
        deploy=_deploy(doc.get("deploy", {})),
        cd=_cd(doc["cd"], environments) if "cd" in doc else None,
        azure_repos=_azure_repos(doc["azureRepos"]) if "azureRepos" in doc else None,
        allowed=_allowed(doc.get("allowed", {})),
        policy=Policy(namespaces=tuple(doc.get("policy", {}).get("namespaces", ("main",)))),
        hub_prefixes=frozen_map({location: tuple(canonical(p) for p in hub.get("addressPrefixes", ()))
                                 for location, hub in network.get("hubs", {}).items() if isinstance(hub, Mapping)}),
        reserved=tuple(canonical(p) for p in network.get("reserved", ())),
        pools=frozen_map({location: frozen_map({workload: tuple(canonical(p) for p in prefixes)
                                                for workload, prefixes in by_workload.items()})
                          for location, by_workload in network.get("pools", {}).items()}),
    )


def _cd(doc: Mapping[str, Any], environments: Mapping[str, str]) -> ContinuousDeployment:
    flux = doc.get("flux")
    argocd = doc.get("argocd")
    return ContinuousDeployment(
        url=doc["repository"]["url"],
        branch=doc["repository"].get("branch", "main"),
        flux=None if flux is None else _flux(flux, environments),
        argocd=None if argocd is None else ArgoCD(
            namespace=argocd.get("namespace", "argocd"),
            project=argocd.get("project", "default"),
            server=argocd.get("server", "https://kubernetes.default.svc"),
            sync=frozen_map({"Production": "manual", "DevTest": "automated", **argocd.get("sync", {})}),
        ),
    )


def _flux(doc: Mapping[str, Any], environments: Mapping[str, str]) -> Flux:
    git = doc.get("git", {})
    terraform = doc.get("terraform", {})
    return Flux(
        namespace=doc.get("namespace", "flux-system"),
        interval=doc.get("interval", "10m"),
        secret_ref=git.get("secretRef"),
        provider=git.get("provider"),
        git_service_account=git.get("serviceAccountName"),
        approve_plan=frozen_map({"Production": "manual", "DevTest": "auto", **terraform.get("approvePlan", {})}),
        service_accounts=frozen_map({w: "tf-runner" for w in environments} | terraform.get("serviceAccountName", {})),
    )


def _azure_repos(doc: Mapping[str, Any]) -> AzureRepos:
    return AzureRepos(
        branch=doc.get("branch", "main"),
        reviewers=frozen_map({owner: identity.lower() for owner, identity in doc.get("reviewers", {}).items()}),
        minimum_approver_count=doc.get("minimumApproverCount", 1),
        creator_vote_counts=doc.get("creatorVoteCounts", False),
    )


def _allow_list(value: list[str] | Mapping[str, list[str]] | None) -> AllowList:
    if value is None:
        return AllowList()
    if isinstance(value, list):
        return AllowList(allow=tuple(value))
    allow = value.get("allow")
    return AllowList(allow=None if allow is None else tuple(allow), deny=tuple(value.get("deny", ())))


def _allowed(doc: Mapping[str, Any]) -> Allowed:
    return Allowed(
        management_groups=_allow_list(doc.get("managementGroups")),
        locations=_allow_list(doc.get("locations")),
        roles=_allow_list(doc.get("roles")),
        per_workload=frozen_map({workload: _allowed(lists) for workload, lists in doc.get("perWorkload", {}).items()}),
    )
