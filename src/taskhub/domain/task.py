"""The Task aggregate: the tracking record of one asynchronous operation on a resource."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from taskhub.domain.errors import (
    InvalidTransition,
    TaskAlreadyFinished,
    TaskAlreadyRetried,
    TaskNotRetryable,
    TaskRedacted,
)
from taskhub.domain.events import (
    Event,
    TaskCancelled,
    TaskCancelRequested,
    TaskFailed,
    TaskProgressed,
    TaskRetried,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
)
from taskhub.domain.redaction import redacted
from taskhub.domain.time import format_timestamp


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


FINAL_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.CANCELLED})
# What a retry may start again: a task that did not do its work.
RETRYABLE_STATUSES = frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED})
CANCELLED_CODE = "cancelled"
NOT_STARTED = "It was cancelled before it started; nothing was changed."
STOPPED = "It was cancelled while running and stopped at a safe point; nothing was changed."
RUNNER_GONE = "It was cancelled while its runner was gone, and was not run again."
# The relay's wait between redispatches of one task stops doubling at 32 idles (2**5).
MAX_BACKOFF_DOUBLINGS = 5


class Operation(StrEnum):
    CREATE = "CREATE"
    READ = "READ"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class TaskName(StrEnum):
    LIST_USERS = "list_users"
    GET_USER = "get_user"
    CREATE_USER = "create_user"
    UPDATE_USER = "update_user"
    REPLACE_USER = "replace_user"
    DELETE_USER = "delete_user"


@dataclass(eq=False)
class Task:
    """One operation's journey: PENDING → PROCESSING → DONE | FAILED | CANCELLED, never back.

    ``attempt`` counts claims; a claim holds a lease until ``lease_expires_at`` (its runner renews
    it while it works), after which another runner may claim the task again (the first is presumed
    dead). ``redispatches`` and ``relay_after`` are the relay's backoff: how often it has handed
    the task on since its last claim, and when it may do so again. ``version`` is the concurrency
    token the repository bumps on every save. ``idempotency_key`` and ``request_fingerprint`` let
    a client retry a submission safely: the same key and request find this task again, until the
    key expires (``holds_idempotency_key``). ``request_id`` names the HTTP request that submitted
    it (``X-Request-ID``), for the logs. ``cancel_requested_at`` is when a client asked to
    cancel it (every CANCELLED task has it; a DONE or FAILED one with it is one whose cancel came
    too late). ``retry_of`` and ``retried_by`` link a FAILED or CANCELLED task and the one task
    submitted to retry it. ``redacted_at`` is when its user's personal fields were taken out of it
    (``redact``), its user having been deleted.
    """

    id: UUID
    task_name: TaskName
    operation: Operation
    input_data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    related_table: str = "user"
    related_id: UUID | None = None
    status: TaskStatus = TaskStatus.PENDING
    result: dict[str, Any] | None = None
    progress: int = 0
    attempt: int = 0
    lease_expires_at: datetime | None = None
    idempotency_key: str | None = None
    request_fingerprint: str | None = None
    version: int = 0
    redispatches: int = 0
    relay_after: datetime | None = None
    request_id: str | None = None
    cancel_requested_at: datetime | None = None
    retry_of: UUID | None = None
    retried_by: UUID | None = None
    redacted_at: datetime | None = None
    events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def submit(
        cls,
        task_id: UUID,
        task_name: TaskName,
        operation: Operation,
        input_data: dict[str, Any],
        related_id: UUID | None,
        now: datetime,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
        request_id: str | None = None,
        retry_of: UUID | None = None,
    ) -> Task:
        task = cls(
            id=task_id,
            task_name=task_name,
            operation=operation,
            input_data=input_data,
            related_id=related_id,
            created_at=now,
            updated_at=now,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            request_id=request_id,
            retry_of=retry_of,
        )
        task.events.append(TaskSubmitted(task_id=task_id, task_name=task_name))
        return task

    @property
    def is_finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_requested_at is not None

    def can_be_claimed(self, now: datetime) -> bool:
        """PENDING, or PROCESSING under a lease that has run out."""
        return self.status == TaskStatus.PENDING or self.lease_expired(now)

    def lease_expired(self, now: datetime) -> bool:
        expired = self.lease_expires_at is not None and self.lease_expires_at <= now
        return self.status == TaskStatus.PROCESSING and expired

    def due_for_relay(self, now: datetime, idle: timedelta, ignore_backoff: bool = False) -> bool:
        """No runner is finishing it, and it has waited long enough to be probably lost.

        Waiting means PENDING, or PROCESSING under a lease that ran out. Long enough means ``idle``
        since it last changed, or, once the relay has handed it on, until ``relay_after`` (unless
        ``ignore_backoff``: the queue it was handed to may have died with its process).
        """
        waiting = self.status == TaskStatus.PENDING or self.lease_expired(now)
        if not waiting:
            return False
        if self.relay_after is not None and not ignore_backoff:
            return self.relay_after <= now
        return self.updated_at <= now - idle

    def next_relay_after(self, now: datetime, idle: timedelta) -> datetime:
        """When the relay may hand the task on again if it does so now: the wait doubles with each
        redispatch (2, 4, 8 … idles, at most 2**MAX_BACKOFF_DOUBLINGS), so a task queued behind
        busy workers gets a few messages, not one per sweep."""
        doublings: int = min(self.redispatches + 1, MAX_BACKOFF_DOUBLINGS)
        return now + idle * (1 << doublings)

    def abandon_if_exhausted(self, max_attempts: int, now: datetime) -> bool:
        """Fail a task whose every allowed attempt died with its runner; say whether it did."""
        if not (self.lease_expired(now) and self.attempt >= max_attempts):
            return False
        message = (
            f"Its worker stopped during each of its {self.attempt} attempts; it is not retried."
        )
        self.fail("worker_lost", message, now)
        return True

    def cancel(self, now: datetime) -> None:
        """A client's cancel. A task no runner holds (PENDING, or PROCESSING under a lease that
        ran out) ends CANCELLED at once. A running one is marked (``cancel_requested_at``) for
        its runner, which stops at the operation's next safe point (``stop_at_safe_point``) or
        finishes it, the mark then saying that the cancel came too late. Cancelling again
        changes nothing; a DONE or FAILED task raises ``TaskAlreadyFinished``.

        The mark keeps ``updated_at`` and changes no status: the store saves it in place
        (``TaskRepository.save_cancel_request``), so that the runner's own saves still succeed.
        """
        if self.status in (TaskStatus.DONE, TaskStatus.FAILED):
            raise TaskAlreadyFinished(self.id, self.status)
        if self.status is TaskStatus.CANCELLED:
            return
        if self.can_be_claimed(now):
            self.cancel_requested_at = self.cancel_requested_at or now
            self._end_cancelled(NOT_STARTED if self.attempt == 0 else RUNNER_GONE, now)
        elif not self.cancel_requested:
            self.cancel_requested_at = now
            self.events.append(TaskCancelRequested(task_id=self.id))

    def cancel_if_requested(self, now: datetime) -> bool:
        """End CANCELLED, rather than run again, a task whose cancel was requested and whose
        runner is gone (its lease ran out); say whether it did."""
        if not (self.cancel_requested and self.lease_expired(now)):
            return False
        self._end_cancelled(RUNNER_GONE, now)
        return True

    def stop_at_safe_point(self, now: datetime) -> None:
        """End CANCELLED a running task whose cancel was requested: its runner stopped where the
        operation may stop, and the operation's unit of work saved nothing."""
        self._require(TaskStatus.PROCESSING, "stop")
        if not self.cancel_requested:
            raise InvalidTransition(f"Task {self.id} was not asked to cancel; it cannot stop.")
        self._end_cancelled(STOPPED, now)

    def check_retryable(self) -> None:
        """Raise ``TaskNotRetryable`` unless it is FAILED or CANCELLED, and ``TaskRedacted`` if
        its user was deleted and it redacted: its input then no longer says what it asked."""
        if self.status not in RETRYABLE_STATUSES:
            raise TaskNotRetryable(self.id, self.status)
        if self.redacted_at is not None:
            raise TaskRedacted(self.id)

    def record_retry(self, retry_id: UUID) -> None:
        """Link this FAILED or CANCELLED task to the task submitted to retry it, once: raise as
        ``check_retryable`` does, and ``TaskAlreadyRetried`` for a second retry (retry the retry
        instead, so that the retries of one task form one chain). The link keeps ``updated_at``:
        when the task finished."""
        self.check_retryable()
        if self.retried_by is not None:
            raise TaskAlreadyRetried(self.id, self.retried_by)
        self.retried_by = retry_id
        self.events.append(TaskRetried(task_id=self.id, retry_id=retry_id))

    def start(self, now: datetime, lease: timedelta) -> None:
        """Claim the task for one attempt, holding it until ``now + lease``.

        A claim ends the relay's backoff: if this runner is lost too, the task is handed on as
        soon as the lease runs out.
        """
        if not self.can_be_claimed(now):
            raise InvalidTransition(f"Task {self.id} is {self.status} and cannot be started.")
        self.status = TaskStatus.PROCESSING
        self.attempt += 1
        self.lease_expires_at = now + lease
        self.redispatches = 0
        self.relay_after = None
        self.updated_at = now
        self.events.append(TaskStarted(task_id=self.id, attempt=self.attempt))

    def report_progress(self, progress: int, now: datetime) -> None:
        """Record progress while processing; a report lower than the current one is ignored."""
        self._require(TaskStatus.PROCESSING, "report progress")
        if not 0 <= progress <= 100:
            raise InvalidTransition(f"Progress must be between 0 and 100, not {progress}.")
        if progress > self.progress:
            self.progress = progress
            self.result = {**(self.result or {}), "progress": progress}
            self.updated_at = now
            self.events.append(TaskProgressed(task_id=self.id, progress=progress))

    def succeed(self, result: dict[str, Any], now: datetime) -> None:
        self._require(TaskStatus.PROCESSING, "succeed")
        self._finish(TaskStatus.DONE, {"success": True, **result, "progress": 100}, 100, now)
        self.events.append(TaskSucceeded(task_id=self.id))

    def fail(self, code: str, message: str, now: datetime) -> None:
        """End the task FAILED; its result says why in a sentence and a stable code."""
        self._require(TaskStatus.PROCESSING, "fail")
        outcome = {"success": False, "error": message, "code": code, "progress": self.progress}
        self._finish(TaskStatus.FAILED, outcome, self.progress, now)
        self.events.append(TaskFailed(task_id=self.id, code=code))

    def holds_idempotency_key(self, now: datetime, ttl: timedelta) -> bool:
        """Whether its key still names its request: for ``ttl`` after it was submitted, and for as
        long as it is unfinished (a retry of a request still on its way finds it, however late)."""
        return not self.is_finished or now < self.created_at + ttl

    def release_idempotency_key(self, now: datetime, ttl: timedelta) -> None:
        """Let its expired key name a new request; this record stays, without the key."""
        if self.holds_idempotency_key(now, ttl):
            raise InvalidTransition(f"Task {self.id} still holds its idempotency key.")
        self.idempotency_key = None

    def redact(self, now: datetime) -> None:
        """Take its user's personal fields out of its input and result (``redacted``), since the
        user was deleted, and the digest of the request that submitted it, which would confirm a
        guess of them (its key, if it still holds, then refuses a replay as another request's).
        Only once it is finished, so no runner writes them again; ``updated_at`` still says when
        it finished. Redacting again changes nothing."""
        if not self.is_finished:
            raise InvalidTransition(f"Task {self.id} is {self.status} and cannot be redacted.")
        if self.redacted_at is None:
            self.input_data = redacted(self.input_data)
            self.result = redacted(self.result)
            self.request_fingerprint = None
            self.redacted_at = now

    def _end_cancelled(self, message: str, now: datetime) -> None:
        """End CANCELLED with a result in the shape of a failure's: one shape for every task
        that did not do its work."""
        outcome = {
            "success": False,
            "error": message,
            "code": CANCELLED_CODE,
            "progress": self.progress,
        }
        self._finish(TaskStatus.CANCELLED, outcome, self.progress, now)
        self.events.append(TaskCancelled(task_id=self.id))

    def _finish(
        self, status: TaskStatus, result: dict[str, Any], progress: int, now: datetime
    ) -> None:
        self.status = status
        self.result = result
        self.progress = progress
        self.lease_expires_at = None
        self.updated_at = now

    def _require(self, status: TaskStatus, action: str) -> None:
        if self.status != status:
            raise InvalidTransition(f"Task {self.id} is {self.status} and cannot {action}.")

    def to_dict(self) -> dict[str, Any]:
        """The task as JSON-ready data, in the product's published shape."""
        return {
            "id": str(self.id),
            "status": str(self.status),
            "task_name": str(self.task_name),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "input_data": self.input_data,
            "result": self.result,
            "progress": self.progress,
            "related_table": self.related_table,
            "related_id": str(self.related_id) if self.related_id else None,
            "operation": str(self.operation),
            "attempt": self.attempt,
            "cancel_requested_at": format_timestamp(self.cancel_requested_at)
            if self.cancel_requested_at
            else None,
            "retry_of": str(self.retry_of) if self.retry_of else None,
            "retried_by": str(self.retried_by) if self.retried_by else None,
            "redacted_at": format_timestamp(self.redacted_at) if self.redacted_at else None,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
