"""The real-git fixtures (a bare trunk, its clones) for the tests of `vending apply` and `decommission`."""

from ..gitops.conftest import clone, started_trunk, trunk

__all__ = ["clone", "started_trunk", "trunk"]
