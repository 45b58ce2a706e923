"""A runner's claims (``TaskClaims``): one write each, the domain's transition, every store alike.

A claim is ``Task.start`` and ``Task.report_progress`` as one compare-and-set; a runner's save
writes over its claim as it last saved it; both move the version as the repository's saves do,
so each side sees the other's change as concurrent, and both keep what is updated in place.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from taskhub.application.ports import ConcurrentUpdate, UnitOfWorkFactory
from taskhub.domain.events import TaskProgressed, TaskStarted, TaskSucceeded
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import MOMENT
from tests.contract.test_task_bookkeeping import loaded
from tests.contract.test_unit_of_work import saved_task

LEASE = timedelta(seconds=30)
CLAIMED = 10
ATTEMPTS = 3


def state(task: Task) -> dict[str, Any]:
    return {f.name: getattr(task, f.name) for f in dataclasses.fields(task) if f.name != "events"}


def claim(uow_factory: UnitOfWorkFactory, task: Task, at: timedelta = timedelta(0)) -> Task | None:
    """The task claimed at ``MOMENT + at`` and committed, or ``None``."""
    with uow_factory() as uow:
        claimed = uow.claims.claim(task.id, MOMENT + at, LEASE, CLAIMED, ATTEMPTS)
        uow.commit()
    return claimed


def claimed_task(uow_factory: UnitOfWorkFactory) -> Task:
    claimed = claim(uow_factory, saved_task(uow_factory))
    assert claimed is not None
    return claimed


def save(uow_factory: UnitOfWorkFactory, task: Task) -> bool:
    with uow_factory() as uow:
        saved = uow.claims.save_claimed(task)
        uow.commit()
    return saved


def reported(task: Task, percent: int, at: timedelta = timedelta(0)) -> Task:
    """A copy of the runner's ``task`` with ``percent`` reported: what a runner saves."""
    copy = dataclasses.replace(task, events=[])
    copy.report_progress(percent, MOMENT + at)
    return copy


def test_a_pending_task_is_claimed_once_as_the_domain_claims_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    expected = loaded(uow_factory, task.id)
    expected.start(MOMENT, LEASE)
    expected.report_progress(CLAIMED, MOMENT)
    with uow_factory() as uow:
        claimed = uow.claims.claim(task.id, MOMENT, LEASE, CLAIMED, ATTEMPTS)
        assert claimed is not None
        assert claimed.events == [
            TaskStarted(task_id=task.id, attempt=1),
            TaskProgressed(task_id=task.id, progress=CLAIMED),
        ]
        uow.commit()
        assert list(uow.collect_events()) == expected.events
    stored = loaded(uow_factory, task.id)
    assert state(claimed) == state(stored) == {**state(expected), "version": task.version + 1}
    assert claim(uow_factory, task) is None


