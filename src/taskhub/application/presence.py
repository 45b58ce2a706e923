"""A process's presence: it notes itself in the worker registry every ``INTERVAL`` while it runs.

Best effort by design: a note that meets a store outage is skipped (the next one makes up for
it), and the overview only says what was seen, never what must be running. Each note also
forgets processes unseen for a day, so the registry stays as small as the set of live ones.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from taskhub.application.ports import Clock, Sighting, StoreUnavailable, UnitOfWorkFactory

log = logging.getLogger(__name__)

INTERVAL = timedelta(seconds=15)
RECENT = 4 * INTERVAL  # "seen recently": missed no more than three notes in a row
FORGOTTEN_AFTER = timedelta(days=1)


class Presence:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, role: str) -> None:
        self._uow_factory, self._clock = uow_factory, clock
        host, pid = socket.gethostname(), os.getpid()
        self._name, self._role, self._host, self._pid = f"{role}@{host}:{pid}", role, host, pid
        self._started_at = clock.now()

    def note(self) -> None:
        """Say that this process is here now (and forget those long gone)."""
        now = self._clock.now()
        sighting = Sighting(self._name, self._role, self._host, self._pid, self._started_at, now)
        try:
            with self._uow_factory() as uow:
                uow.workers.note(sighting)
                uow.workers.forget_before(now - FORGOTTEN_AFTER)
                uow.commit()
        except StoreUnavailable as error:
            log.debug("Presence of %s not noted: %s", self._name, error)
