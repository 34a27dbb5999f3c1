"""The built-in role names vending ships are the module's own list (drift is caught here)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

from vending import roles

from .conftest import ROOT, SHARED

CACHED = SHARED / "reference" / "avm-sub-vending-stub" / "nested" / "roledefs" / "modules" / "cached-data" \
    / "role_definitions.tf.json"


def _generator() -> object:
    loader = importlib.machinery.SourceFileLoader("builtin_roles_script", str(ROOT / "scripts" / "builtin-roles"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.skipif(not CACHED.is_file(), reason=f"{CACHED} is absent (../shared holds the module's role list)")
def test_shipped_roles_equal_the_module_list() -> None:
    expected = _generator().builtin_roles(CACHED)  # type: ignore[attr-defined]
    assert dict(roles.builtin_roles()) == expected, "run scripts/builtin-roles and commit the result"


def test_definitions() -> None:
    guid = "B24988AC-6180-42A0-AB88-20F7382DD24C"
    assert roles.normalize_definition(roles.ID_PREFIX + guid) == roles.ID_PREFIX + guid.lower()
    assert roles.identity(guid[:8] + "-0000-0000-0000-000000000000", "Contributor") == \
        roles.identity(guid[:8].lower() + "-0000-0000-0000-000000000000", roles.ID_PREFIX + guid)
    assert roles.is_custom("Payments Operator") and not roles.is_custom("Reader")
    assert not roles.is_custom("reader"), "a slip of a built-in name is an error, not a custom role"


def test_the_shipped_file_is_package_data() -> None:
    assert (Path(roles.__file__).parent / "data" / "builtin_roles.json").is_file()
