"""The relay's and the heartbeat's updates in place: every store keeps them the same way.

Both keep the task's version, so neither can make a runner's claim (a compare-and-set on the
version) fail; both are conditional, so neither can overwrite a newer claim.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from taskhub.application.ports import UnitOfWorkFactory
from taskhub.domain.task import Task, TaskStatus
from taskhub.testing import MOMENT, a_task
from tests.contract.test_unit_of_work import saved_task

IDLE = timedelta(seconds=30)
LEASE = timedelta(seconds=30)


def loaded(uow_factory: UnitOfWorkFactory, task_id: UUID) -> Task:
    with uow_factory() as uow:
        task = uow.tasks.get(task_id)
    assert task is not None
    return task


def claimed_task(uow_factory: UnitOfWorkFactory) -> Task:
    task = a_task()
    task.start(MOMENT, LEASE)
    with uow_factory() as uow:
        uow.tasks.add(task)
        uow.commit()
    return loaded(uow_factory, task.id)


def test_a_noted_redispatch_keeps_the_version_and_sets_the_backoff(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    stored = loaded(uow_factory, task.id)
    later = MOMENT + IDLE * 3
    with uow_factory() as uow:
        assert uow.tasks.record_redispatch(stored, later)
        uow.commit()
    after = loaded(uow_factory, task.id)
    assert (after.redispatches, after.relay_after, after.version) == (1, later, stored.version)


def test_a_redispatch_note_on_a_stale_copy_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory)
    stale = loaded(uow_factory, task.id)
    with uow_factory() as uow:
        assert uow.tasks.record_redispatch(stale, MOMENT + IDLE)
        uow.commit()
    with uow_factory() as uow:
        assert not uow.tasks.record_redispatch(stale, MOMENT + IDLE * 2)
    assert loaded(uow_factory, task.id).relay_after == MOMENT + IDLE


def test_a_claim_loaded_before_a_redispatch_note_commits_and_clears_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as claiming:
        mine = claiming.tasks.get(task.id)
        assert mine is not None
        with uow_factory() as relaying:
            assert relaying.tasks.record_redispatch(loaded(uow_factory, task.id), MOMENT + IDLE)
            relaying.commit()
        mine.start(MOMENT, LEASE)
        claiming.commit()
    after = loaded(uow_factory, task.id)
    assert (after.status, after.redispatches, after.relay_after) == (TaskStatus.PROCESSING, 0, None)


def test_due_for_relay_follows_the_backoff(uow_factory: UnitOfWorkFactory) -> None:
    task = saved_task(uow_factory)
    with uow_factory() as uow:
        assert uow.tasks.record_redispatch(loaded(uow_factory, task.id), MOMENT + IDLE * 3)
        uow.commit()
    with uow_factory() as uow:
        assert uow.tasks.due_for_relay(MOMENT + IDLE * 2, IDLE, 10) == []
        assert [t.id for t in uow.tasks.due_for_relay(MOMENT + IDLE * 3, IDLE, 10)] == [task.id]


def test_a_renewed_lease_keeps_the_version_and_updated_at(uow_factory: UnitOfWorkFactory) -> None:
    task = claimed_task(uow_factory)
    until = MOMENT + LEASE * 2
    with uow_factory() as uow:
        assert uow.tasks.renew_lease(task.id, task.attempt, until)
        uow.commit()
    after = loaded(uow_factory, task.id)
    assert after.lease_expires_at == until
    assert (after.version, after.updated_at) == (task.version, task.updated_at)
    with uow_factory() as uow:
        assert uow.tasks.due_for_relay(MOMENT + LEASE, IDLE, 10) == []


def test_only_the_attempt_holding_the_task_renews_its_lease(
    uow_factory: UnitOfWorkFactory,
) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as uow:
        assert not uow.tasks.renew_lease(task.id, task.attempt + 1, MOMENT + LEASE * 2)
        uow.commit()
    assert loaded(uow_factory, task.id).lease_expires_at == MOMENT + LEASE


def test_a_renewal_left_uncommitted_is_discarded(uow_factory: UnitOfWorkFactory) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as uow:
        assert uow.tasks.renew_lease(task.id, task.attempt, MOMENT + LEASE * 2)
    assert loaded(uow_factory, task.id).lease_expires_at == MOMENT + LEASE


def test_a_finished_task_s_lease_is_not_renewed(uow_factory: UnitOfWorkFactory) -> None:
    task = claimed_task(uow_factory)
    with uow_factory() as uow:
        mine = uow.tasks.get(task.id)
        assert mine is not None
        mine.succeed({}, MOMENT)
        uow.commit()
    with uow_factory() as uow:
        assert not uow.tasks.renew_lease(task.id, task.attempt, MOMENT + LEASE * 2)


def test_orphans_of_dead_runners_come_before_pending_tasks(uow_factory: UnitOfWorkFactory) -> None:
    """A burst of queued submissions cannot keep a dead runner's task waiting for a sweep."""
    saved_task(uow_factory)  # PENDING since MOMENT: probably lost
    orphan = a_task(now=MOMENT + IDLE)
    orphan.start(MOMENT + IDLE, LEASE)  # its runner died: certainly lost
    with uow_factory() as uow:
        uow.tasks.add(orphan)
        uow.commit()
    with uow_factory() as uow:
        due = uow.tasks.due_for_relay(MOMENT + IDLE * 4, IDLE, 1)
    assert [task.id for task in due] == [orphan.id]
