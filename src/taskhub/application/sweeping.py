"""The relay's sweep, repeated until told to stop: by ``taskhub relay``, or on a thread beside
the thread-pool bus (``taskhub.application.relay`` says what one sweep does)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from taskhub.application.relay import SweepReport

log = logging.getLogger("taskhub.relay")
Sweep = Callable[[bool], SweepReport]  # one sweep; its argument says whether to ignore backoff


def sweep_until(
    stopped: threading.Event, sweep: Sweep, interval: float, first_ignores_backoff: bool = False
) -> None:
    """Sweep now, then every ``interval`` seconds until ``stopped``; an outage skips a sweep, not
    the loop. ``first_ignores_backoff``: the first sweep hands on every task that has idled,
    whatever its backoff, for a process whose tasks were queued on the threads of one that died.
    """
    ignore_backoff = first_ignores_backoff
    while True:
        try:
            report = sweep(ignore_backoff)
            ignore_backoff = False
            if report != SweepReport():  # a sweep that did anything says what
                log.info("relay sweep: %s", report)
        except Exception:
            log.exception("relay sweep failed; trying again in %s s", interval)
        if stopped.wait(interval):
            return
