"""What every unit of work does alike, whatever its store: events, exit, the order of things.

An adapter says how to save, discard and list what it touched; this base makes the port's
promises out of those, once: a commit publishes nothing itself but keeps the events of what it
saved for ``collect_events``; a rollback, or leaving the block without a commit, discards every
change and every event recorded since. The entities it held are then detached: still readable
(with whatever was changed on them, unsaved), no longer tracked; get them again to see the store.
One made ``read_only`` refuses ``flush`` and ``commit`` here, whatever its adapter.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from types import TracebackType
from typing import Self

from taskhub.application.ports import (
    AdministratorRepository,
    ApiTokenRepository,
    TaskClaims,
    TaskRepository,
    UserRepository,
    WorkerRegistry,
    WriteWhileReading,
)
from taskhub.domain.events import Event
from taskhub.domain.task import Task
from taskhub.domain.user import User


class BaseUnitOfWork(ABC):
    users: UserRepository
    tasks: TaskRepository
    claims: TaskClaims
    administrators: AdministratorRepository
    api_tokens: ApiTokenRepository
    workers: WorkerRegistry
    _reading_only = False

    def read_only(self) -> Self:
        self._reading_only = True
        return self

    def __enter__(self) -> Self:
        self._committed_events: list[Event] = []
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def flush(self) -> None:
        self._refuse_if_reading()
        self._flush()

    def commit(self) -> None:
        self._refuse_if_reading()
        touched = list(self._touched())  # before saving, which may stop tracking the removed
        self._save()
        for entity in touched:
            self._committed_events.extend(entity.events)
            entity.events.clear()

    def rollback(self) -> None:
        for entity in self._touched():
            entity.events.clear()
        self._discard()

    def collect_events(self) -> Iterable[Event]:
        """Pop the events recorded on every aggregate this unit of work committed."""
        events, self._committed_events = self._committed_events, []
        return events

    def _refuse_if_reading(self) -> None:
        if self._reading_only:
            raise WriteWhileReading

    @abstractmethod
    def _flush(self) -> None:
        """Send every change to the store inside the transaction, or raise as ``_save``."""

    @abstractmethod
    def _begin(self) -> None:
        """Open the store's transaction and the repositories over it."""

    @abstractmethod
    def _save(self) -> None:
        """Commit every change, or raise what the port says and save nothing."""

    @abstractmethod
    def _discard(self) -> None:
        """Drop every uncommitted change and stop tracking what was held (see the module)."""

    @abstractmethod
    def _touched(self) -> Iterable[User | Task]:
        """Every aggregate this unit of work holds: loaded, added or removed."""
