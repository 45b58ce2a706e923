"""A Celery app for time-limit tests: taskhub's worker, except that creating a user named
``slow…`` first sleeps for a minute, as a task stuck in slow code would. Start it with the plain
``celery -A tests.integration.slow_worker worker`` command."""

from __future__ import annotations

import time
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


def _create_slowly(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint
) -> dict[str, Any]:
    if str(command.values["username"]).startswith("slow"):
        time.sleep(60)
    return handlers.create_user(command, uow, now, safe_point)


CHANGED = catalogue_of(*CATALOGUE.values(), Entry(CreateUser, _create_slowly))


def _change_create_user(container: Container) -> None:
    container.catalogue.override(providers.Object(CHANGED))


app = make_app(configure=_change_create_user)
__all__ = ["app"]
