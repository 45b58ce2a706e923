"""Reading a page of users in batches, on every store: a page's first ``limit`` users, then each
next batch from where the last one ended (``UserRepository.list`` and ``listed_after``)."""

from __future__ import annotations

from datetime import timedelta

from taskhub.application.ports import UnitOfWorkFactory
from taskhub.domain.user import User
from taskhub.testing import MOMENT
from tests.contract.test_unit_of_work import saved_user


def joined_in_order(uow_factory: UnitOfWorkFactory, count: int, ties: int = 1) -> list[User]:
    """``count`` users, ``ties`` of them joining at each moment, in the list's order."""
    users = [
        saved_user(uow_factory, now=MOMENT + timedelta(seconds=i // ties)) for i in range(count)
    ]
    return sorted(users, key=lambda u: (u.date_joined, str(u.id)))


def test_a_limit_gives_the_first_users_of_the_page_and_the_whole_count(
    uow_factory: UnitOfWorkFactory,
) -> None:
    users = joined_in_order(uow_factory, 7)
    with uow_factory() as uow:
        page = uow.users.list(2, 3, limit=2)
    assert [u.id for u in page.items] == [u.id for u in users[3:5]]
    assert (page.total, page.page, page.page_size) == (7, 2, 3)


def test_the_next_batch_follows_the_last_user_even_among_ties(
    uow_factory: UnitOfWorkFactory,
) -> None:
    """Users joined at the same moment are told apart by id, as the list orders them."""
    users = joined_in_order(uow_factory, 9, ties=3)
    with uow_factory() as uow:
        first = uow.users.list(1, 9, limit=4).items
        rest = uow.users.listed_after(first[-1], 4)
        last = uow.users.listed_after(rest[-1], 4)
    assert [u.id for u in [*first, *rest, *last]] == [u.id for u in users]
    assert len(last) == 1


def test_a_batch_after_the_last_user_is_empty(uow_factory: UnitOfWorkFactory) -> None:
    users = joined_in_order(uow_factory, 2)
    with uow_factory() as uow:
        assert list(uow.users.listed_after(users[-1], 10)) == []
