"""A list reads its page in batches, with a safe point between two: the same page as read at
once, and a stop wherever the safe point says so."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.cancellation import CancelRequested
from taskhub.application.users.commands import ListUsers
from taskhub.application.users.handlers import LIST_BATCH, list_users
from taskhub.testing import MOMENT, a_user

USERS = 2 * LIST_BATCH + 50


class CountingSafePoint:
    """A safe point (the port's fake) that counts its calls and stops the list at ``stop_at``."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.reached_times = 0
        self._stop_at = stop_at

    def reached(self) -> None:
        self.reached_times += 1
        if self.reached_times == self._stop_at:
            raise CancelRequested(uuid4())


@pytest.fixture(scope="module")
def store() -> InMemoryStore:
    """USERS users, some joined at the same moment (the list orders those by id)."""
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as uow:
        for i in range(USERS):
            uow.users.add(a_user(now=MOMENT + timedelta(seconds=i // 3)))
        uow.commit()
    return store


@pytest.mark.parametrize(
    ("page", "page_size", "safe_points"),
    [(1, 500, 2), (1, LIST_BATCH, 0), (2, 120, 1), (3, 100, 0), (2, 200, 0), (1, 30, 0)],
)
def test_a_page_read_in_batches_is_the_page_read_at_once(
    store: InMemoryStore, page: int, page_size: int, safe_points: int
) -> None:
    safe_point = CountingSafePoint()
    with InMemoryUnitOfWork(store) as uow:
        result = list_users(ListUsers(page=page, page_size=page_size), uow, MOMENT, safe_point)
        at_once = uow.users.list(page, page_size)
    assert [user["id"] for user in result["users"]] == [str(u.id) for u in at_once.items]
    assert (result["count"], result["page"], result["page_size"]) == (USERS, page, page_size)
    assert safe_point.reached_times == safe_points


def test_a_cancel_seen_at_a_safe_point_stops_the_list(store: InMemoryStore) -> None:
    safe_point = CountingSafePoint(stop_at=2)
    with InMemoryUnitOfWork(store) as uow, pytest.raises(CancelRequested):
        list_users(ListUsers(page=1, page_size=500), uow, MOMENT, safe_point)
    assert safe_point.reached_times == 2
