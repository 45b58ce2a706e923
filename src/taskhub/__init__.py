"""taskhub: every change to a resource runs as a tracked, asynchronous task.

>>> import taskhub
>>> with taskhub.connect(database_url="memory://") as hub:
...     task = hub.users.create(username="ada", email="ada@example.com")
...     hub.tasks.wait(task.id, timeout=5).status
<TaskStatus.DONE: 'DONE'>
"""

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
from taskhub.entrypoints.library import Hub, connect
from taskhub.settings import Settings

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
