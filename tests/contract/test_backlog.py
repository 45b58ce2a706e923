"""The backlog a scrape shows, the same from every store: how many wait and run, and since when."""

from __future__ import annotations

from datetime import timedelta

from taskhub.application.ports import Backlog, UnitOfWorkFactory
from taskhub.testing import MOMENT, a_task

LEASE = timedelta(seconds=30)


def backlog(uow_factory: UnitOfWorkFactory) -> Backlog:
    with uow_factory() as uow:
        return uow.tasks.backlog()


def test_an_empty_store_has_no_backlog(uow_factory: UnitOfWorkFactory) -> None:
    assert backlog(uow_factory) == Backlog(0, 0, None)
    assert backlog(uow_factory).oldest_pending_age(MOMENT) == timedelta(0)


def test_the_backlog_counts_waiting_and_running_tasks_and_dates_the_oldest_waiting_one(
    uow_factory: UnitOfWorkFactory,
) -> None:
    oldest, newer, running, done = (a_task(MOMENT + timedelta(minutes=n)) for n in (1, 2, 0, -5))
    running.start(MOMENT, LEASE)
    done.start(MOMENT, LEASE)
    done.succeed({}, MOMENT)
    with uow_factory() as uow:
        for task in (newer, oldest, running, done):
            uow.tasks.add(task)
        uow.commit()
    found = backlog(uow_factory)
    assert found == Backlog(pending=2, processing=1, oldest_pending_at=oldest.created_at)
    assert found.oldest_pending_age(MOMENT + timedelta(minutes=4)) == timedelta(minutes=3)
