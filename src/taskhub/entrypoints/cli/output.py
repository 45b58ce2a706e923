"""What the command line prints: a line or a table for people, JSON with ``--json``.

Exit codes mean one thing each: 0 the work is DONE (or the question answered), 1 the task FAILED
or was CANCELLED, or the request was refused, 2 the command or a setting is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import click

from taskhub.application.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskhub.domain.errors import DomainError
from taskhub.domain.task import Task, TaskStatus

DONE, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
F = TypeVar("F", bound=Callable[..., Any])


def json_option(command: F) -> F:
    """``--json``: print what the command returns as JSON, for scripts."""
    option = click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
    return option(command)


def paging_options(command: F) -> F:
    """``--cursor``, ``--page-size`` and ``--count``, as every list of the application pages."""
    cursor = click.option(
        "--cursor", help="Where the page before ended: its next cursor (the first page if none)."
    )
    count = click.option("--count", is_flag=True, help="Also count the whole list (reads it all).")
    size = click.option(
        "--page-size",
        type=click.IntRange(1, MAX_PAGE_SIZE),
        default=DEFAULT_PAGE_SIZE,
        show_default=True,
        help="How many on a page.",
    )
    return cursor(size(count(command)))


def next_page(cursor: str | None, count: int | None, noun: str) -> str:
    """The lines under a page: how many in all (if counted), and how to ask for the next."""
    lines = [f"{count} {noun} in all."] if count is not None else []
    if cursor is not None:
        lines.append(f"Next page: --cursor {cursor}")
    return "\n".join(lines)


def emit(data: Any, as_json: bool, human: Callable[[], str]) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else human())


UNDONE = (TaskStatus.FAILED, TaskStatus.CANCELLED)  # finished without doing the work


def task_line(task: Task) -> str:
    """``DONE create_user <id> (attempt 1): Successfully created user ada``, and what became of
    a cancel asked of it."""
    result = task.result or {}
    said = result.get("message") or result.get("error") or f"{task.progress}%"
    code = f" [{result['code']}]" if task.status in UNDONE else ""
    line = f"{task.status} {task.task_name} {task.id} (attempt {task.attempt}){code}: {said}"
    if task.cancel_requested and task.status is not TaskStatus.CANCELLED:
        late = task.is_finished
        line += " (cancel came too late)" if late else " (cancel requested: stops at a safe point)"
    return line


def show_task(task: Task, as_json: bool, human: Callable[[Task], str] | None = None) -> int:
    """Print the task; its exit code: 0 DONE, 1 FAILED or CANCELLED, 0 while on its way."""
    emit(task.to_dict(), as_json, lambda: (human or task_line)(task))
    return FAILED if task.status in UNDONE else DONE


def table(rows: Iterable[Sequence[object]], header: Sequence[str]) -> str:
    cells = [list(map(str, header)), *(list(map(str, row)) for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def refused(error: DomainError, as_json: bool) -> int:
    """A request the domain refused: one line (or JSON) on standard error, exit 1."""
    errors = getattr(error, "errors", None)
    return failure(error.code, error.message, as_json, {"errors": errors} if errors else {})


def failure(code: str, said: str, as_json: bool, more: dict[str, Any] | None = None) -> int:
    """Why a command could not do its work: one line, or JSON with ``--json``, on stderr."""
    said = " ".join(said.split())
    if as_json:
        click.echo(json.dumps({"code": code, "error": said, **(more or {})}, indent=2), err=True)
    else:
        click.echo(f"taskhub: {said} [{code}]", err=True)
    return FAILED
