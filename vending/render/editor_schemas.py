"""The released request schemas, written into the GitOps repository for editors.

yaml-language-server (VS Code's Red Hat YAML extension) completes and checks a request against the schema
a `# yaml-language-server: $schema=../interface/request/<version>.schema.json` modeline or a `$schema` key
names. The files are the released ones byte for byte (their sha256 is locked), so a request's editor and
`vending validate` agree. Removed releases are not written.
"""

from __future__ import annotations

from vending import schemas
from vending.config import Config
from vending.render import Files

DIRECTORY = "interface/request"


def render_platform(config: Config) -> Files:
    return {f"{DIRECTORY}/{release.path.name}": release.path.read_bytes() for release in schemas.usable()}
