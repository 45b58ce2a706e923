"""Helpers for testing code that uses taskhub: a clock moved by hand, and more (see README)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class ManualClock:
    """A clock that stands still until told to move; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 3, 18, 10, 15, 30, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta
