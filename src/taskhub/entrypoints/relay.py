"""``taskhub relay``: a small long-running process (or a periodic job) that keeps tasks moving."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from taskhub.application.relay import Relay
from taskhub.bootstrap import build_container, shut_down
from taskhub.settings import Settings

log = logging.getLogger("taskhub.relay")


def sweep_until(stopped: threading.Event, relay: Callable[[], Relay], interval: float) -> None:
    """Sweep every ``interval`` seconds until ``stopped``; an outage skips a sweep, not the loop."""
    while True:
        try:
            report = relay().sweep()
            if report.redispatched or report.abandoned or report.failed_dispatches:
                log.info("relay sweep: %s", report)
        except Exception:
            log.exception("relay sweep failed; trying again in %s s", interval)
        if stopped.wait(interval):
            return


def run(once: bool, interval: float | None = None) -> int:
    """Sweep once, or every ``interval`` seconds until SIGTERM or SIGINT."""
    settings = Settings.from_env()
    container = build_container(settings)
    stopped = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("relay stopping on signal %s", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        if once:
            log.info("relay sweep: %s", container.relay().sweep())
        else:
            sweep_until(stopped, container.relay, interval or settings.relay_interval_seconds)
    finally:
        shut_down(container)
    return 0
