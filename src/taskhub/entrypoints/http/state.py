"""What the views of one app share, kept in ``app.extensions["taskhub"]``: its container."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from taskhub.application.service import TaskService
from taskhub.bootstrap import Container
from taskhub.settings import Settings


@dataclass(frozen=True)
class ApiState:
    """The container the app serves; its settings are the app's, one channel for both."""

    container: Container


def api_state() -> ApiState:
    found: ApiState = current_app.extensions["taskhub"]
    return found


def service() -> TaskService:
    """The task service, for this request."""
    return api_state().container.service()


def settings() -> Settings:
    return api_state().container.settings()