def test_an_expired_lease_is_claimed_again_with_the_next_attempt_and_no_report(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    assert save(uow_factory, reported(first, 40))
    with uow_factory() as uow:  # the relay handed it on meanwhile: a claim ends the backoff
        assert uow.tasks.record_redispatch(loaded(uow_factory, first.id), MOMENT + LEASE * 4)
        uow.commit()
    with uow_factory() as uow:
        again = uow.claims.claim(first.id, MOMENT + LEASE, LEASE, CLAIMED, ATTEMPTS)
        assert again is not None
        assert again.events == [TaskStarted(task_id=first.id, attempt=2)]
        uow.commit()
    stored = loaded(uow_factory, first.id)
    assert state(again) == state(stored)
    assert (stored.status, stored.attempt, stored.progress) == (TaskStatus.PROCESSING, 2, 40)
    assert (stored.lease_expires_at, stored.updated_at) == (MOMENT + LEASE * 2, MOMENT + LEASE)
    assert (stored.redispatches, stored.relay_after, stored.version) == (0, None, first.version + 2)


def test_a_live_lease_is_not_claimed(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    assert claim(uow_factory, first, LEASE - timedelta(seconds=1)) is None
    assert state(loaded(uow_factory, first.id)) == state(first)


def test_a_cancel_requested_task_is_left_to_the_domain(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    with uow_factory() as uow:
        marked = loaded(uow_factory, first.id)
        marked.cancel(MOMENT)
        assert uow.tasks.save_cancel_request(marked)
        uow.commit()
    before = state(loaded(uow_factory, first.id))
    assert claim(uow_factory, first, LEASE) is None
    assert state(loaded(uow_factory, first.id)) == before


def test_a_task_whose_attempts_are_spent_is_left_to_the_domain(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    for attempt in range(ATTEMPTS):
        assert claim(uow_factory, task, LEASE * attempt) is not None
    assert claim(uow_factory, task, LEASE * ATTEMPTS) is None
    assert loaded(uow_factory, task.id).attempt == ATTEMPTS


def test_a_finished_or_missing_task_is_not_claimed(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    done = dataclasses.replace(first, events=[])
    done.succeed({}, MOMENT)
    assert save(uow_factory, done)
    assert claim(uow_factory, first, LEASE * 2) is None
    with uow_factory() as uow:
        assert uow.claims.claim(uuid4(), MOMENT, LEASE, CLAIMED, ATTEMPTS) is None


def test_a_claim_left_uncommitted_is_discarded(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as uow:
        assert uow.claims.claim(task.id, MOMENT, LEASE, CLAIMED, ATTEMPTS) is not None
    assert loaded(uow_factory, task.id).status is TaskStatus.PENDING
    assert claim(uow_factory, task) is not None


def test_a_task_read_before_its_claim_is_read_again_as_claimed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as uow:
        assert uow.tasks.get(task.id) is not None
        claimed = uow.claims.claim(task.id, MOMENT, LEASE, CLAIMED, ATTEMPTS)
        again = uow.tasks.get(task.id)
        assert claimed is not None
        assert again is not None
        assert (again.status, again.attempt, again.version) == (
            TaskStatus.PROCESSING,
            1,
            claimed.version,
        )
        uow.commit()


def test_a_save_writes_over_the_claim_and_moves_the_version(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    report = reported(first, 40, timedelta(seconds=1))
    with uow_factory() as uow:
        assert uow.claims.save_claimed(report)
        uow.commit()
        assert list(uow.collect_events()) == [TaskProgressed(task_id=first.id, progress=40)]
    stored = loaded(uow_factory, first.id)
    assert state(report) == state(stored)
    assert (stored.progress, stored.result, stored.version) == (
        40,
        {"progress": 40},
        first.version + 1,
    )
    done = dataclasses.replace(report, events=[])
    done.succeed({"answer": 42}, MOMENT + timedelta(seconds=2))
    with uow_factory() as uow:
        assert uow.claims.save_claimed(done)
        uow.commit()
        assert list(uow.collect_events()) == [TaskSucceeded(task_id=first.id)]
    assert state(done) == state(loaded(uow_factory, first.id))
    assert (done.status, done.lease_expires_at, done.version) == (
        TaskStatus.DONE,
        None,
        first.version + 2,
    )


def test_a_save_left_uncommitted_is_discarded(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    with uow_factory() as uow:
        assert uow.claims.save_claimed(reported(first, 40))
    assert state(loaded(uow_factory, first.id)) == state(first)
    assert save(uow_factory, reported(first, 50))


def test_a_lost_claim_saves_nothing(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    second = claim(uow_factory, first, LEASE)
    assert second is not None
    assert not save(uow_factory, reported(first, 40))
    assert state(loaded(uow_factory, first.id)) == state(second)


def test_a_save_over_an_older_save_of_the_same_claim_is_refused(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    assert save(uow_factory, reported(first, 40))
    assert not save(uow_factory, reported(first, 50))
    assert loaded(uow_factory, first.id).progress == 40


def test_a_save_keeps_what_was_updated_in_place_and_reads_it_back(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    renewed = MOMENT + LEASE * 2
    with uow_factory() as uow:
        assert uow.tasks.renew_lease(first.id, first.attempt, renewed)
        marked = loaded(uow_factory, first.id)
        marked.cancel(MOMENT + timedelta(seconds=5))
        assert uow.tasks.save_cancel_request(marked)
        uow.commit()
    report = reported(first, 40)
    assert save(uow_factory, report)
    stored = loaded(uow_factory, first.id)
    assert (stored.lease_expires_at, stored.cancel_requested_at) == (
        renewed,
        MOMENT + timedelta(seconds=5),
    )
    assert state(report) == state(stored)


def test_a_task_loaded_before_a_claim_s_write_fails_its_own_save(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    with uow_factory() as uow:
        held = uow.tasks.get(first.id)
        assert held is not None
        assert save(uow_factory, reported(first, 40))
        held.fail("failed", "It failed.", MOMENT)
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    assert loaded(uow_factory, first.id).status is TaskStatus.PROCESSING


def test_a_claim_s_write_over_a_repository_save_since_is_refused(
    uow_factory: UnitOfWorkFactory,
) -> None:
    first = claimed_task(uow_factory)
    with uow_factory() as uow:
        held = uow.tasks.get(first.id)
        assert held is not None
        held.report_progress(30, MOMENT)
        uow.commit()
    assert not save(uow_factory, reported(first, 40))
    assert loaded(uow_factory, first.id).progress == 30


def test_a_cancel_request_is_read_as_committed(uow_factory: UnitOfWorkFactory) -> None:
    first = claimed_task(uow_factory)
    with uow_factory() as reading:
        assert not reading.claims.cancel_requested(first.id)
        with uow_factory() as uow:
            marked = loaded(uow_factory, first.id)
            marked.cancel(MOMENT)
            assert uow.tasks.save_cancel_request(marked)
            uow.commit()
        assert reading.claims.cancel_requested(first.id)
        assert not reading.claims.cancel_requested(uuid4())
