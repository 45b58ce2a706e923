"""In-process task buses: run a dispatched task right away, or on a pool of threads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from taskhub.application.ports import DispatchFailed, StoreUnavailable

log = logging.getLogger(__name__)

RunTask = Callable[[UUID], object]


class InlineBus:
    """Runs each task in the dispatching thread, right after its submission commits.

    Deterministic: when ``submit`` returns, the task is finished, unless the store failed the
    run; then, as the port says of a failed hand-over, ``DispatchFailed`` (the task is saved,
    PENDING or under a lease that runs out, for the relay). Made for tests and scripts.
    """

    def __init__(self, run: RunTask) -> None:
        self._run = run

    def dispatch(self, task_id: UUID) -> None:
        try:
            self._run(task_id)
        except StoreUnavailable as error:
            raise DispatchFailed(f"Task {task_id} could not be run now: {error}") from error


class ThreadPoolBus:
    """Runs tasks on background threads: an in-process service answers before the work is done."""

    def __init__(self, run: RunTask, workers: int = 4) -> None:
        self._run = run
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="taskhub")
        self._closed = False

    def dispatch(self, task_id: UUID) -> None:
        try:
            if self._closed:
                raise RuntimeError("closed")
            self._executor.submit(self._run_logged, task_id)
        except RuntimeError as closed:
            message = f"The thread-pool bus is closed; task {task_id} stays pending."
            raise DispatchFailed(message) from closed

    def close(self) -> None:
        """Stop taking tasks and wait for the running ones to finish."""
        self._closed = True
        self._executor.shutdown(wait=True)

    def _run_logged(self, task_id: UUID) -> None:
        try:
            self._run(task_id)
        except Exception:
            log.exception("Running task %s failed; it stays claimable for a retry", task_id)
