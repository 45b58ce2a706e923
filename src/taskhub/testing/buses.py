"""A task bus for tests: it holds what is dispatched; the test decides when (or whether) it runs."""

from __future__ import annotations

from uuid import UUID


class HeldBus:
    """A task bus that runs nothing: dispatched tasks stay PENDING, listed in ``held``, until a
    test runs them by hand (``hub.tasks.run``), cancels them, or leaves them for the relay."""

    def __init__(self) -> None:
        self.held: list[UUID] = []

    def dispatch(self, task_id: UUID) -> None:
        self.held.append(task_id)
