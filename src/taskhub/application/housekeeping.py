"""What a relay's loop does each turn: sweep, and purge when the purge is due.

The periodic purge rides on the relay because the relay runs in every deployment (a thread of
each web process on the ``thread`` bus, ``taskhub relay`` beside Celery workers), talks to the
store only, and is safe to run in several processes at once; so is the purge. Celery beat would
exist only with Celery, as one more process that must run exactly once, and would put the purge
in the work queue, behind the broker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from taskhub.application.ports import Clock
from taskhub.application.relay import SweepReport
from taskhub.application.retention import PurgeReport
from taskhub.application.service import TaskService

log = logging.getLogger("taskhub.retention")

PURGE_BATCHES_PER_TURN = 20


class Housekeeping:
    """One turn of ``sweep_until``: a sweep, then the purge when due (a ``Sweep`` itself).

    The purge is due at the first turn, then every ``interval`` (never, if it is zero). A turn
    purges at most ``batches_per_turn`` batches, so that a backlog (the first purge of an old
    store) never holds up the sweeps that keep tasks moving: while some is left, the next turn
    purges on. A purge that fails is logged, and tried again an interval later.
    """

    def __init__(
        self,
        service: Callable[[], TaskService],
        clock: Clock,
        interval: timedelta,
        batches_per_turn: int = PURGE_BATCHES_PER_TURN,
    ) -> None:
        self._service, self._clock = service, clock
        self._interval, self._batches = interval, batches_per_turn
        self._due: datetime | None = None  # None: at the first turn

    def __call__(self, ignore_backoff: bool) -> SweepReport:
        report = self._service().sweep(ignore_backoff)
        self.purge_if_due()
        return report

    def purge_if_due(self) -> PurgeReport | None:
        """Purge if it is time; the report, or ``None`` if it was not time or the purge failed."""
        now = self._clock.now()
        if self._interval <= timedelta(0) or (self._due is not None and now < self._due):
            return None
        self._due = now + self._interval
        try:
            report = self._service().purge(max_batches=self._batches)
        except Exception:
            log.exception("The periodic purge failed; trying again in %s", self._interval)
            return None
        if not report.complete:
            self._due = now
        if report.purged or report.redacted:
            log.info("purged: %s", report.to_dict())
        return report
