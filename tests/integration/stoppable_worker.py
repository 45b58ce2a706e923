"""A Celery app for cancel tests: taskhub's worker, except that two operations take a while, as
real long operations would. A list of pages of ``SLOW_PAGE_SIZE`` waits ``STEP`` seconds before
each of many safe points, so a cancel stops it; a create of a user named ``slow…`` sleeps ``CREATE``
seconds with no safe point, so a cancel comes too late. Start it with the plain
``celery -A tests.integration.stoppable_worker worker`` command."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from dependency_injector import providers

from taskhub.application.cancellation import SafePoint
from taskhub.application.catalogue import CATALOGUE, Entry, catalogue_of
from taskhub.application.ports import UnitOfWork
from taskhub.application.progress import Progress
from taskhub.application.users import handlers
from taskhub.application.users.commands import CreateUser, ListUsers
from taskhub.bootstrap import Container
from taskhub.entrypoints.worker import make_app

SLOW_PAGE_SIZE = 99
STEP, STEPS = 0.2, 300  # a minute of safe points
CREATE = 3.0


def _list_slowly(
    command: ListUsers, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> dict[str, Any]:
    if command.page_size == SLOW_PAGE_SIZE:
        for _ in range(STEPS):
            time.sleep(STEP)
            safe_point.reached()
    return handlers.list_users(command, uow, now, safe_point, progress)


def _create_slowly(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> dict[str, Any]:
    if str(command.values["username"]).startswith("slow"):
        time.sleep(CREATE)
    return handlers.create_user(command, uow, now, safe_point, progress)


CHANGED = catalogue_of(
    *CATALOGUE.values(), Entry(ListUsers, _list_slowly), Entry(CreateUser, _create_slowly)
)


def _slow_down(container: Container) -> None:
    container.catalogue.override(providers.Object(CHANGED))


app = make_app(configure=_slow_down)
__all__ = ["app"]
