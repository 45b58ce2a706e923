"""Which processes sum their metrics, and the metrics servers of a worker and a relay.

prometheus-client decides when it is first imported whether a process keeps its figures in
memory or writes them to files in the directory ``PROMETHEUS_MULTIPROC_DIR`` names, for a scrape
to sum with its siblings'. So the directory is chosen before that import, by whatever starts
the processes, and no taskhub module imports prometheus-client before it is needed:

- gunicorn (``taskhub.entrypoints.http.gunicorn_config``): its master shares one directory
  between its workers, the one given (emptied of an earlier run's files) or a new one;
- ``taskhub worker`` with ``TASKHUB_WORKER_METRICS_PORT``: a new directory of its own, shared
  with its pool processes, whose sum its main process serves;
- one process alone (``taskhub serve``, ``taskhub relay``, a worker without metrics): none,
  whatever the environment says, so that it never writes into another deployment's sum.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from taskhub.application.service import TaskService
from taskhub.settings import Settings

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)


def share_metrics(fresh: bool = False) -> tuple[str, bool]:
    """Have this process and those it forks sum their metrics in one directory: the one the
    environment names (emptied of an earlier run's figures) unless ``fresh``, else a new one.
    Returns it, and whether it was made here (for ``unshare_metrics`` to remove it)."""
    _check_not_imported()
    given = None if fresh else os.environ.get(MULTIPROCESS_DIRECTORY)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="taskhub-metrics-"))
    os.environ[MULTIPROCESS_DIRECTORY] = str(directory)
    return str(directory), not given


def unshare_metrics(directory: str, made: bool) -> None:
    """After the last process that shares ``directory`` has ended: remove it if made here."""
    if made:
        shutil.rmtree(directory, ignore_errors=True)


def keep_metrics_in_process() -> None:
    """This process's figures stay in its memory: it has no siblings to be summed with."""
    _check_not_imported()
    os.environ.pop(MULTIPROCESS_DIRECTORY, None)


def forget_process(pid: int) -> None:
    """A process that shared the directory ended: its counts stay in the sum, its live gauges
    go (prometheus-client's ``mark_process_dead``)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def serve_metrics(
    address: str, port: int, service: Callable[[], TaskService] | None = None
) -> Callable[[], None]:
    """Serve this process's metrics page (with the backlog, if ``service``) on a thread;
    return what stops it."""
    from taskhub.adapters.prometheus.exposition import MetricsPage

    stop = MetricsPage(service).serve(address, port)
    log.info("Serving metrics on http://%s:%s/metrics", address, port)
    return stop


class WorkerMetrics:
    """A Celery worker's metrics: its pool processes' figures, summed by its main process."""

    def __init__(self, settings: Settings) -> None:
        self._address, self._port = settings.metrics_address, settings.worker_metrics_port
        self._shared: tuple[str, bool] | None = None
        self._stop: Callable[[], None] | None = None

    def prepare(self) -> None:
        """Before the pool forks: a directory of the worker's own, or none without a port."""
        if self._port is None:
            keep_metrics_in_process()
        else:
            self._shared = share_metrics(fresh=True)

    def start(self, **_: Any) -> None:
        """At Celery's ``worker_init``, in the main process: serve the pool's sum."""
        if self._port is not None:
            self._stop = serve_metrics(self._address, self._port)

    def stop(self, **_: Any) -> None:
        """At Celery's ``worker_shutdown``: stop serving, and remove the directory."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()
        if self._shared is not None:
            unshare_metrics(*self._shared)


def _check_not_imported() -> None:
    if "prometheus_client" in sys.modules:
        log.warning(
            "prometheus-client was imported before this process chose where its metrics go; "
            "they may not be summed with its siblings'"
        )
