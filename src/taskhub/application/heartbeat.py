"""Lease heartbeats: a live runner's claims never run out, so a lease can be short.

A claim holds a task under a lease; when the lease runs out, the relay hands the task to another
runner, presuming the first dead. Without renewals the lease would have to outlast the slowest
task, and an orphan would wait that long. With them, the lease only has to outlast a few missed
beats: an orphan is taken over soon after its runner dies, and a slow task is never taken from a
runner that is still working on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from taskhub.application.ports import (
    Clock,
    ConcurrentUpdate,
    StoreUnavailable,
    UnitOfWorkFactory,
)
from taskhub.domain.task import Task

log = logging.getLogger(__name__)
BEATS_PER_LEASE = 3


class Heartbeat:
    """Renews, every third of a lease, the leases of the claims this process's runners hold.

    One thread per process serves every runner in it; it starts with the first claim held.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, lease: timedelta) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._lease = lease
        self._held: dict[UUID, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def holding(self, claimed: Task) -> Iterator[None]:
        """Keep ``claimed``'s lease renewed while the block runs."""
        with self._lock:
            self._held[claimed.id] = claimed.attempt
            self._start()
        try:
            yield
        finally:
            with self._lock:
                if self._held.get(claimed.id) == claimed.attempt:  # not a newer attempt's
                    del self._held[claimed.id]

    def beat(self) -> int:
        """Renew every held lease to a full lease from now; return how many were renewed.

        A store that does not answer skips a beat (the next may reach it, well before the lease
        runs out); a claim another runner took over is simply no longer renewed.
        """
        with self._lock:
            held = dict(self._held)
        if not held:
            return 0
        until = self._clock.now() + self._lease
        try:
            with self._uow_factory() as uow:
                renewed = sum(uow.tasks.renew_lease(tid, att, until) for tid, att in held.items())
                uow.commit()
        except (StoreUnavailable, ConcurrentUpdate) as error:
            log.warning("Could not renew %s lease(s): %s", len(held), error)
            return 0
        return renewed

    def close(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _start(self) -> None:
        if self._thread is None and not self._stopped.is_set():
            self._thread = threading.Thread(
                target=self._beat_until_stopped, name="taskhub-heartbeat", daemon=True
            )
            self._thread.start()

    def _beat_until_stopped(self) -> None:
        interval = self._lease.total_seconds() / BEATS_PER_LEASE
        while not self._stopped.wait(interval):
            try:
                self.beat()
            except Exception:  # a heartbeat that dies would let every lease run out
                log.exception("Lease heartbeat failed; beating again in %.1f s", interval)
