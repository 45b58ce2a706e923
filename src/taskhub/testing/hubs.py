"""A Hub for tests: in memory, with no services, its tasks run on submit, on a clock you move."""

from __future__ import annotations

from typing import Any

from dependency_injector import providers

from taskhub.bootstrap import build_container, start
from taskhub.entrypoints.library import Hub
from taskhub.settings import Settings
from taskhub.testing.clock import ManualClock


def memory_hub(clock: ManualClock | None = None, bus: str = "inline", **settings: Any) -> Hub:
    """A started Hub on the in-memory store; close it (or use it as a context manager) after.

    On the default ``inline`` bus each call returns its task already finished, so a test needs
    no waiting. The settings are ``settings`` over the defaults, never the ``TASKHUB_*``
    environment, so a developer's shell cannot point a test at a real database or broker. The
    clock replaces the system clock before the hub starts, so even the ``thread`` bus's sweeps
    read it.
    """
    values = {"database_url": "memory://", "bus": bus, **settings}
    container = build_container(Settings(**values))
    if clock is not None:
        container.clock.override(providers.Object(clock))
    return Hub(start(container))
