"""What the log lines written now are about: the HTTP request, the task being run.

A web request binds its request id; a runner binds the task it runs (its id, name and operation,
and the request id stored on it). Every line logged meanwhile, by any logger, carries them (the
process's log handler reads them here: ``taskhub.bootstrap.logs``), so the lines of one request
are found by its id in the web process and in the worker alike. These are context variables:
each thread has its own, and a block restores what it found when it ends.

Only identifiers are bound, never a task's input or result: those hold personal fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType

from taskhub.domain.task import Task

FIELDS = ("request_id", "task_id", "task_name", "operation")
Fields = Mapping[str, str]

_bound: ContextVar[Fields] = ContextVar("taskhub_log_context", default=MappingProxyType({}))


def log_context() -> Fields:
    """The fields bound now (``FIELDS`` at most), for a log handler to put on each line."""
    return _bound.get()


def bind(**fields: object) -> Token[Fields]:
    """Bind ``fields`` (those given as ``None`` are left out) over what is bound; ``reset``
    with the token returned undoes it."""
    given = {name: str(value) for name, value in fields.items() if value is not None}
    return _bound.set({**_bound.get(), **given})


def reset(token: Token[Fields]) -> None:
    _bound.reset(token)


@contextmanager
def logging_about(**fields: object) -> Iterator[None]:
    """Bind ``fields`` to every line logged in this block."""
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def task_fields(task: Task) -> dict[str, str]:
    """What a log line says of ``task``: its identifiers, and the request that submitted it."""
    fields = {
        "task_id": str(task.id),
        "task_name": str(task.task_name),
        "operation": str(task.operation),
    }
    if task.request_id:
        fields["request_id"] = task.request_id
    return fields
