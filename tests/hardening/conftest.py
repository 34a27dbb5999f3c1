"""The real-git fixtures (a bare trunk, its clones) for the hardening tests."""

from ..gitops.conftest import clone, trunk

__all__ = ["clone", "trunk"]
