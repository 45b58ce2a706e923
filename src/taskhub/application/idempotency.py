"""Idempotency keys: the task a key still names, and the release of one that expired.

A key names its first request for ``ttl`` after that request (the IETF idempotency-key draft
asks for at least 24 hours), and for as long as its task is unfinished
(``Task.holds_idempotency_key``). Then it may name a new request: the old task keeps its record
without the key, so that the unique index lets the new task take it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from taskhub.application.ports import ConcurrentUpdate, UnitOfWork
from taskhub.domain.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from taskhub.domain.task import Task


class KeyLookup(NamedTuple):
    """What a key says to a submission: the task it still names (``earlier``), else whether an
    expired key was let go of in this unit of work (``released``, saved by its commit)."""

    earlier: Task | None
    released: bool


def task_named_by(
    uow: UnitOfWork, key: str, fingerprint: str | None, now: datetime, ttl: timedelta
) -> KeyLookup:
    """The task ``key`` still names, if it was asked with the same request (``fingerprint``);
    for another request, raise ``IdempotencyKeyReused``. A task whose key expired lets go of it
    here, flushed, so the store sees the old row without the key before the caller adds the new
    task with it (a flush could otherwise send the INSERT first, and the unique index refuse it).
    A submission that released the same key first makes the flush raise
    ``IdempotencyKeyInFlight``, or the commit ``ConcurrentUpdate`` (``released`` says which a
    caller's commit may meet)."""
    earlier = uow.tasks.get_by_idempotency_key(key)
    if earlier is None:
        return KeyLookup(None, released=False)
    if earlier.holds_idempotency_key(now, ttl):
        if earlier.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        return KeyLookup(earlier, released=False)
    earlier.release_idempotency_key(now, ttl)
    try:
        uow.flush()
    except ConcurrentUpdate:
        raise IdempotencyKeyInFlight(key) from None
    return KeyLookup(None, released=True)
