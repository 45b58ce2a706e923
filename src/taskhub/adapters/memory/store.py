"""The committed state of the in-memory adapters, and what one unit of work has touched."""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar
from uuid import UUID

from taskhub.application.ports.presence import Sighting
from taskhub.domain.administrator import Administrator
from taskhub.domain.api_token import ApiToken
from taskhub.domain.task import Task
from taskhub.domain.user import User


def state_of(entity: User | Task | Administrator | ApiToken) -> dict[str, Any]:
    """What the store saves of an entity: every field but its unpublished events."""
    fields = dataclasses.fields(entity)
    return copy.deepcopy({f.name: getattr(entity, f.name) for f in fields if f.name != "events"})


E = TypeVar("E", bound=User | Task | Administrator | ApiToken)


def detached(entity: E) -> E:
    """A private copy of a committed entity, so that a unit of work never edits the store's."""
    fresh: dict[str, Any] = {"events": []} if hasattr(entity, "events") else {}
    return dataclasses.replace(entity, **fresh, **state_of(entity))


class InMemoryStore:
    """The committed state shared by every unit of work of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: dict[UUID, User] = {}
        self.tasks: dict[UUID, Task] = {}
        self.idempotency_keys: dict[str, UUID] = {}
        self.administrators: dict[UUID, Administrator] = {}
        self.api_tokens: dict[UUID, ApiToken] = {}
        self.workers: dict[str, Sighting] = {}  # by name


class Tracked(Generic[E]):
    """The entities one unit of work loaded or added, with their state when loaded."""

    def __init__(self) -> None:
        self.loaded: dict[UUID, tuple[E, dict[str, Any]]] = {}
        self.added: dict[UUID, E] = {}
        self.removed: dict[UUID, E] = {}

    def knows(self, entity_id: UUID) -> bool:
        return entity_id in self.removed or entity_id in self.added or entity_id in self.loaded

    def local(self, entity_id: UUID) -> E | None:
        if entity_id in self.removed:
            return None
        if entity_id in self.added:
            return self.added[entity_id]
        return self.loaded[entity_id][0] if entity_id in self.loaded else None

    def changed(self) -> Iterator[tuple[E, dict[str, Any]]]:
        for entity, before in self.loaded.values():
            if entity.id not in self.removed and state_of(entity) != before:
                yield entity, before

    def all(self) -> Iterable[E]:
        return [*(e for e, _ in self.loaded.values()), *self.added.values(), *self.removed.values()]

    def rebase(self) -> None:
        """After a commit: what is kept is now loaded as saved; nothing is pending."""
        kept = [
            *(e for e, _ in self.loaded.values() if e.id not in self.removed),
            *self.added.values(),
        ]
        self.forget()
        self.loaded = {e.id: (e, state_of(e)) for e in kept}

    def forget(self) -> None:
        self.loaded.clear()
        self.added.clear()
        self.removed.clear()
