"""A Celery app for fault tests: taskhub's worker, except that creating a user named ``poison…``
kills the process running it, as a segfault or the OOM killer would. Start it with the plain
``celery -A tests.integration.poison_worker worker`` command."""

from __future__ import annotations

import os
import signal
from datetime import datetime
from typing import Any

from dependency_injector import providers

from taskhub.application.cancellation import SafePoint
from taskhub.application.catalogue import CATALOGUE, Entry, catalogue_of
from taskhub.application.ports import UnitOfWork
from taskhub.application.users import handlers
from taskhub.application.users.commands import CreateUser
from taskhub.bootstrap import Container
from taskhub.entrypoints.worker import make_app


def _create_or_die(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint
) -> dict[str, Any]:
    if str(command.values["username"]).startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return handlers.create_user(command, uow, now, safe_point)


CHANGED = catalogue_of(*CATALOGUE.values(), Entry(CreateUser, _create_or_die))


def _change_create_user(container: Container) -> None:
    container.catalogue.override(providers.Object(CHANGED))


app = make_app(configure=_change_create_user)
__all__ = ["app"]
