"""The real-git fixtures (a bare trunk, its clones) for the hardening tests."""

from ..gitops.conftest import clone, started_trunk, trunk

__all__ = ["clone", "started_trunk", "trunk"]
