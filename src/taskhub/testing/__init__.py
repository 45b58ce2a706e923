"""Helpers for testing code that uses taskhub, with no services (see the README's "Testing").

A clock moved by hand, a bus that holds what it is given, a Hub in memory on it, and builders of
valid domain objects. The pytest fixtures live in ``taskhub.testing.plugin``, which pytest loads
by itself; importing this package
does not import pytest.
"""

from taskhub.testing.builders import a_service, a_task, a_user, user_fields
from taskhub.testing.buses import HeldBus
from taskhub.testing.clock import MOMENT, ManualClock
from taskhub.testing.hubs import memory_hub

__all__ = [
    "MOMENT",
    "HeldBus",
    "ManualClock",
    "a_service",
    "a_task",
    "a_user",
    "memory_hub",
    "user_fields",
]
