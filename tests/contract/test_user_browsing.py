"""Browsing users (the console's read): the same search, order and pages on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskhub.application.ports import UnitOfWorkFactory, UserQuery
from taskhub.domain.errors import InvalidQuery
from taskhub.domain.user import User
from taskhub.testing import a_user
from taskhub.testing.clock import MOMENT


def stored(uow_factory: UnitOfWorkFactory, *users: User) -> None:
    with uow_factory() as uow:
        for user in users:
            uow.users.add(user)
        uow.commit()


def names(uow_factory: UnitOfWorkFactory, query: UserQuery, page: int = 1, size: int = 10) -> list:
    with uow_factory() as uow:
        return [user.username for user in uow.users.browse(query, page, size).items]


@pytest.fixture
def three(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """A store holding alice (joined first), bob and carol (joined last)."""
    stored(
        uow_factory,
        a_user(username="bob", email="bob@corp.example", first_name="Robert", now=MOMENT),
        a_user(username="alice", email="alice@example.com", now=MOMENT - timedelta(days=1)),
        a_user(username="carol", email="c@example.com", last_name="Bobbins",
               now=MOMENT + timedelta(days=1)),
    )  # fmt: skip
    return uow_factory


def test_users_come_newest_first_by_default_and_in_any_sortable_order(
    three: UnitOfWorkFactory,
) -> None:
    assert names(three, UserQuery()) == ["carol", "bob", "alice"]
    assert names(three, UserQuery(order="username")) == ["alice", "bob", "carol"]
    assert names(three, UserQuery(order="-email")) == ["carol", "bob", "alice"]
    assert names(three, UserQuery(order="date_joined")) == ["alice", "bob", "carol"]


def test_a_search_finds_a_term_in_the_username_email_or_names_whatever_its_case(
    three: UnitOfWorkFactory,
) -> None:
    assert names(three, UserQuery(search="BOB", order="username")) == ["bob", "carol"]
    assert names(three, UserQuery(search="corp")) == ["bob"]
    assert names(three, UserQuery(search="robert")) == ["bob"]
    assert names(three, UserQuery(search="  alice ")) == ["alice"]
    assert names(three, UserQuery(search="nobody")) == []


def test_wildcards_in_a_search_are_matched_as_themselves(uow_factory: UnitOfWorkFactory) -> None:
    stored(uow_factory, a_user(username="under_score"), a_user(username="underXscore"))
    assert names(uow_factory, UserQuery(search="r_s")) == ["under_score"]
    assert names(uow_factory, UserQuery(search="%")) == []


def test_pages_count_only_what_matches_and_ties_go_by_id(uow_factory: UnitOfWorkFactory) -> None:
    same_moment = [a_user(username=f"ann{n}", now=MOMENT) for n in range(5)]
    stored(uow_factory, *same_moment, a_user(username="zed"))
    by_id = [u.username for u in sorted(same_moment, key=lambda u: str(u.id))]
    query = UserQuery(search="ann", order="date_joined")
    with uow_factory() as uow:
        first = uow.users.browse(query, 1, 2)
        last = uow.users.browse(query, 3, 2)
        beyond = uow.users.browse(query, 9, 2)
    assert (first.total, [u.username for u in first.items]) == (5, by_id[:2])
    assert [u.username for u in last.items] == by_id[4:]
    assert (beyond.total, beyond.items) == (5, [])
    assert names(uow_factory, UserQuery(search="ann", order="-date_joined")) == by_id[::-1]


def test_an_unknown_order_or_an_endless_search_is_refused_before_any_store() -> None:
    with pytest.raises(InvalidQuery) as refused:
        UserQuery(search="x" * 101, order="password")
    assert set(refused.value.errors) == {"search", "order"}
