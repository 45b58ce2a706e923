"""The worker registry in memory: notes and forgettings held by the unit of work until commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from taskhub.adapters.memory.store import InMemoryStore
from taskhub.application.ports import Sighting


class InMemoryWorkerRegistry:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.noted: dict[str, Sighting] = {}
        self.forget_before_moment: datetime | None = None

    def note(self, sighting: Sighting) -> None:
        self.noted[sighting.name] = sighting

    def seen_since(self, moment: datetime) -> Sequence[Sighting]:
        with self._store.lock:
            every = {**self._store.workers, **self.noted}
        seen = [s for s in every.values() if s.last_seen_at >= moment]
        return sorted(seen, key=lambda s: (s.last_seen_at, s.name), reverse=True)

    def forget_before(self, moment: datetime) -> None:
        self.forget_before_moment = moment

    def apply(self) -> None:
        """At commit, under the store's lock."""
        if self.forget_before_moment is not None:
            cut = self.forget_before_moment
            self._store.workers = {n: s for n, s in self._store.workers.items()
                                   if s.last_seen_at >= cut}  # fmt: skip
        self._store.workers.update(self.noted)
        self.discard()

    def discard(self) -> None:
        self.noted.clear()
        self.forget_before_moment = None
