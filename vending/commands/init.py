"""`vending init DIR`: start a GitOps repository that vending manages."""

from __future__ import annotations

from pathlib import Path

import click

from vending.config import CONFIG_FILE, REQUESTS_DIR, config_from_bytes
from vending.errors import EXIT_OK, UsageError
from vending.fleet_addresses import with_index
from vending.plan import make_plan
from vending.rendering import for_fleet
from vending.repo_files import inside
from vending.writer import apply_plan, write_atomic

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "default-config.yaml"
GITIGNORE = "# Temporary files of an interrupted vending run\n.*.tmp\n"


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def command(directory: Path) -> int:
    """Create vending.yaml (the embedded default: edit it for your tenant), requests/, and the
    platform files it renders (pipeline template, Crossplane definition, CODEOWNERS) in DIRECTORY.
    Commit the result as the first commit of the GitOps repository."""
    if (directory / CONFIG_FILE).exists():
        raise UsageError(f"{directory / CONFIG_FILE} already exists; vending init only starts new repositories")
    keep = inside(directory, f"{REQUESTS_DIR}/.gitkeep")  # refused if a link: init would write through it
    directory.mkdir(parents=True, exist_ok=True)
    default = DEFAULT_CONFIG.read_bytes()
    config = config_from_bytes(default, CONFIG_FILE, directory.resolve())
    # Requests already there must be valid (nothing written), and their address space one invariant.
    desired = with_index(for_fleet(config, list(config.targets)), config)
    write_atomic(directory / CONFIG_FILE, default)
    keep.parent.mkdir(exist_ok=True)
    if not keep.exists():
        write_atomic(keep, b"")
    if not (directory / ".gitignore").exists():
        write_atomic(directory / ".gitignore", GITIGNORE.encode())
    apply_plan(config.root, make_plan(config.root, desired.files, desired.scope))
    click.echo(f"started a GitOps repository in {directory}: edit {CONFIG_FILE} for your tenant, then commit")
    return EXIT_OK
