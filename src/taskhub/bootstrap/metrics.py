"""Which processes sum their metrics, and the metrics servers of a worker and a relay.

prometheus-client decides when it is first imported whether a process keeps its figures in
memory or writes them to files in the directory ``PROMETHEUS_MULTIPROC_DIR`` names, for a scrape
to sum with its siblings'. So the directory is chosen before that import, by whatever starts
the processes, and no taskhub module imports prometheus-client before it is needed:

- gunicorn (``taskhub.entrypoints.http.gunicorn_config``): its master shares one directory
  between its workers, the one given (emptied of an earlier run's files) or a new one;
- ``taskhub worker`` with ``TASKHUB_WORKER_METRICS_PORT``: a new directory of its own, made as
  it starts (not when a ``celery inspect`` merely loads the app), shared with its pool
  processes, whose sum its main process serves;
- one process alone (``taskhub serve``, ``taskhub relay``, a worker without metrics, any other
  command, a script on the library): none, whatever the environment says (compose shares one
  ``.env``), so that it never writes into another deployment's sum.

A metrics port that cannot be bound stops the process at its start, in one line (exit 2), rather
than leaving it running unseen.
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
from taskhub.settings.errors import SettingsError

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
WORKER_PORT, RELAY_PORT = "TASKHUB_WORKER_METRICS_PORT", "TASKHUB_RELAY_METRICS_PORT"
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


def keep_metrics_in_process_unless_chosen() -> None:
    """A command or a script on the library counts in its own memory, unless prometheus-client
    is imported already: then the process hosting it has chosen, and its choice stands."""
    if "prometheus_client" not in sys.modules:
        keep_metrics_in_process()


def forget_process(pid: int) -> None:
    """A process that shared the directory ended: its counts stay in the sum, its live gauges
    go (prometheus-client's ``mark_process_dead``)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def serve_metrics(
    address: str, port: int, variable: str, service: Callable[[], TaskService] | None = None
) -> Callable[[], None]:
    """Serve this process's metrics page (with the backlog, if ``service``) on a thread;
    return what stops it. A port that cannot be bound is a ``SettingsError`` naming
    ``variable``, the setting that gave it."""
    from taskhub.adapters.prometheus.exposition import MetricsPage

    try:
        stop = MetricsPage(service).serve(address, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SettingsError(
            f"{variable} is {port}, but metrics cannot be served on {address}:{port} ({reason})."
        ) from error
    log.info("Serving metrics on http://%s:%s/metrics", address, port)
    return stop


class WorkerMetrics:
    """A Celery worker's metrics: its pool processes' figures, summed by its main process."""

    def __init__(self, settings: Settings) -> None:
        self._address, self._port = settings.metrics_address, settings.worker_metrics_port
        self._shared: tuple[str, bool] | None = None
        self._stop: Callable[[], None] | None = None

    def prepare(self) -> None:
        """When the app is made, before anything imports prometheus-client: no directory
        inherited from the environment; the worker's own is made by ``start``."""
        keep_metrics_in_process()

    def start(self, **_: Any) -> None:
        """Before the pool forks, in the main process (``taskhub worker`` calls it before Celery
        starts, so that a port in use stops it in one line; else Celery's ``worker_init``):
        a directory of the worker's own, and the pool's sum served. Once."""
        if self._port is None or self._stop is not None:
            return
        self._shared = share_metrics(fresh=True)
        try:
            self._stop = serve_metrics(self._address, self._port, WORKER_PORT)
        except SettingsError:
            self.stop()
            raise

    def start_at_init(self, **named: Any) -> None:
        """At ``worker_init`` (``celery -A … worker``): Celery logs and ignores what a handler
        raises, so a port in use stops the worker here, with its one line, exit status 2."""
        try:
            self.start(**named)
        except SettingsError as error:
            log.critical("%s", error)
            raise SystemExit(2) from error

    def stop(self, **_: Any) -> None:
        """At Celery's ``worker_shutdown``: stop serving, and remove the directory."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()
        shared, self._shared = self._shared, None
        if shared is not None:
            unshare_metrics(*shared)


def _check_not_imported() -> None:
    if "prometheus_client" in sys.modules:
        log.warning(
            "prometheus-client was imported before this process chose where its metrics go; "
            "they may not be summed with its siblings'"
        )
