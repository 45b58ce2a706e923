"""``taskhub users``: submit a user operation, run it here and now, and print its task."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from taskhub.domain.task import Task
from taskhub.entrypoints.cli.output import (
    json_option,
    next_page,
    paging_options,
    show_task,
    table,
)
from taskhub.entrypoints.cli.session import submitted

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub


@click.group()
def users() -> None:
    """Create, show, list, change and delete users; each is a task, run here and now."""


def field_options(required: bool) -> Callable[[Any], Any]:
    def decorate(command: Any) -> Any:
        for option in reversed(
            [
                click.option("--username", required=required, help="Letters, digits and @.+-_."),
                click.option("--email", required=required, help="The user's email address."),
                click.option("--first-name", help="Given name."),
                click.option("--last-name", help="Family name."),
                click.option("--active/--inactive", default=None, help="Whether the user may act."),
            ]
        ):
            command = option(command)
        return command

    return decorate


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    given = {name: value for name, value in values.items() if value is not None}
    if "active" in given:
        given["is_active"] = given.pop("active")
    return given


@users.command()
@field_options(required=True)
@json_option
def create(as_json: bool, **values: Any) -> int:
    """Create a user (its id is chosen now, so a retry never makes two)."""
    return submitted(lambda hub: hub.users.create(**_fields(values)), as_json)


@users.command()
@click.argument("user_id")
@json_option
def show(user_id: str, as_json: bool) -> int:
    """Show one user."""
    return submitted(lambda hub: hub.users.get(user_id), as_json)


@users.command(name="list")
@paging_options
@json_option
def list_(cursor: str | None, page_size: int, count: bool, as_json: bool) -> int:
    """List users by date joined, one page at a time."""

    def listing(hub: Hub) -> Task:
        return hub.users.list(cursor=cursor, page_size=page_size, count=count)

    return submitted(listing, as_json, human=_users_table)


def _users_table(task: Task) -> str:
    result = task.result or {}
    rows = [(u["username"], u["email"], u["id"]) for u in result.get("users", [])]
    under = next_page(result.get("next"), result.get("count"), "users")
    lines = [table(rows, ("username", "email", "id")), result.get("message", ""), under]
    return "\n".join(line for line in lines if line)


@users.command()
@click.argument("user_id")
@field_options(required=False)
@json_option
def update(user_id: str, as_json: bool, **values: Any) -> int:
    """Change only the fields given (PATCH)."""
    return submitted(lambda hub: hub.users.update(user_id, **_fields(values)), as_json)


@users.command()
@click.argument("user_id")
@field_options(required=True)
@json_option
def replace(user_id: str, as_json: bool, **values: Any) -> int:
    """Replace every field; those not given return to their defaults (PUT)."""
    return submitted(lambda hub: hub.users.replace(user_id, **_fields(values)), as_json)


@users.command()
@click.argument("user_id")
@json_option
def delete(user_id: str, as_json: bool) -> int:
    """Delete a user."""
    return submitted(lambda hub: hub.users.delete(user_id), as_json)


__all__ = ["show_task", "users"]
