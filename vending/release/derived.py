"""Checks of the interfaces derived from the request schema: the Azure DevOps pipeline template and
the Crossplane composite resource definition.

Both are generated from the newest release (`vending render`), so they must agree with it; and
the pipeline's parameters are an interface of their own, so across releases they follow the same
semver rules (a parameter removed or its values narrowed is major, one added with a default is
minor), checked on the parameters each release derives.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import yaml

from vending.azdo.parameters import TEMPLATE_PARAMETERS
from vending.azdo.template import TEMPLATE_PATH, pipeline_parameters
from vending.release.series import Series
from vending.render.crossplane import DEFINITION_PATH, openapi_for
from vending.schemadiff.change import Bump
from vending.schemadiff.pipeline import compare_parameters
from vending.schemadiff.semver_bump import bump_between


def _schemas(series: Series) -> list[tuple[str, Any]]:
    """(version, parsed schema) of every release whose file exists, oldest first."""
    found = []
    for release in series.releases:
        data = series.files.get(release.name)
        if data is not None and release.status != "removed":
            try:
                found.append((release.name, json.loads(data)))
            except ValueError:
                continue  # the lock and bump checks report unreadable files
    return found


def check_pipeline_parameters(series: Series) -> list[str]:
    failures: list[str] = []
    present = _schemas(series)
    releases = {r.name: r for r in series.releases}
    derived = {}
    for version, schema in present:
        try:
            derived[version] = pipeline_parameters(schema, version)
        except KeyError as exc:
            failures.append(f"request schema {version} cannot be a pipeline's parameters: it has no {exc.args[0]!r}")
        except (ValueError, TypeError, AttributeError) as exc:
            failures.append(f"request schema {version} cannot be a pipeline's parameters: {exc}")
    present = [(version, schema) for version, schema in present if version in derived]
    for (before, _), (after, _) in itertools.pairwise(present):
        changes = compare_parameters(derived[before], derived[after])
        needed = max((c.bump for c in changes), default=Bump.NONE)
        made = bump_between(releases[before].version, releases[after].version)
        if made is not None and made < needed:
            listing = "".join(f"\n    {c.pointer}: {c.message}" for c in changes if c.bump > made)
            failures.append(f"the pipeline parameters {after} derives change as a {needed} over {before}'s, "
                            f"but {after} is a {made} release:{listing}")
    if present and series.pipeline_template is not None:
        try:
            declared = yaml.safe_load(series.pipeline_template.decode("utf-8", "replace")).get("parameters", [])
        except (yaml.YAMLError, AttributeError) as exc:
            return [*failures, f"{TEMPLATE_PATH} cannot be read: {exc}"]
        request_parameters = [p for p in declared if p.get("name") not in TEMPLATE_PARAMETERS]
        newest, _ = present[-1]
        if request_parameters != derived[newest]:
            failures.append(f"{TEMPLATE_PATH} does not declare the parameters request schema {newest} derives; "
                            "run vending render --all and commit the template")
    return failures


def check_definition(series: Series) -> list[str]:
    present = _schemas(series)
    if not present or series.definition is None:
        return []
    try:
        definition = yaml.safe_load(series.definition.decode("utf-8", "replace"))
        served = {v["name"]: v["schema"]["openAPIV3Schema"] for v in definition["spec"]["versions"]}
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        return [f"{DEFINITION_PATH} cannot be read as a CompositeResourceDefinition: {exc}"]
    version, schema = present[-1]
    name = f"v{version.split('.')[0]}"
    failures = []
    if name not in served:
        failures.append(f"{DEFINITION_PATH} serves no {name}; request schema {version} needs it: run "
                        "vending render --all")
    elif served[name] != openapi_for(schema):
        failures.append(f"{DEFINITION_PATH} version {name} does not match request schema {version}: run "
                        "vending render --all and commit it")
    # Only the newest major is served: without a conversion webhook an older one would be stored
    # unchanged as the newest and read in the wrong shape.
    failures += [f"{DEFINITION_PATH} serves {other}, but only {name} (the newest request schema major) can be "
                 "stored safely; run vending render --all" for other in sorted(set(served) - {name})]
    return failures
