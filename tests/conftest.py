"""Fixtures shared by every kind of test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers

import taskhub
from taskhub.adapters.clock import ManualClock
from taskhub.entrypoints.library import Hub


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps each test's embedded database in its own directory, whatever the shell has set."""
    for name in [name for name in os.environ if name.startswith("TASKHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TASKHUB_DATA_DIR", str(tmp_path / "data"))


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
