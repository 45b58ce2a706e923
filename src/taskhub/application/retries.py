"""Performing again what saved nothing: through a store outage, over a user changed meanwhile.

Both are safe because a perform that failed so saved nothing, and the claim stays the runner's
as long as no other runner took the task over (the perform's compare-and-set decides).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from uuid import UUID

from taskhub.application.ports import ConcurrentUserChange, StoreTimeout, StoreUnavailable

log = logging.getLogger("taskhub.application.runner")
T = TypeVar("T")
FIRST_OUTAGE_PAUSE = 0.1
LONGEST_OUTAGE_PAUSE = 2.0  # seconds between tries while the store is unreachable
# A try is lost only to another write of the user that committed: enough to outlast a burst.
USER_CHANGE_TRIES = 5


def through_outages(perform: Callable[[], T], patience: timedelta, task_id: UUID) -> T:
    """``perform``; while the store cannot be reached, again, for ``patience`` from the first
    failure, then raise the outage (the lease runs out). The heartbeat renews the lease as soon
    as the store answers, so an outage shorter than a lease costs seconds and no attempt. A
    store's own time limit (``StoreTimeout``) is not an outage: waiting again would wait again.
    """
    first_failure: float | None = None
    pause = FIRST_OUTAGE_PAUSE
    while True:
        try:
            return perform()
        except StoreTimeout:
            raise
        except StoreUnavailable:
            first_failure = first_failure or time.monotonic()
            if time.monotonic() - first_failure + pause > patience.total_seconds():
                raise
            log.warning("Task %s: the store is unreachable; trying again", task_id)
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_OUTAGE_PAUSE)


def over_latest_user(perform: Callable[[], T], task_id: UUID) -> T:
    """``perform``; if another task wrote its user first, again on what is stored now, so that
    it neither loses that write nor reports a user that is not stored (a user deleted meanwhile
    is then ``user_not_found``, once). After ``USER_CHANGE_TRIES``, the conflict is raised."""
    for _ in range(USER_CHANGE_TRIES - 1):
        try:
            return perform()
        except ConcurrentUserChange:
            log.info("The user of task %s changed while it ran; running it again", task_id)
    return perform()
