"""A Celery app for fault tests: taskhub's worker, except that creating a user named ``poison…``
kills the process running it, as a segfault or the OOM killer would. Start it with the plain
``celery -A tests.integration.poison_worker worker`` command."""

from __future__ import annotations

import os
import signal
from datetime import datetime
from typing import Any

from taskhub.application import operations
from taskhub.application.ports import UnitOfWork
from taskhub.domain.commands import CreateUser
from taskhub.entrypoints.worker import app

_create_user = operations.HANDLERS[CreateUser]


def _create_or_die(command: CreateUser, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    if str(command.values["username"]).startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _create_user(command, uow, now)


operations.HANDLERS[CreateUser] = _create_or_die
__all__ = ["app"]
