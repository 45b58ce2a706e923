"""Fixtures for driving the HTTP API through Flask's test client, over in-memory adapters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import Container, shut_down
from taskhub.entrypoints.http import create_app
from taskhub.testing import HeldBus
from tests.http.apps import memory_settings


@pytest.fixture
def app() -> Iterator[Flask]:
    """The API over an in-memory store; each task runs as it is submitted."""
    app = create_app(memory_settings())
    yield app
    shut_down(app.extensions["taskhub"].container)


@pytest.fixture
def container(app: Flask) -> Container:
    """The container behind ``app``, for provider overrides."""
    found: Container = app.extensions["taskhub"].container
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def held_bus(container: Container) -> HeldBus:
    """A bus put in ``app``'s container that leaves every submitted task PENDING."""
    bus = HeldBus()
    container.task_bus.override(providers.Object(bus))
    return bus
