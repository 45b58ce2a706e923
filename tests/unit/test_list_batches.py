"""A list reads its page in batches, with a safe point and a progress report between two: the
same page as read at once, a stop wherever the safe point says so, progress that only grows."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.cancellation import CancelRequested
from taskhub.application.paging import cursor_for
from taskhub.application.users.commands import ListUsers
from taskhub.application.users.handlers import LIST_BATCH, list_users, user_place
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


class RecordedProgress:
    """Where a handler reports its progress (the port's fake): it keeps every report."""

    def __init__(self) -> None:
        self.reported: list[int] = []

    def report(self, percent: int) -> None:
        self.reported.append(percent)


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
    ("skipped", "page_size", "safe_points"),
    [(0, 500, 2), (0, LIST_BATCH, 1), (0, LIST_BATCH - 1, 0), (120, 120, 1), (200, 100, 0),
     (0, 30, 0), (USERS - 30, 30, 0), (USERS - 1, 30, 0)],
)  # fmt: skip
def test_a_page_read_in_batches_is_the_page_read_at_once(
    store: InMemoryStore, skipped: int, page_size: int, safe_points: int
) -> None:
    """A page starting after the first ``skipped`` users; one more than it holds is read, to
    know whether a next page exists."""
    safe_point, progress = CountingSafePoint(), RecordedProgress()
    with InMemoryUnitOfWork(store) as uow:
        everyone = uow.users.list(None, USERS)
        after = user_place(everyone[skipped - 1]) if skipped else None
        command = ListUsers(cursor=cursor_for(after) if after else None, page_size=page_size)
        result = list_users(command, uow, MOMENT, safe_point, progress)
    expected = everyone[skipped : skipped + page_size]
    more = skipped + page_size < USERS
    assert [user["id"] for user in result["users"]] == [str(u.id) for u in expected]
    assert result["next"] == (cursor_for(user_place(expected[-1])) if more else None)
    assert safe_point.reached_times == len(progress.reported) == safe_points
    assert progress.reported == sorted(set(progress.reported))


def test_a_cancel_seen_at_a_safe_point_stops_the_list(store: InMemoryStore) -> None:
    safe_point = CountingSafePoint(stop_at=2)
    with InMemoryUnitOfWork(store) as uow, pytest.raises(CancelRequested):
        list_users(ListUsers(page_size=500), uow, MOMENT, safe_point, RecordedProgress())
    assert safe_point.reached_times == 2
