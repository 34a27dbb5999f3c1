"""GitOps subscription vending for Azure."""

__version__ = "0.1.0"
