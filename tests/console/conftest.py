"""Fixtures for the console through Flask's test client, over in-memory adapters."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from taskhub.bootstrap import Container, shut_down
from taskhub.entrypoints.http import create_app
from taskhub.testing import HeldBus
from tests.http.apps import memory_settings

PASSWORD = "a long enough secret"
ADMIN = {"admin_username": "root", "admin_email": "root@example.com", "admin_password": PASSWORD}
TOKEN = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/admin/login") -> str:
    """The CSRF token a form of ``path`` carries for this client's session."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    found = TOKEN.search(page.text)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, username: str = "root", password: str = PASSWORD) -> str:
    """Sign in through the form; the page's text, or where it redirected."""
    form = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    answer = client.post("/admin/login", data=form)
    return answer.headers.get("Location") or answer.text


@pytest.fixture
def app() -> Iterator[Flask]:
    """The app (API and console) over an in-memory store, with the administrator ``root``."""
    app = create_app(memory_settings(**ADMIN))
    yield app
    shut_down(app.extensions["taskhub"].container)


@pytest.fixture
def container(app: Flask) -> Container:
    """The container behind ``app``, for provider overrides."""
    found: Container = app.extensions["taskhub"].container
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``, not signed in."""
    return app.test_client()


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    """``client``, signed in to the console as ``root``."""
    assert sign_in(client) == "/admin/"
    return client


@pytest.fixture
def held_bus(container: Container) -> HeldBus:
    """A bus put in ``app``'s container that leaves every submitted task PENDING."""
    bus = HeldBus()
    container.task_bus.override(providers.Object(bus))
    return bus
