"""The released request schemas, written into the GitOps repository for editors.

yaml-language-server (VS Code's Red Hat YAML extension) completes and checks a request against the schema
a `# yaml-language-server: $schema=../.vending/schemas/<version>.schema.json` modeline or a `$schema` key
names. They sit apart from interface/request/, which vending never writes (a released file never changes),
and are the released files byte for byte (sha256 locked), so an editor and `vending validate` agree.
Removed releases are not written.
"""

from __future__ import annotations

from vending import schemas
from vending.config import Config
from vending.render import Files

DIRECTORY = ".vending/schemas"


def render_platform(config: Config) -> Files:
    return {f"{DIRECTORY}/{release.path.name}": release.path.read_bytes() for release in schemas.usable()}
