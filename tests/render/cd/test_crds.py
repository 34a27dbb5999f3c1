"""Every object vending renders for Flux, tofu-controller and Argo CD is one the controllers' real CRDs accept."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest

from ...conftest import RunCli
from ..test_golden import CASES, GOLDEN
from .conftest import Copy
from .crds import needs_crds, objects, problems

pytestmark = needs_crds


@pytest.mark.parametrize("case", CASES)
def test_every_golden_object_validates_against_its_crd(case: str) -> None:
    found = list(objects(GOLDEN / case, "generated/flux", "generated/argocd"))
    for path, document in found:
        assert problems(document) == [], path
    kinds = Counter(document["kind"] for _, document in found)
    if case == "default":
        roots = sorted((GOLDEN / case / "generated" / "terraform").glob("*/*/main.tf.json"))
        assert kinds == {"Terraform": len(roots), "GitRepository": 1, "Kustomization": 5, "Application": 2}
    else:
        assert kinds == {"Application": 2}


def test_delete_policy_and_manual_everywhere_validate_too(golden_copy: Copy, run_cli: RunCli) -> None:
    root = golden_copy("default", ("deletionPolicy: orphan", "deletionPolicy: delete"),
                       ("approvePlan: {Production: manual, DevTest: auto}",
                        "approvePlan: {Production: auto, DevTest: manual}"),
                       ("project: vending", "project: vending\n    sync: {Production: automated, DevTest: manual}"))
    assert run_cli("render", "--all", "--repo", str(root)).code == 0
    documents = [document for _, document in objects(root, "generated/flux", "generated/argocd")]
    assert documents and all(problems(document) == [] for document in documents)


def _golden(kind: str) -> dict[str, Any]:
    return next(document for _, document in objects(GOLDEN / "default", "generated/flux", "generated/argocd")
                if document["kind"] == kind)


@pytest.mark.parametrize(("kind", "path", "value", "expected"), [
    ("Terraform", ["spec", "approvePlan"], True, "approvePlan"),
    ("Terraform", ["spec", "backendConfig", "disabled"], True, "disabled"),
    ("Terraform", ["spec", "sourceRef", "kind"], "HelmRepository", "HelmRepository"),
    ("GitRepository", ["spec", "url"], "ftp://example.com/repo", "ftp://"),
    ("GitRepository", ["spec", "interval"], "ten minutes", "interval"),
    ("Kustomization", ["spec", "prune"], "yes", "prune"),
    ("Kustomization", ["spec", "sourceRef", "kind"], "Secret", "Secret"),
    ("Application", ["spec", "syncPolicy", "automated", "prunes"], True, "prunes"),
    ("Application", ["spec", "destination"], "https://kubernetes.default.svc", "destination"),
])
def test_the_validation_catches_what_the_api_server_refuses(kind: str, path: list[str], value: object,
                                                            expected: str) -> None:
    """The checks are not vacuous: a wrong type, an unknown field or a value outside an enum fails."""
    document = copy.deepcopy(_golden(kind))
    target = document
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    found = problems(document)
    assert found and any(expected in problem for problem in found), found


def test_the_cel_rules_run() -> None:
    """The GitRepository CRD's CEL rule (serviceAccountName only with provider azure or aws) is evaluated,
    as vending.yaml's own check mirrors it."""
    document = copy.deepcopy(_golden("GitRepository"))
    assert problems(document) == []
    document["spec"]["serviceAccountName"] = "source-reader"
    assert problems(document) == []  # provider: azure
    del document["spec"]["provider"]
    assert any("serviceAccountName can only be set" in p and "CEL" in p for p in problems(document))
