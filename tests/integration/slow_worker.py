"""A Celery app for time-limit tests: taskhub's worker, except that creating a user named
``slow…`` first sleeps for a minute, as a task stuck in slow code would. Start it with the plain
``celery -A tests.integration.slow_worker worker`` command."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from taskhub.application import operations
from taskhub.application.ports import UnitOfWork
from taskhub.domain.commands import CreateUser
from taskhub.entrypoints.worker import app

_create_user = operations.HANDLERS[CreateUser]


def _create_slowly(command: CreateUser, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    if str(command.values["username"]).startswith("slow"):
        time.sleep(60)
    return _create_user(command, uow, now)


operations.HANDLERS[CreateUser] = _create_slowly
__all__ = ["app"]
