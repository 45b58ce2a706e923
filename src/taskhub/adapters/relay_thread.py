"""The relay's sweep, repeated: by ``taskhub relay``, or on a thread beside the thread-pool bus.

A process whose tasks run on its own threads loses the queued and running ones when it dies; only
a sweep finds them again (``taskhub.application.relay``). Where the thread bus runs tasks, the
process sweeps too, so that no deployment on it depends on a relay process someone must remember.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from taskhub.application.relay import Relay

log = logging.getLogger("taskhub.relay")

STOP_TIMEOUT_SECONDS = 30.0


def sweep_until(
    stopped: threading.Event,
    relay: Callable[[], Relay],
    interval: float,
    first_ignores_backoff: bool = False,
) -> None:
    """Sweep now, then every ``interval`` seconds until ``stopped``; an outage skips a sweep, not
    the loop. ``first_ignores_backoff``: the first sweep hands on every task that has idled,
    whatever its backoff, for a process whose tasks were queued on the threads of one that died.
    """
    ignore_backoff = first_ignores_backoff
    while True:
        try:
            report = relay().sweep(ignore_backoff)
            ignore_backoff = False
            if report.redispatched or report.abandoned or report.failed_dispatches:
                log.info("relay sweep: %s", report)
        except Exception:
            log.exception("relay sweep failed; trying again in %s s", interval)
        if stopped.wait(interval):
            return


class RelayThread:
    """``sweep_until`` on a daemon thread, from ``start()`` until ``stop()``."""

    def __init__(self, relay: Callable[[], Relay], interval: float) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=sweep_until, args=(self._stopped, relay, interval, True), name="taskhub-relay",
            daemon=True,
        )  # fmt: skip

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop sweeping and wait for a sweep under way, so that it dispatches nothing later."""
        self._stopped.set()
        self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._thread.is_alive():
            log.warning("The relay's sweep did not end within %s s", STOP_TIMEOUT_SECONDS)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
