"""Users in memory: private copies for one unit of work, checked and saved at its commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from taskhub.adapters.memory.store import InMemoryStore, Tracked, detached, state_of
from taskhub.application.paging import Position
from taskhub.application.ports import NumberedPage, UserQuery
from taskhub.application.ports.browsing import SEARCHED
from taskhub.domain.user import User


class InMemoryUserRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[User] = Tracked()

    def add(self, user: User) -> None:
        self.tracked.added[user.id] = user

    def get(self, user_id: UUID) -> User | None:
        if self.tracked.knows(user_id):
            return self.tracked.local(user_id)
        with self._store.lock:
            committed = self._store.users.get(user_id)
        if committed is None:
            return None
        user = detached(committed)
        self.tracked.loaded[user_id] = (user, state_of(user))
        return user

    def remove(self, user: User) -> None:
        self.tracked.added.pop(user.id, None)
        self.tracked.removed[user.id] = user

    def list(self, after: Position | None, limit: int) -> Sequence[User]:
        users = self._in_order()
        if after is not None:
            users = [u for u in users if (u.date_joined, u.id) > (after.at, after.id)]
        return [detached(u) for u in users[:limit]]

    def count(self) -> int:
        return len(self._in_order())

    def browse(self, query: UserQuery, page: int, page_size: int) -> NumberedPage[User]:
        term = query.search.lower()
        found = [u for u in self._in_order() if _matches(u, term)]
        found.sort(key=lambda u: (getattr(u, query.field), str(u.id)), reverse=query.descending)
        start = (page - 1) * page_size
        items = [detached(u) for u in found[start : start + page_size]]
        return NumberedPage(items=items, total=len(found), page=page, page_size=page_size)

    def _in_order(self) -> Sequence[User]:
        """What this unit of work sees, as a list shows it: by date joined, then id."""
        with self._store.lock:
            visible = {**self._store.users, **{u.id: u for u, _ in self.tracked.loaded.values()}}
        visible.update(self.tracked.added)
        return sorted((u for u in visible.values() if u.id not in self.tracked.removed), key=_place)


def _place(user: User) -> tuple[datetime, str]:
    return (user.date_joined, str(user.id))


def _matches(user: User, term: str) -> bool:
    return not term or any(term in getattr(user, name).lower() for name in SEARCHED)
