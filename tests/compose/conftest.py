"""Fixtures for the compose test: our dockerd, and the repository's stack up on it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.compose.stack import Stack, build_wheels, docker_environment
from tests.processes import ROOT

# Shorter than the defaults so that a killed worker's task is handed on within seconds.
PASSWORD = "a compose test secret"
FAST_RECOVERY = """
TASKHUB_LEASE_SECONDS=3
TASKHUB_RELAY_IDLE_SECONDS=2
TASKHUB_RELAY_INTERVAL_SECONDS=1
TASKHUB_DB_CONNECT_TIMEOUT=2
"""


@pytest.fixture(scope="session")
def docker() -> dict[str, str]:
    """An environment whose DOCKER_HOST answers, with the local base images built."""
    return docker_environment()


@pytest.fixture(scope="module")
def stack(docker: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack of docker-compose.yml with two workers, up and ready; down with its volumes."""
    env_file = tmp_path_factory.mktemp("compose") / "compose.env"
    example = (ROOT / "compose.env.example").read_text()
    assert "\nTASKHUB_ADMIN_PASSWORD=\n" in example, "the example leaves the password to set"
    settings = example.replace(
        "\nTASKHUB_ADMIN_PASSWORD=\n", f"\nTASKHUB_ADMIN_PASSWORD={PASSWORD}\n"
    )
    assert "\nTASKHUB_SECRET_KEY=\n" in example, "the example leaves the console's key to set"
    key = secrets.token_urlsafe(32)
    settings = settings.replace("\nTASKHUB_SECRET_KEY=\n", f"\nTASKHUB_SECRET_KEY={key}\n")
    env_file.write_text(settings + FAST_RECOVERY)
    build_wheels()
    running = Stack(docker, env_file)
    running.compose("build", "-q", "--force-rm", timeout=600)
    try:
        running.compose("up", "-d", "--scale", "worker=2")
        running.wait_ready(90)
        running.make_token()
        yield running
    finally:
        print(running.logs())  # pytest shows it only when the test fails
        running.compose("down", "-v", "--remove-orphans", "-t", "10")
