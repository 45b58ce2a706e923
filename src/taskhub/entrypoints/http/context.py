"""What the views of one app share, kept in ``app.extensions["taskhub"]``: settings, container."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from taskhub.application.service import TaskService
from taskhub.bootstrap import Container
from taskhub.settings import Settings


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    container: Container


def app_context() -> AppContext:
    found: AppContext = current_app.extensions["taskhub"]
    return found


def service() -> TaskService:
    """The task service, for this request."""
    return app_context().container.service()


def settings() -> Settings:
    return app_context().settings
