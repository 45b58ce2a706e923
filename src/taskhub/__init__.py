"""taskhub: every change to a resource runs as a tracked, asynchronous task.

>>> import taskhub
>>> with taskhub.connect(database_url="memory://") as hub:
...     task = hub.users.create(username="ada", email="ada@example.com")
...     hub.tasks.wait(task.id, timeout=5).status
<TaskStatus.DONE: 'DONE'>
"""

from typing import TYPE_CHECKING, Any

from taskhub.application.paging import Page
from taskhub.application.ports import ConcurrentUpdate, ConcurrentUserChange, TaskFilter
from taskhub.application.retention import PurgeReport
from taskhub.domain.errors import (
    DomainError,
    EmailTaken,
    InvalidInput,
    InvalidQuery,
    InvalidTransition,
    InvalidUserData,
    TaskAlreadyFinished,
    TaskAlreadyRetried,
    TaskNotFound,
    TaskNotRetryable,
    TaskRedacted,
    TaskStateConflict,
    UsernameTaken,
    UserNotFound,
)
from taskhub.domain.task import Operation, Task, TaskName, TaskStatus
from taskhub.domain.user import User
from taskhub.settings import Settings

if TYPE_CHECKING:
    from taskhub.entrypoints.library import Hub, connect

__all__ = [
    "ConcurrentUpdate",
    "ConcurrentUserChange",
    "DomainError",
    "EmailTaken",
    "Hub",
    "InvalidInput",
    "InvalidQuery",
    "InvalidTransition",
    "InvalidUserData",
    "Operation",
    "Page",
    "PurgeReport",
    "Settings",
    "Task",
    "TaskAlreadyFinished",
    "TaskAlreadyRetried",
    "TaskFilter",
    "TaskName",
    "TaskNotFound",
    "TaskNotRetryable",
    "TaskRedacted",
    "TaskStateConflict",
    "TaskStatus",
    "User",
    "UserNotFound",
    "UsernameTaken",
    "connect",
]


def __getattr__(name: str) -> Any:
    """``connect`` and ``Hub``, imported on first use: they bring the whole stack (SQLAlchemy,
    Alembic, Celery, ...), which a process that imports only a part of taskhub (gunicorn's
    master reading its config, a Celery main process) should not carry."""
    if name in ("Hub", "connect"):
        from taskhub.entrypoints import library

        return getattr(library, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
