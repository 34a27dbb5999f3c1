"""The `vending` command: parse arguments, dispatch, and turn errors into exit codes."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence

import click

from vending import __version__
from vending.commands import schema, validate
from vending.errors import EXIT_BUG, EXIT_USAGE, Bug, VendingError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vending")
def cli() -> None:
    """GitOps subscription vending for Azure.

    Exit codes: 0 success; 1 invalid input, failed check or conflict with trunk;
    2 usage or configuration error; 3 git failure; 4 remote service error.
    """


cli.add_command(validate.command)
cli.add_command(schema.command)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="vending",
                          standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except VendingError as exc:
        click.echo(f"vending: error: {exc}", err=True)
        return exc.exit_code
    except (Bug, Exception) as exc:  # noqa: BLE001 - the one place that reports bugs
        return _report_bug(exc)
    return int(result or 0)


def _report_bug(exc: BaseException) -> int:
    fd, log = tempfile.mkstemp(prefix="vending-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        traceback.print_exception(exc, file=handle)
    click.echo(f"vending: internal error: {exc}\nThis is a bug in vending, not in your input; "
               f"the details are in {log}. Please report it with that file.", err=True)
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
