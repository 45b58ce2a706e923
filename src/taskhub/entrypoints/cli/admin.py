"""``taskhub admin``: the console's administrators, made and listed on the configured store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from taskhub.domain.administrator import MIN_PASSWORD_LENGTH
from taskhub.entrypoints.cli.output import DONE, emit, json_option, table
from taskhub.entrypoints.cli.session import with_hub

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub


@click.group()
def admin() -> None:
    """Make and list the administrators who may sign in to the console."""


@admin.command()
@click.option("--username", required=True, help="Letters, digits and @.+-_.")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input, rather than asking twice.",
)
@json_option
def create(username: str, email: str, password_stdin: bool, as_json: bool) -> int:
    """Make an administrator. The password is asked for (or read from standard input), never
    given as an option, which other users of the machine could read."""
    password = _password(password_stdin)

    def make(hub: Hub) -> int:
        made = hub.administrators.create(username, email, password)
        emit(made.to_dict(), as_json, lambda: f"administrator {made.username} made ({made.id})")
        return DONE

    return with_hub(make, as_json)


@admin.command(name="list")
@json_option
def list_(as_json: bool) -> int:
    """List the administrators, oldest first."""

    def show(hub: Hub) -> int:
        found = [a.to_dict() for a in hub.administrators.list()]
        rows = [(a["username"], a["email"], a["created_at"]) for a in found]
        emit(found, as_json, lambda: table(rows, ("USERNAME", "EMAIL", "CREATED")))
        return DONE

    return with_hub(show, as_json)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    return str(
        click.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    )
