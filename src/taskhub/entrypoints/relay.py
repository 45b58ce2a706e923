"""``taskhub relay``: a small long-running process (or a periodic job) that keeps tasks moving."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from taskhub.application.sweeping import sweep_until
from taskhub.bootstrap import Container, build_container, shut_down
from taskhub.bootstrap.logs import configure_logging
from taskhub.bootstrap.metrics import RELAY_PORT, keep_metrics_in_process, serve_metrics
from taskhub.settings import Settings

log = logging.getLogger("taskhub.relay")


def run(once: bool, interval: float | None = None) -> int:
    """Sweep (and purge, when due: ``TASKHUB_PURGE_INTERVAL``) once, or every ``interval``
    seconds until SIGTERM or SIGINT (serving metrics on ``TASKHUB_RELAY_METRICS_PORT``
    meanwhile, if set)."""
    settings = Settings.from_env()
    configure_logging(settings)
    keep_metrics_in_process()
    container = build_container(settings)
    stopped = _stopped_by_signals()
    try:
        if once:
            log.info("relay sweep: %s", container.housekeeping()(False))
        else:
            _sweep_until(stopped, container, interval or settings.relay_interval_seconds)
    finally:
        shut_down(container)
    return 0


def _stopped_by_signals() -> threading.Event:
    stopped = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("relay stopping on signal %s", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stopped


def _sweep_until(stopped: threading.Event, container: Container, interval: float) -> None:
    settings = container.settings()
    port = settings.relay_metrics_port
    stop_metrics = (
        serve_metrics(settings.metrics_address, port, RELAY_PORT, container.service)
        if port
        else None
    )
    container.process_role.override("relay")
    container.presence_thread()  # after its port: one in use stops it before any other work
    try:
        sweep_until(stopped, container.housekeeping(), interval)
    finally:
        if stop_metrics is not None:
            stop_metrics()
