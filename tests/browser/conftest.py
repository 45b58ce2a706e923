"""Fixtures for the console in a real browser: Debian's Chromium, headless, driven by
Playwright for Python (never a browser Playwright downloads), against the README's gunicorn.

Without Chromium these tests skip on a developer's machine and fail in CI (``CI=true``), which
installs it (``scripts/services``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.server import Server, gunicorn_command
from tests.processes import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
# What Chromium needs on a machine with no network beyond loopback (and as root, no sandbox).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip
PASSWORD = "a long enough secret"
ADMIN = {"TASKHUB_ADMIN_USERNAME": "root", "TASKHUB_ADMIN_EMAIL": "root@example.com",
         "TASKHUB_ADMIN_PASSWORD": PASSWORD}  # fmt: skip
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def artefacts() -> Path:
    """Where screenshots go: ``$SCREENSHOTS_DIR`` or ``tests/artifacts`` (ignored by git)."""
    where = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "tests" / "artifacts"))
    where.mkdir(parents=True, exist_ok=True)
    return where


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: scripts/services installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, on a fresh empty profile (Playwright's ``launch`` makes a
    temporary user-data directory each time, and removes it)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium()), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


def console_server(workdir: Path, **env: str) -> Server:
    """The README's gunicorn command on the embedded default, with the first administrator."""
    settings = {"TASKHUB_DATA_DIR": str(workdir / "data"), "TASKHUB_SSE_HEARTBEAT_SECONDS": "1"}
    return Server({**settings, **ADMIN, **env}, workdir / "gunicorn.log", gunicorn_command)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn as the README runs it (two workers), its tasks run by its thread bus."""
    workdir = tmp_path_factory.mktemp("console")
    running = console_server(workdir)
    yield running
    assert running.stop() == 0, (workdir / "gunicorn.log").read_text()


@pytest.fixture(scope="module")
def stalled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """The same, handing tasks to a Celery broker where none listens: they stay PENDING until
    the test runs them; and its data directory, for the test to reach the same store."""
    workdir = tmp_path_factory.mktemp("stalled")
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    running = console_server(workdir, TASKHUB_BUS="celery", TASKHUB_BROKER_URL=nowhere)
    yield running, workdir / "data"
    assert running.stop() == 0, (workdir / "gunicorn.log").read_text()


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same, its API needing a token (``TASKHUB_AUTH=required``), as compose runs it."""
    workdir = tmp_path_factory.mktemp("guarded")
    running = console_server(workdir, TASKHUB_AUTH="required")
    yield running
    assert running.stop() == 0, (workdir / "gunicorn.log").read_text()


def signed_in_page(browser: Browser, server: Server, viewport: dict[str, int]) -> Page:
    context: BrowserContext = browser.new_context(viewport=viewport, base_url=server.url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/admin/login")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/overview/")  # the console opens on its overview
    return page
