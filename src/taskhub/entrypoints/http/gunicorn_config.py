"""gunicorn's configuration for the HTTP API, as the README starts it:
``gunicorn --config python:taskhub.entrypoints.http.gunicorn_config …``.

- Metrics: the workers share one directory (``PROMETHEUS_MULTIPROC_DIR`` if set, emptied at
  start; else a new one, removed at exit), so ``/metrics`` shows the sum of every worker's
  figures, whichever worker answers. A worker that ends keeps its counts in the sum (a counter
  never goes down); ``child_exit`` drops its live gauges.
- Logs: gunicorn's own lines go through taskhub's handler, as ``TASKHUB_LOG_FORMAT`` says.
- Event streams: a worker warns at start if its ``--threads`` leave none beside the streams it may
  hold; at a graceful stop (SIGTERM: gunicorn has no hook for it, so the worker's handler is
  wrapped) or a quick one (``worker_int``) it ends its open streams, which its
  ``--graceful-timeout`` would otherwise wait for, so that their clients reconnect elsewhere.

Not with ``--preload``: the app would import prometheus-client before the directory is chosen.
The master imports nothing of the app (the streams are imported in the worker's hooks), so that it
keeps only gunicorn, the settings and the log and metrics setup in memory.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from gunicorn.glogging import Logger

from taskhub.bootstrap.logs import configure_logging
from taskhub.bootstrap.metrics import forget_process, share_metrics, unshare_metrics
from taskhub.entrypoints.http.access import access_line
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
    if warning := threads_warning(worker.cfg.threads, Settings.from_env().sse_max_streams):
        worker.log.warning(warning)
    from taskhub.entrypoints.http.streams import stop_streams  # the worker's: see the module

    graceful = signal.getsignal(signal.SIGTERM)

    def stop_then_drain(signum: int, frame: Any) -> None:
        stop_streams(worker.wsgi)
        if callable(graceful):
            graceful(signum, frame)

    signal.signal(signal.SIGTERM, stop_then_drain)


def worker_int(worker: Any) -> None:
    """SIGINT or SIGQUIT: the worker exits at once; its streams end first if they can."""
    from taskhub.entrypoints.http.streams import stop_streams

    stop_streams(worker.wsgi)


def threads_warning(threads: int, max_streams: int) -> str | None:
    """What an operator should hear when event streams may take every thread of a worker: a
    sync worker (one thread) refuses them all, and a stream held past ``--timeout`` would
    otherwise get the worker killed."""
    if threads > max_streams:
        return None
    if threads <= 1:
        return (
            "gunicorn runs one thread per worker: task event streams are refused (503 "
            "streams_unsupported); run it with --threads above TASKHUB_SSE_MAX_STREAMS "
            f"({max_streams})"
        )
    return (
        f"gunicorn runs {threads} threads per worker and TASKHUB_SSE_MAX_STREAMS is "
        f"{max_streams}: open event streams can hold every thread; run it with more --threads"
    )


def child_exit(server: Any, worker: Any) -> None:
    forget_process(worker.pid)


def on_exit(server: Any) -> None:
    while _shared:
        unshare_metrics(*_shared.pop())
