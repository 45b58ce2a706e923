"""Paging by position, on every store: each page (or batch) of a list starts after where the last
one ended, ties told apart by id, whatever was added meanwhile (``UserRepository.list``,
``TaskRepository.list``)."""

from __future__ import annotations

from datetime import timedelta

from taskhub.application.paging import Position
from taskhub.application.ports import TaskFilter, UnitOfWorkFactory
from taskhub.application.service import task_place
from taskhub.application.users.handlers import user_place
from taskhub.domain.task import Task, TaskStatus
from taskhub.domain.user import User
from taskhub.testing import MOMENT
from tests.contract.test_unit_of_work import saved_task, saved_user


def joined_in_order(uow_factory: UnitOfWorkFactory, count: int, ties: int = 1) -> list[User]:
    """``count`` users, ``ties`` of them joining at each moment, in the list's order."""
    users = [
        saved_user(uow_factory, now=MOMENT + timedelta(seconds=i // ties)) for i in range(count)
    ]
    return sorted(users, key=lambda u: (u.date_joined, u.id))


def submitted_newest_first(uow_factory: UnitOfWorkFactory, count: int, ties: int) -> list[Task]:
    """``count`` tasks, ``ties`` of them submitted at each moment, in the list's order."""
    tasks = [
        saved_task(uow_factory, now=MOMENT + timedelta(seconds=i // ties)) for i in range(count)
    ]
    return sorted(tasks, key=lambda t: (t.created_at, t.id), reverse=True)


def test_users_page_after_the_last_one_even_among_ties(uow_factory: UnitOfWorkFactory) -> None:
    """Users joined at the same moment are told apart by id, as the list orders them."""
    users = joined_in_order(uow_factory, 9, ties=3)
    with uow_factory() as uow:
        first = uow.users.list(None, 4)
        rest = uow.users.list(user_place(first[-1]), 4)
        last = uow.users.list(user_place(rest[-1]), 4)
        assert uow.users.count() == 9
    assert [u.id for u in [*first, *rest, *last]] == [u.id for u in users]
    assert len(last) == 1


def test_a_page_after_the_last_user_is_empty(uow_factory: UnitOfWorkFactory) -> None:
    users = joined_in_order(uow_factory, 2)
    with uow_factory() as uow:
        assert list(uow.users.list(user_place(users[-1]), 10)) == []
        later = Position(MOMENT + timedelta(days=365 * 1000), users[0].id)
        assert list(uow.users.list(later, 10)) == []


def test_tasks_page_newest_first_after_the_last_one_even_among_ties(
    uow_factory: UnitOfWorkFactory,
) -> None:
    tasks = submitted_newest_first(uow_factory, 8, ties=3)
    pages: list[list[Task]] = []
    with uow_factory() as uow:
        after = None
        while page := list(uow.tasks.list(TaskFilter(), after, 3)):
            pages.append(page)
            after = task_place(page[-1])
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [t.id for page in pages for t in page] == [t.id for t in tasks]


def test_a_task_page_keeps_its_filter_and_ignores_what_was_submitted_since(
    uow_factory: UnitOfWorkFactory,
) -> None:
    tasks = submitted_newest_first(uow_factory, 5, ties=2)
    with uow_factory() as uow:
        first = uow.tasks.list(TaskFilter(status=TaskStatus.PENDING), None, 2)
    saved_task(uow_factory, now=MOMENT + timedelta(hours=1))  # newer than every task listed
    with uow_factory() as uow:
        rest = uow.tasks.list(TaskFilter(status=TaskStatus.PENDING), task_place(first[-1]), 10)
        assert uow.tasks.list(TaskFilter(status=TaskStatus.DONE), None, 10) == []
    assert [t.id for t in [*first, *rest]] == [t.id for t in tasks]
