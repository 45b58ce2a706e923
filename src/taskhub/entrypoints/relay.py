"""``taskhub relay``: a small long-running process (or a periodic job) that keeps tasks moving."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from taskhub.application.sweeping import sweep_until
from taskhub.bootstrap import build_container, shut_down
from taskhub.settings import Settings

log = logging.getLogger("taskhub.relay")


def run(once: bool, interval: float | None = None) -> int:
    """Sweep (and purge, when due: ``TASKHUB_PURGE_INTERVAL``) once, or every ``interval``
    seconds until SIGTERM or SIGINT."""
    settings = Settings.from_env()
    container = build_container(settings)
    stopped = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("relay stopping on signal %s", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        turn = container.housekeeping()
        if once:
            log.info("relay sweep: %s", turn(False))
        else:
            sweep_until(stopped, turn, interval or settings.relay_interval_seconds)
    finally:
        shut_down(container)
    return 0
