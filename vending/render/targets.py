"""The registry of render targets: what each subscription and the platform render into."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

from vending.azdo import policies
from vending.config import Config
from vending.model import Request
from vending.render import Files, cd, codeowners, crossplane, editor_schemas, terraform

TARGETS: dict[str, ModuleType] = {"terraform": terraform, "crossplane": crossplane}
# What deploys a target's files, rendered and owned with them (empty unless vending.yaml has `cd`):
# a root's tofu-controller object goes wherever the root goes.
COMPANIONS: dict[str, list[ModuleType]] = {"terraform": [cd.flux]}

PlatformRenderer = Callable[[Config], Files]


def _pipeline(config: Config) -> Files:
    # Imported when used: only render --all and check need it, and the template module is large.
    from vending.render import pipeline  # noqa: PLC0415

    return pipeline.render_platform(config)


def _deploy_pipeline(config: Config) -> Files:
    from vending.azdo.deploy_template import DEPLOY_PATH, render_deploy_pipeline  # noqa: PLC0415

    return {DEPLOY_PATH: render_deploy_pipeline(config).encode("utf-8")}


# Platform files by target; those under None are rendered whatever the targets.
PLATFORM: dict[str | None, list[PlatformRenderer]] = {
    None: [_pipeline, codeowners.render_platform, policies.render_platform, cd.render_platform,
           editor_schemas.render_platform],
    "crossplane": [crossplane.render_platform],
    "terraform": [_deploy_pipeline],
}


def render_request(request: Request, config: Config, targets: Iterable[str], *, source: str = "") -> Files:
    files: Files = {}
    for name in targets:
        for module in [TARGETS[name], *COMPANIONS.get(name, [])]:
            files.update(module.render(request, config, source=source))
    return files


def owned(name: str, config: Config, targets: Iterable[str]) -> list[str]:
    """Every path (a file, or a directory ending in /) that belongs to the subscription `name`,
    whatever its workload: what a render of its request replaces."""
    return [glob for target in targets for module in [TARGETS[target], *COMPANIONS.get(target, [])]
            for glob in module.owned(name, config)]


def render_platform(config: Config, targets: Iterable[str]) -> Files:
    files: Files = {}
    for name in [None, *targets]:
        for renderer in PLATFORM.get(name, []):
            files.update(renderer(config))
    return files


def generated_scope(config: Config, targets: Iterable[str]) -> list[str]:
    """Everything `render --all` owns: the targets' trees and the platform files."""
    chosen = list(targets)
    companions = [glob for t in chosen for module in COMPANIONS.get(t, []) for glob in module.scope(config)]
    platform = sorted({*render_platform(config, chosen), *cd.SCOPE, policies.PATH})
    return [f"generated/{t}/" for t in chosen] + companions + platform
