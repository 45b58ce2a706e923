"""Commands: what a client asks for, each carrying the ids it needs, generated at submission.

A command is written into its Task (``new_task``: name, operation, related id, input data) and
rebuilt from that record (``from_task``), so the Task row is the whole message a worker needs.
Making a command validates it: every entrypoint refuses bad input before a task is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from taskhub.domain.task import Operation, Task, TaskName

Result = dict[str, Any]  # what a handler returns: the task's result when DONE


@dataclass(frozen=True)
class Command:
    task_name: ClassVar[TaskName]
    operation: ClassVar[Operation]
    task_id: UUID = field(default_factory=uuid4, kw_only=True)

    @property
    def related_id(self) -> UUID | None:
        return None

    def input_data(self) -> dict[str, Any]:
        """The JSON-ready arguments stored on the task (the request body, for writes)."""
        return {}

    @classmethod
    def from_task(cls, task: Task) -> Self:
        """The command ``task`` was submitted with, from what its record stores. Each command
        reads the members it knows, so a record with one more member still rebuilds."""
        return cls(task_id=task.id)

    def resubmitted(self) -> Self:
        """The same command under a new task id: a retry, the same input in another task. The
        ids it carries stay (a create's user id), so retries of one create make one user."""
        return replace(self, task_id=uuid4())

    def new_task(
        self,
        now: datetime,
        key: str | None = None,
        fingerprint: str | None = None,
        retry_of: UUID | None = None,
    ) -> Task:
        """The PENDING task that records this command, with the client's idempotency key if any
        and the task it retries, if it does."""
        return Task.submit(
            task_id=self.task_id,
            task_name=self.task_name,
            operation=self.operation,
            input_data=self.input_data(),
            related_id=self.related_id,
            now=now,
            idempotency_key=key,
            request_fingerprint=fingerprint,
            retry_of=retry_of,
        )
