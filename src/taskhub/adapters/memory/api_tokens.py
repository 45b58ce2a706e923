"""API tokens in memory: private copies for one unit of work, saved at commit."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from taskhub.adapters.memory.store import InMemoryStore, Tracked, detached, state_of
from taskhub.domain.api_token import ApiToken


class InMemoryApiTokenRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.tracked: Tracked[ApiToken] = Tracked()

    def add(self, token: ApiToken) -> None:
        self.tracked.added[token.id] = token

    def get(self, token_id: UUID) -> ApiToken | None:
        if self.tracked.knows(token_id):
            return self.tracked.local(token_id)
        with self._store.lock:
            stored = self._store.api_tokens.get(token_id)
        return None if stored is None else self._loaded(stored)

    def get_by_digest(self, digest: str) -> ApiToken | None:
        for token in self.tracked.added.values():
            if token.digest == digest:
                return token
        with self._store.lock:
            found = [t for t in self._store.api_tokens.values() if t.digest == digest]
        return self.get(found[0].id) if found else None

    def list(self) -> Sequence[ApiToken]:
        with self._store.lock:
            stored = list(self._store.api_tokens.values())
        every = [*stored, *self.tracked.added.values()]
        return [detached(t) for t in sorted(every, key=lambda t: (t.created_at, str(t.id)))]

    def saved(self) -> Sequence[ApiToken]:
        """What a commit writes: the tokens added, and those changed since they were loaded."""
        changed = [token for token, _ in self.tracked.changed()]
        return [detached(t) for t in [*changed, *self.tracked.added.values()]]

    def _loaded(self, stored: ApiToken) -> ApiToken:
        token = detached(stored)
        self.tracked.loaded[token.id] = (token, state_of(token))
        return token
