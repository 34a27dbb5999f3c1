from __future__ import annotations

import dataclasses

from vending.config import load_config
from vending.render import codeowners

from ..conftest import ROOT

CONFIG = load_config(ROOT)


def test_environment_paths_get_their_owners_after_the_default() -> None:
    (text,) = codeowners.render_platform(CONFIG).values()
    lines = text.decode().splitlines()
    assert lines[2:] == [
        "* @contoso/platform-team",
        "/generated/*/nonproduction/ @contoso/platform-team",
        "/generated/*/production/ @contoso/platform-team @contoso/cloud-change-board",
    ]


def test_no_owners_no_file() -> None:
    assert codeowners.render_platform(dataclasses.replace(CONFIG, owners={})) == {}
