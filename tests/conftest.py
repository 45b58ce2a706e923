"""Fixtures shared by every kind of test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dependency_injector import providers

import taskhub
from taskhub.adapters.clock import ManualClock
from taskhub.entrypoints.library import Hub


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when a test moves it."""
    return ManualClock()


@pytest.fixture
def hub(clock: ManualClock) -> Iterator[Hub]:
    """A zero-service hub whose tasks run inline, on the manual clock."""
    hub = taskhub.connect(database_url="memory://", bus="inline")
    hub.container.clock.override(providers.Object(clock))
    yield hub
    hub.close()
