"""Wiring a Celery worker: the app it consumes with, and the container of each of its processes.

The container is imported when a pool process builds its own, not with this module: Celery's main
process only consumes and hands messages to its pool, and keeps in memory what it imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from taskhub.bootstrap import resources
from taskhub.bootstrap.checks import check_settings
from taskhub.domain.task import Task
from taskhub.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

    from taskhub.bootstrap.container import Container


def worker_app(settings: Settings, run: Callable[[UUID], Task]) -> Celery:
    """The Celery app a worker consumes with (the same factory as the bus's), running ``run``."""
    check_settings(settings)  # in the parent too: a child that cannot start would start again
    from taskhub.adapters.celery.worker import register_run_task

    app = resources.celery_app(settings)
    app.conf.worker_concurrency = settings.worker_concurrency  # the plain celery command uses it
    register_run_task(app, run)
    return app


def worker_container(settings: Settings, app: Celery) -> Container:
    """The container of one worker process, not yet started.

    Part of a Celery deployment whatever ``TASKHUB_BUS`` says (a worker starts no thread pool
    and no in-process relay), on the worker's own Celery ``app`` (the process's one app), in
    which a task stopped at its time limit ends FAILED.
    """
    from dependency_injector import providers

    from taskhub.adapters.celery.worker import TIME_LIMIT_ERRORS
    from taskhub.bootstrap.lifecycle import build_container

    container = build_container(settings.replaced(bus="celery"))
    container.celery_app.override(providers.Object(app))
    container.time_limits.override(providers.Object(TIME_LIMIT_ERRORS))
    container.process_role.override(providers.Object("worker"))
    return container
