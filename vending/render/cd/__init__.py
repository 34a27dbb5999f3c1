"""Objects of the GitOps controllers that deploy generated/ (`cd` in vending.yaml), rendered beside it.

- `flux`: a GitRepository, a Kustomization per environment path, and a tofu-controller `Terraform`
  object per Terraform root (one file per subscription, owned by the subscription like its root).
- `argocd`: an Application per generated/crossplane/<env>.

Nothing here is rendered unless vending.yaml has `cd`; every object validates against the
controllers' CRDs (tests/render/cd).
"""

from __future__ import annotations

from vending.config import Config
from vending.render import Files
from vending.render.cd import argocd, flux

SCOPE = [flux.KUSTOMIZATION_PATH, flux.SYNC_PATH, argocd.PATH]
"""The platform files, whether or not rendered: turning a controller off removes its files."""


def render_platform(config: Config) -> Files:
    return {**flux.render_platform(config), **argocd.render_platform(config)}


__all__ = ["SCOPE", "argocd", "flux", "render_platform"]
