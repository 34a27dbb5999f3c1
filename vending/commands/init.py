"""`vending init DIR`: start a GitOps repository that vending manages."""

from __future__ import annotations

from pathlib import Path

import click

from vending.config import CONFIG_FILE, REQUESTS_DIR, config_from_bytes
from vending.desired import for_fleet
from vending.errors import EXIT_OK, UsageError
from vending.plan import WorkingTree, make_plan
from vending.rego import POLICY_DIR
from vending.repo_files import inside
from vending.writer import apply_plan, write_atomic

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "default-config.yaml"
EXAMPLE_POLICY = Path(__file__).resolve().parent.parent / "data" / "policy"
"""An example Rego policy and its tests, written to policy/ (vending policy test runs them)."""
GITIGNORE = "# Temporary files of an interrupted vending run\n.*.tmp\n"


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def command(directory: Path) -> int:
    """Create vending.yaml (the embedded default: edit it for your tenant), requests/, an example
    Rego policy with its tests (policy/), and the platform files it renders (pipeline template,
    Crossplane definition, CODEOWNERS) in DIRECTORY.
    Commit the result as the first commit of the GitOps repository."""
    if (directory / CONFIG_FILE).exists():
        raise UsageError(f"{directory / CONFIG_FILE} already exists; vending init only starts new repositories")
    keep = inside(directory, f"{REQUESTS_DIR}/.gitkeep")  # refused if a link: init would write through it
    examples = {inside(directory, f"{POLICY_DIR}/{source.name}"): source.read_bytes()
                for source in sorted(EXAMPLE_POLICY.glob("*.rego"))}
    directory.mkdir(parents=True, exist_ok=True)
    default = DEFAULT_CONFIG.read_bytes()
    config = config_from_bytes(default, CONFIG_FILE, directory.resolve())
    # Requests already there must be valid (nothing written), and their address space one invariant.
    desired = for_fleet(config, list(config.targets))
    write_atomic(directory / CONFIG_FILE, default)
    keep.parent.mkdir(exist_ok=True)
    if not keep.exists():
        write_atomic(keep, b"")
    for path, content in examples.items():
        path.parent.mkdir(exist_ok=True)
        if not path.exists():
            write_atomic(path, content)
    if not (directory / ".gitignore").exists():
        write_atomic(directory / ".gitignore", GITIGNORE.encode())
    apply_plan(config.root, make_plan(desired, WorkingTree(config.root)))
    click.echo(f"started a GitOps repository in {directory}: edit {CONFIG_FILE} for your tenant, then commit")
    return EXIT_OK
