"""The ``taskhub`` command line, on click: every command and option says what it does
(``taskhub --help``, ``taskhub users create --help``).

Exit codes: 0 DONE (or answered), 1 the task FAILED or the request was refused, 2 the command
or a setting is wrong, in one line on standard error, before anything starts. Shell completion:
``eval "$(_TASKHUB_COMPLETE=bash_source taskhub)"`` (``zsh_source``, ``fish_source``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from taskhub.application.ports import StoreUnavailable
from taskhub.bootstrap.metrics import keep_metrics_in_process_unless_chosen
from taskhub.entrypoints.cli.admin import admin
from taskhub.entrypoints.cli.database import db
from taskhub.entrypoints.cli.extras import missing_extra
from taskhub.entrypoints.cli.output import FAILED, INTERRUPTED, USAGE
from taskhub.entrypoints.cli.processes import check, openapi, relay, serve, worker
from taskhub.entrypoints.cli.retention import purge
from taskhub.entrypoints.cli.tasks import tasks
from taskhub.entrypoints.cli.tokens import tokens
from taskhub.entrypoints.cli.users import users
from taskhub.settings.errors import SettingsError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def taskhub() -> None:
    """Every change to a user runs as a tracked task: submit them, follow them, run the service."""


for command in (users, tasks, admin, tokens, db, serve, worker, relay, check, openapi):
    taskhub.add_command(command)
tasks.add_command(purge)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (see the module)."""
    keep_metrics_in_process_unless_chosen()  # the processes that sum theirs choose again
    try:
        code = taskhub.main(args=list(argv) if argv is not None else None, prog_name="taskhub",
                            standalone_mode=False)  # fmt: skip
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:  # Ctrl-C: what a shell expects of an interrupted command
        return INTERRUPTED
    except SettingsError as error:
        click.echo(f"taskhub: {error}", err=True)
        return USAGE
    except StoreUnavailable as error:  # at a process's start: a schema not ready, say
        click.echo(f"taskhub: {' '.join(str(error).split())}", err=True)
        return FAILED
    except ModuleNotFoundError as error:
        click.echo(f"taskhub: {missing_extra(error)}", err=True)
        return USAGE
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
