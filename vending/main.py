"""The `vending` command: parse arguments, dispatch, and turn errors into exit codes."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from vending import __version__, output, reporter
from vending.errors import EXIT_BUG, EXIT_USAGE, Bug, FleetInvalid, InvalidInput, VendingError
from vending.pipeline_log import redact

# Subcommand -> module with a `command`. Modules are imported only when their command runs:
# a pipeline step pays for what it uses, not for every feature (start-up time is a target).
COMMANDS = {
    "init": "vending.commands.init",
    "validate": "vending.commands.validate",
    "render": "vending.commands.render",
    "check": "vending.commands.check",
    "request": "vending.commands.request",
    "trigger": "vending.commands.trigger",
    "apply": "vending.commands.apply",
    "decommission": "vending.commands.decommission",
    "schema": "vending.commands.schema",
    "azdo": "vending.commands.azdo",
    "list": "vending.commands.list",
    "show": "vending.commands.show",
    "report": "vending.commands.report",
    "policy": "vending.commands.policy",
    "sync": "vending.commands.sync",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(COMMANDS[cmd_name]).command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vending")
def cli() -> None:
    """GitOps subscription vending for Azure.

    Exit codes: 0 success; 1 invalid input, failed check or conflict with trunk;
    2 usage or configuration error; 3 git failure; 4 remote service error.
    """



def main(argv: Sequence[str] | None = None) -> int:
    with output.guarded():  # everything printed from here on is cleaned (vending/output.py)
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
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
    except (InvalidInput, FleetInvalid) as exc:
        reporter.echo_invalid(exc)
        return exc.exit_code
    except VendingError as exc:
        reporter.echo_error(str(exc))
        return exc.exit_code
    except (Bug, Exception) as exc:  # noqa: BLE001 - the one place that reports bugs
        return _report_bug(exc)
    return int(result or 0)


def _report_bug(exc: BaseException) -> int:
    import os  # noqa: PLC0415 - only a crash pays for these imports
    import tempfile  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    # The log is a file next to the job's other files, not the guarded stream: mask secrets here too,
    # and never fail on text that is not Unicode (a surrogate-escaped file name in the message).
    report = redact("".join(traceback.format_exception(exc)))
    try:
        fd, log = tempfile.mkstemp(prefix="vending-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(report)
        details = f"the details are in {log}. Please report it with that file."
    except OSError as failure:  # the report must not crash past the guard: print the traceback instead
        details = f"the details could not be saved ({failure.strerror}):\n{report}"
    click.echo(f"vending: internal error: {exc}\nThis is a bug in vending, not in your input; {details}", err=True)
    return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
