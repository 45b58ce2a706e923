"""A clock for tests: time that moves only when the test says, so timestamps can be asserted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

MOMENT = datetime(2025, 3, 18, 10, 15, 30, tzinfo=UTC)
"""Where a ManualClock starts, and the ``now`` builders use: one instant every test can name."""


class ManualClock:
    """A clock that stands still until told to move; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or MOMENT
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta
