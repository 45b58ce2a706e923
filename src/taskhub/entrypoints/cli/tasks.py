"""``taskhub tasks``: follow what was submitted, from any entrypoint."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any, TextIO

import click

from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.entrypoints.cli.output import (
    DONE,
    FAILED,
    emit,
    json_option,
    next_page,
    paging_options,
    show_task,
    table,
)
from taskhub.entrypoints.cli.session import submitted, with_hub

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub


def _choice(kind: type[TaskStatus] | type[Operation] | type[TaskName]) -> click.Choice[str]:
    return click.Choice([member.value for member in kind])


@click.group()
def tasks() -> None:
    """List, show and wait for tasks; cancel or retry one."""


@tasks.command(name="list")
@click.option("--status", type=_choice(TaskStatus), help="Only tasks in this status.")
@click.option("--operation", type=_choice(Operation), help="Only tasks of this kind.")
@click.option("--task-name", type=_choice(TaskName), help="Only tasks of this operation.")
@click.option("--related-id", help="Only tasks on this user.")
@paging_options
@json_option
def list_(
    as_json: bool, cursor: str | None, page_size: int, count: bool, **filters: str | None
) -> int:
    """List tasks, newest first, one page at a time."""

    def listing(hub: Hub) -> int:
        found = hub.tasks.list(**filters, cursor=cursor, page_size=page_size, count=count)
        rows = [
            (t.id, t.status, t.task_name, f"{t.progress}%", t.created_at.isoformat())
            for t in found.items
        ]
        header = ("id", "status", "task", "progress", "created")
        under = next_page(found.next, found.count, "tasks")
        data: dict[str, Any] = {"tasks": [t.to_dict() for t in found.items], "next": found.next}
        if found.count is not None:
            data["count"] = found.count
        emit(data, as_json, lambda: "\n".join(filter(None, (table(rows, header), under))))
        return 0

    return with_hub(listing, as_json)


@tasks.command()
@click.argument("task_id")
@json_option
def show(task_id: str, as_json: bool) -> int:
    """Show one task: its status, progress and result."""
    return with_hub(lambda hub: show_task(hub.tasks.get(task_id), as_json), as_json)


@tasks.command()
@click.argument("task_id")
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=60, show_default=True, help="Seconds."
)
@json_option
def wait(task_id: str, timeout: float, as_json: bool) -> int:
    """Wait for a task to finish, showing its progress; exit 0 DONE, 1 FAILED, CANCELLED or
    still running."""

    def waiting(hub: Hub) -> int:
        task = _follow(hub, task_id, timeout, show_bar=not as_json)
        if not task.is_finished:
            click.echo(f"taskhub: still {task.status} after {timeout:g} s", err=True)
            show_task(task, as_json)
            return FAILED
        return show_task(task, as_json)

    return with_hub(waiting, as_json)


@tasks.command()
@click.argument("task_id")
@json_option
def cancel(task_id: str, as_json: bool) -> int:
    """Cancel a task: at once if no runner holds it, else at its next safe point; exit 0 once
    asked, 1 if it had finished already."""

    def cancelling(hub: Hub) -> int:
        show_task(hub.tasks.cancel(task_id), as_json)
        return DONE

    return with_hub(cancelling, as_json)


@tasks.command()
@click.argument("task_id")
@json_option
def retry(task_id: str, as_json: bool) -> int:
    """Run a FAILED or CANCELLED task again as a new task, here and now; exit 0 DONE, 1 not."""
    return submitted(lambda hub: hub.tasks.retry(task_id), as_json)


def _follow(hub: Hub, task_id: str, timeout: float, show_bar: bool) -> Task:
    """Follow the task until it finishes or ``timeout`` passes, moving a bar with its progress."""
    task = hub.tasks.get(task_id)
    where: TextIO = io.StringIO()  # the bar goes nowhere when the output is JSON
    if show_bar:
        where = sys.stderr
    with click.progressbar(length=100, label=str(task.task_name), file=where) as bar:
        for task in hub.tasks.follow(task_id, timeout=timeout):  # the last one is returned
            bar.update(task.progress - bar.pos)
    return task
