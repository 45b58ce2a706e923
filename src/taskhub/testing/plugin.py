"""taskhub's pytest plugin: fixtures for testing code that uses taskhub.

pytest loads it through the ``pytest11`` entry point named ``taskhub`` (``-p no:taskhub`` turns
it off); nothing else imports it, so taskhub needs pytest only where tests run. The fixtures are
prefixed ``taskhub_`` so they never shadow a project's own ``hub`` or ``clock``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from taskhub.entrypoints.library import Hub
from taskhub.testing.clock import ManualClock
from taskhub.testing.hubs import memory_hub


@pytest.fixture
def taskhub_clock() -> ManualClock:
    """A clock standing at ``taskhub.testing.MOMENT`` until the test advances it."""
    return ManualClock()


@pytest.fixture
def taskhub_hub(taskhub_clock: ManualClock) -> Iterator[Hub]:
    """An in-memory hub whose tasks finish on submit, on ``taskhub_clock``; closed after."""
    with memory_hub(taskhub_clock) as hub:
        yield hub
