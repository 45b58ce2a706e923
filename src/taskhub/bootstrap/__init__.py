"""The composition root: builds the container from settings, starts it and shuts it down.

The only bridge between the entrypoints and the adapters: an entrypoint asks the container for
the task service (``container.service()``) and never imports an adapter.
"""

from taskhub.bootstrap.container import Container
from taskhub.bootstrap.lifecycle import build_container, ensure_administrator, shut_down, start

__all__ = ["Container", "build_container", "ensure_administrator", "shut_down", "start"]
