"""The Celery worker: ``taskhub worker``, or ``celery -A taskhub.entrypoints.worker worker``.

Each worker process builds and starts its own container when Celery starts it
(``worker_process_init``; the ``threads`` pool has one process, built at ``worker_init``), since
nothing wired in a parent may cross a fork, and shuts it down when Celery stops it. Starting it
readies the schema and the event publisher before the first task, from one thread. Nothing is
made at import: the app is made by ``make_app`` (one per process: its handlers of Celery's
signals are the process's), or on first use of this module's ``app`` (what ``celery -A`` reads).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from celery import Celery, signals
from celery.concurrency import get_implementation
from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.concurrency.solo import TaskPool as SoloPool

from taskhub import bootstrap
from taskhub.bootstrap.celery_worker import worker_app, worker_container
from taskhub.bootstrap.logs import configure_logging
from taskhub.bootstrap.metrics import WorkerMetrics
from taskhub.domain.task import Task
from taskhub.settings import Settings

if TYPE_CHECKING:
    from taskhub.application.service import TaskService
    from taskhub.bootstrap import Container

Configure = Callable[["Container"], None]


class WorkerProcess:
    """The container of this worker process, from Celery's start of the process to its end.

    Its service is made once, at the start: the container's is made per use (so that a test's
    override takes effect at once), which would cost every task a service, a relay and a
    retention; a worker's container is configured before its start and not after.
    """

    def __init__(self, settings: Settings, configure: Configure | None) -> None:
        self._settings, self._configure = settings, configure
        self._container: Container | None = None
        self._service: TaskService | None = None
        self.app = worker_app(settings, self.run)

    def start(self, **_: Any) -> None:
        container = worker_container(self._settings, self.app)
        if self._configure:
            self._configure(container)
        self._container = bootstrap.start(container)
        self._service = container.service()

    def start_unforked(self, sender: Any, **_: Any) -> None:
        """At ``worker_init``: build now only for pools that send no ``worker_process_init``."""
        if not issubclass(get_implementation(sender.pool_cls), (PreforkPool, SoloPool)):
            self.start()

    def configure_logging(self, loglevel: int | str | None = None, **_: Any) -> None:
        """At Celery's ``setup_logging`` (in each process): our format, at Celery's level."""
        configure_logging(self._settings, loglevel)

    def stop(self, **_: Any) -> None:
        container, self._container, self._service = self._container, None, None
        if container is not None:
            bootstrap.shut_down(container)

    def run(self, task_id: UUID) -> Task:
        if self._service is None:
            raise RuntimeError("This worker process has no container: its start failed (logged).")
        return self._service.run(task_id)


def make_app(settings: Settings | None = None, configure: Configure | None = None) -> Celery:
    """A worker's Celery app; ``configure`` adjusts each process's container (tests use it)."""
    return _made(settings or Settings.from_env(), configure)[0]


def _made(settings: Settings, configure: Configure | None) -> tuple[Celery, WorkerMetrics]:
    metrics = WorkerMetrics(settings)
    metrics.prepare()  # before anything imports prometheus-client
    process = WorkerProcess(settings, configure)
    signals.worker_init.connect(metrics.start_at_init, weak=False)
    signals.worker_shutdown.connect(metrics.stop, weak=False)
    signals.setup_logging.connect(process.configure_logging, weak=False)
    signals.worker_process_init.connect(process.start, weak=False)
    signals.worker_init.connect(process.start_unforked, weak=False)
    signals.worker_process_shutdown.connect(process.stop, weak=False)
    signals.worker_shutdown.connect(process.stop, weak=False)
    return process.app, metrics


@functools.cache
def _default_app() -> Celery:
    return make_app()


def __getattr__(name: str) -> Any:
    """``app``, made from the environment on first use (``celery -A`` reads it)."""
    if name == "app":
        return _default_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def start(
    concurrency: int | None, queues: str | None, pool: str = "prefork", loglevel: str | None = None
) -> None:
    """Run a worker in this process until it is stopped (SIGTERM finishes the running tasks).

    Its metrics port is bound first: one in use stops it before Celery starts (exit 2)."""
    settings = Settings.from_env()
    app, metrics = _made(settings, None)
    metrics.start()
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency or settings.worker_concurrency}",
            f"--queues={queues or settings.queue}",
            f"--pool={pool}",
            f"--loglevel={loglevel or settings.log_level}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
