"""A Celery app for live-progress tests: taskhub's worker, except that a create of a user named
``gated…`` holds, once it has reported its progress and before it writes, until the test opens
its gate: a file named like the user in ``$GATE_DIR``. Start it with the plain
``celery -A tests.integration.gated_worker worker`` command."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from dependency_injector import providers

from taskhub.application.cancellation import SafePoint
from taskhub.application.catalogue import CATALOGUE, Entry, catalogue_of
from taskhub.application.ports import UnitOfWork
from taskhub.application.progress import Progress
from taskhub.application.users import handlers
from taskhub.application.users.commands import CreateUser
from taskhub.bootstrap import Container
from taskhub.entrypoints.worker import make_app

HOLD_AT_MOST = 120  # seconds: a gate the test never opens does not hold the worker forever


def _create_at_the_gate(
    command: CreateUser, uow: UnitOfWork, now: datetime, safe_point: SafePoint, progress: Progress
) -> dict[str, Any]:
    result = handlers.create_user(
        command, uow, now, safe_point, progress
    )  # reports 40; writes at commit
    username = str(command.values["username"])
    if username.startswith("gated"):
        gate, deadline = Path(os.environ["GATE_DIR"]) / username, time.monotonic() + HOLD_AT_MOST
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return result


CHANGED = catalogue_of(*CATALOGUE.values(), Entry(CreateUser, _create_at_the_gate))


def _change_create_user(container: Container) -> None:
    container.catalogue.override(providers.Object(CHANGED))


app = make_app(configure=_change_create_user)
__all__ = ["app"]
