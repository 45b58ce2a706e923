"""Administrators in memory: private copies for one unit of work, checked and saved at commit."""

from __future__ import annotations

from collections.abc import Sequence

from taskhub.adapters.memory.store import InMemoryStore, Tracked, detached, state_of
from taskhub.domain.administrator import Administrator
from taskhub.domain.errors import AdministratorExists


class InMemoryAdministratorRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[Administrator] = Tracked()

    def add(self, administrator: Administrator) -> None:
        self.tracked.added[administrator.id] = administrator

    def get_by_username(self, username: str) -> Administrator | None:
        for administrator in self.tracked.added.values():
            if administrator.username == username:
                return administrator
        with self._store.lock:
            found = [a for a in self._store.administrators.values() if a.username == username]
        if not found:
            return None
        if self.tracked.knows(found[0].id):
            return self.tracked.local(found[0].id)
        administrator = detached(found[0])
        self.tracked.loaded[administrator.id] = (administrator, state_of(administrator))
        return administrator

    def list(self) -> Sequence[Administrator]:
        with self._store.lock:
            stored = list(self._store.administrators.values())
        every = [*stored, *self.tracked.added.values()]
        return [detached(a) for a in sorted(every, key=lambda a: (a.created_at, str(a.id)))]

    def checked(self) -> Sequence[Administrator]:
        """What a commit saves (call under the store's lock); raise if a username repeats."""
        saved = [*(a for a, _ in self.tracked.changed()), *self.tracked.added.values()]
        kept = {a.id: a for a in self._store.administrators.values()}
        kept.update({a.id: a for a in saved})
        names = [a.username for a in kept.values()]
        for administrator in saved:
            if names.count(administrator.username) > 1:
                raise AdministratorExists(administrator.username)
        return [detached(a) for a in saved]
