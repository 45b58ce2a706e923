"""The relay sweeping on a thread of this process, beside the thread-pool bus.

A process whose tasks run on its own threads loses the queued and running ones when it dies; only
a sweep finds them again (``taskhub.application.relay``). Where the thread bus runs tasks, the
process sweeps too, so that no deployment on it depends on a relay process someone must remember.
"""

from __future__ import annotations

import logging
import threading

from taskhub.application.sweeping import Sweep, sweep_until

log = logging.getLogger("taskhub.relay")

STOP_TIMEOUT_SECONDS = 30.0


class RelayThread:
    """``sweep_until`` on a daemon thread, from ``start()`` until ``stop()``; its first sweep
    ignores the backoff, since the queue the tasks were handed to died with its process."""

    def __init__(self, sweep: Sweep, interval: float) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=sweep_until, args=(self._stopped, sweep, interval, True), name="taskhub-relay",
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
