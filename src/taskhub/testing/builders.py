"""Builders: fresh, valid domain objects with random ids, varied by keyword.

Each call gives new ids and names, so tests never share (and mutate) one fixture's objects, and
a test states only the fields it cares about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from taskhub.application.ports import Clock, EventPublisher, TaskBus, UnitOfWorkFactory
from taskhub.application.relay import Relay
from taskhub.application.retention import Retention, RetentionPolicy
from taskhub.application.runner import Runner
from taskhub.application.service import TaskService
from taskhub.application.users.commands import CreateUser
from taskhub.domain.task import Operation, Task, TaskName
from taskhub.domain.user import User
from taskhub.testing.clock import MOMENT


def user_fields(**overrides: Any) -> dict[str, Any]:
    """A valid user's fields, with a username and email no other call gives; ``overrides`` win."""
    suffix = uuid4().hex[:10]
    return {
        "username": f"user_{suffix}",
        "email": f"user_{suffix}@example.com",
        "first_name": "John",
        "last_name": "Doe",
        **overrides,
    }


def a_user(user_id: UUID | None = None, now: datetime = MOMENT, **overrides: Any) -> User:
    """A registered User (random id unless given) with ``user_fields(**overrides)``."""
    return User.register(user_id or uuid4(), user_fields(**overrides), now)


def a_task(now: datetime = MOMENT, **overrides: Any) -> Task:
    """A PENDING create_user Task for fresh user fields; ``overrides`` replace ``Task.submit``'s
    arguments (``task_id``, ``task_name``, ``operation``, ``input_data``, ``related_id``)."""
    command = CreateUser(values=user_fields())
    values: dict[str, Any] = {
        "task_id": command.task_id,
        "task_name": TaskName.CREATE_USER,
        "operation": Operation.CREATE,
        "input_data": command.input_data(),
        "related_id": command.user_id,
        "now": now,
    }
    return Task.submit(**{**values, **overrides})


def a_service(
    uow_factory: UnitOfWorkFactory,
    bus: TaskBus,
    clock: Clock,
    publisher: EventPublisher,
    retention: RetentionPolicy | None = None,
) -> TaskService:
    """The task service over ports a test made (fakes of its own, say), for a unit test of one
    use case: the runner, the relay and retention on the same ports, with their default timings
    (or ``retention``) and no heartbeat. A test of the wiring itself uses ``memory_hub`` and its
    container instead."""
    runner = Runner(uow_factory, clock, publisher)
    relay = Relay(uow_factory, bus, clock, publisher)
    kept = Retention(uow_factory, clock, retention or RetentionPolicy())
    return TaskService(uow_factory, bus, clock, publisher, runner, lambda: relay, kept)
