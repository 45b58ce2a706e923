"""The adapters every contract test runs against."""

from __future__ import annotations

import pytest

from taskhub.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from taskhub.application.ports import UnitOfWorkFactory


@pytest.fixture(params=["memory"])
def uow_factory(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    """A factory of units of work over an empty store, one per adapter."""
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store)
