"""Idempotency keys: the task a key still names, and the release of one that expired.

A key names its first request for ``ttl`` after that request (the IETF idempotency-key draft
asks for at least 24 hours), and for as long as its task is unfinished
(``Task.holds_idempotency_key``). Then it may name a new request: the old task keeps its record
without the key, so that the unique index lets the new task take it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from taskhub.application.ports import UnitOfWork
from taskhub.domain.errors import IdempotencyKeyReused
from taskhub.domain.task import Task


def task_named_by(
    uow: UnitOfWork, key: str, fingerprint: str | None, now: datetime, ttl: timedelta
) -> Task | None:
    """The task ``key`` still names, if it was asked with the same request (``fingerprint``);
    for another request, raise ``IdempotencyKeyReused``. A task whose key expired lets go of it
    here, flushed, so the store sees the old row without the key before the caller adds the new
    task with it (a flush could otherwise send the INSERT first, and the unique index refuse it).
    A submission that released the same key first makes the flush or the commit raise
    ``ConcurrentUpdate``."""
    earlier = uow.tasks.get_by_idempotency_key(key)
    if earlier is None:
        return None
    if earlier.holds_idempotency_key(now, ttl):
        if earlier.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        return earlier
    earlier.release_idempotency_key(now, ttl)
    uow.flush()
    return None
