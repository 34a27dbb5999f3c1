"""The CD controllers' real CRDs (../shared/reference/cd-crds), and validation of objects against them the way
tests/crossplane_sim.py validates Crossplane's: defaults, the openAPIV3Schema with unknown fields as errors,
and every CEL rule (x-kubernetes-validations) with cel-python."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from ...conftest import SHARED
from ...crossplane_sim import DNS_SUBDOMAIN, validate_document

CD_CRDS = SHARED / "reference" / "cd-crds"

needs_crds = pytest.mark.skipif(not CD_CRDS.is_dir(), reason=f"the CD controllers' CRDs are not in {CD_CRDS}")


# The CRDs are 2.6 MB of YAML: libyaml reads them in a second where PyYAML's pure-Python loader takes many.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _documents() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
                 for path in sorted(CD_CRDS.glob("*.yaml")))


def served(api_version: str, kind: str) -> Mapping[str, Any] | None:
    group, version = api_version.split("/")
    for crd in _documents():
        if crd["spec"]["group"] == group and crd["spec"]["names"]["kind"] == kind:
            for candidate in crd["spec"]["versions"]:
                if candidate["name"] == version and candidate.get("served", True):
                    return candidate  # type: ignore[no-any-return]
    return None


def problems(document: Mapping[str, Any]) -> list[str]:
    """`document` against the CRD of its apiVersion and kind (which must be one of ../shared's)."""
    version = served(document["apiVersion"], document["kind"])
    if version is None:
        return [f"no CRD for {document['apiVersion']} {document['kind']} in {CD_CRDS}"]
    found = validate_document(document, version, skip_metadata=False)
    metadata = document.get("metadata", {})
    for key in ("name", "namespace"):
        if not DNS_SUBDOMAIN.fullmatch(str(metadata.get(key, ""))):
            found.append(f"/metadata/{key}: {metadata.get(key)!r} is not a DNS-1123 name")
    return found


def objects(root: Path, *tops: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file, object) for every Kubernetes object under `tops` of `root` (kustomize's own file excepted)."""
    for top in tops:
        for path in sorted((root / top).rglob("*.yaml")):
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if document.get("apiVersion", "").startswith("kustomize.config.k8s.io/"):
                    continue
                yield path.relative_to(root).as_posix(), document
