"""gunicorn's configuration for the HTTP API, as the README starts it:
``gunicorn --config python:taskhub.entrypoints.http.gunicorn_config …``.

- Metrics: the workers share one directory (``PROMETHEUS_MULTIPROC_DIR`` if set, emptied at
  start; else a new one, removed at exit), so ``/metrics`` shows the sum of every worker's
  figures, whichever worker answers. A worker that ends keeps its counts in the sum (a counter
  never goes down); ``child_exit`` drops its live gauges.
- Logs: gunicorn's own lines go through taskhub's handler, as ``TASKHUB_LOG_FORMAT`` says.

Not with ``--preload``: the app would import prometheus-client before the directory is chosen.
"""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.glogging import Logger

from taskhub.bootstrap.logs import configure_logging
from taskhub.bootstrap.metrics import forget_process, share_metrics, unshare_metrics
from taskhub.entrypoints.http.auth import access_line
from taskhub.settings import Settings
from taskhub.settings.errors import SettingsError

_shared: list[tuple[str, bool]] = []


class TaskhubLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, whose lines go through taskhub's handler like every other line."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        try:
            configure_logging(Settings.from_env())
        except SettingsError as error:
            print(error, file=sys.stderr)
            sys.exit(2)
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True


logger_class = TaskhubLogger


def on_starting(server: Any) -> None:
    """In the master, before it forks a worker: the directory the workers share; and who may
    call the API, said once."""
    _shared.append(share_metrics())
    server.log.info(access_line(Settings.from_env()))


def post_worker_init(worker: Any) -> None:
    """The worker's app is built and its container started: it serves from now on."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def child_exit(server: Any, worker: Any) -> None:
    forget_process(worker.pid)


def on_exit(server: Any) -> None:
    while _shared:
        unshare_metrics(*_shared.pop())
