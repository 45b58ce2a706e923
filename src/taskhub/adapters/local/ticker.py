"""A daemon thread that calls one action every ``interval`` seconds, from ``start`` to ``stop``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Ticker:
    """Calls ``action`` at once, then every ``interval`` seconds; an exception it raises is
    logged and the next tick comes as usual, so one bad moment never stops the ticking."""

    def __init__(self, action: Callable[[], object], interval: float, name: str) -> None:
        self._action, self._interval = action, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._tick, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(self._interval + 5)

    def _tick(self) -> None:
        while True:
            try:
                self._action()
            except Exception:
                log.exception("%s failed; it runs again in %s s", self._thread.name, self._interval)
            if self._stopped.wait(self._interval):
                return
