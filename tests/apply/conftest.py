"""The real-git fixtures (a bare trunk, its clones) for the tests of `vending apply` and `decommission`."""

from ..gitops.conftest import clone, trunk

__all__ = ["clone", "trunk"]
