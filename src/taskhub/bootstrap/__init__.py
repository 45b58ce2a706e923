"""The composition root: builds the container from settings, starts it and shuts it down.

The only bridge between the entrypoints and the adapters: an entrypoint asks the container for
the task service (``container.service()``) and never imports an adapter.

The container and its lifecycle are imported on first use, not with the package: they bring every
adapter's libraries, which a process that needs only ``bootstrap.logs`` or ``bootstrap.metrics``
(gunicorn's master, a Celery main process) should not carry.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from taskhub.bootstrap.container import Container
    from taskhub.bootstrap.lifecycle import build_container, ensure_administrator, shut_down, start

__all__ = ["Container", "build_container", "ensure_administrator", "shut_down", "start"]

_HOMES = {
    "Container": "container",
    "build_container": "lifecycle",
    "ensure_administrator": "lifecycle",
    "shut_down": "lifecycle",
    "start": "lifecycle",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
