"""The console as an administrator uses it, in headless Chromium against the README's gunicorn:
sign in, create a user and watch its task reach DONE, find it, edit, replace and delete it, see
a create fail with its sentence beside the username, sign out. Screenshots go to
``artefacts()``, at 1280x800 and at a phone's 390x844."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

from playwright.sync_api import Browser, Page, expect

import taskhub
from tests.browser.conftest import DESKTOP, PHONE, artefacts, signed_in_page
from tests.e2e.server import Server


def submit_and_finish(page: Page, button: str, status: str = "DONE") -> None:
    """Press ``button`` and wait for the task's panel to show ``status`` at its end."""
    page.get_by_role("button", name=button).click()
    expect(page.locator("[data-status-text]")).to_have_text(status)
    if status == "DONE":
        expect(page.locator("[data-progress]")).to_have_attribute("value", "100")


def fill_user(page: Page, **fields: str) -> None:
    for label, value in fields.items():
        page.get_by_label(label.replace("_", " ").capitalize(), exact=True).fill(value)


def test_an_administrator_manages_a_user_from_sign_in_to_sign_out(
    browser: Browser, server: Server
) -> None:
    shots = artefacts()
    page = browser.new_page(viewport=DESKTOP, base_url=server.url)
    page.goto("/admin/users/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.screenshot(path=shots / "console-login.png")
    page.close()

    page = signed_in_page(browser, server, DESKTOP)
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Create a user").click()
    fill_user(page, username="ada", email="ada@example.com", first_name="Ada")
    submit_and_finish(page, "Create")
    expect(page.locator("[data-sentence]")).to_have_text("Successfully created user ada")
    page.screenshot(path=shots / "console-create-done.png")

    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Search username, email or name").fill("ADA")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="ada@example.com")
    expect(row).to_have_count(1)
    page.screenshot(path=shots / "console-users.png", full_page=True)

    row.get_by_role("link", name="ada").click()
    page.get_by_role("link", name="Edit").click()
    fill_user(page, last_name="Lovelace")
    submit_and_finish(page, "Save")
    page.get_by_role("link", name="See the user").click()
    expect(page.locator(".facts")).to_contain_text("Lovelace")

    page.get_by_role("link", name="Replace").click()
    fill_user(page, first_name="", last_name="")
    submit_and_finish(page, "Save")
    page.get_by_role("link", name="See the user").click()
    expect(page.locator(".facts")).not_to_contain_text("Lovelace")

    page.get_by_role("link", name="Delete").click()
    submit_and_finish(page, "Delete ada")
    page.get_by_role("link", name="Back to the users").click()
    expect(page.get_by_role("row").filter(has_text="ada@example.com")).to_have_count(0)

    for attempt in ("first", "second"):
        page.goto("/admin/users/new")
        fill_user(page, username="grace", email=f"grace.{attempt}@example.com")
        submit_and_finish(page, "Create", "DONE" if attempt == "first" else "FAILED")
    beside = page.locator('[data-field-error="username"]')
    expect(beside).to_have_text("The username 'grace' is already taken.")
    page.screenshot(path=shots / "console-create-failed.png")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    page.goto("/admin/users/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.context.close()


def test_the_pages_hold_up_at_a_phones_width(browser: Browser, server: Server) -> None:
    page = signed_in_page(browser, server, PHONE)
    page.goto("/admin/users/")
    page.screenshot(path=artefacts() / "console-users-phone.png", full_page=True)
    page.goto("/admin/users/new")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the form fits the phone without scrolling sideways"
    page.screenshot(path=artefacts() / "console-create-phone.png", full_page=True)
    page.context.close()


def test_a_pending_task_is_followed_live_and_by_polling_when_streams_are_refused(
    browser: Browser, stalled_server: tuple[Server, Path]
) -> None:
    server, data_dir = stalled_server
    for streams in ("allowed", "refused"):
        page = signed_in_page(browser, server, DESKTOP)
        if streams == "refused":  # as a server at its bound of streams answers: 503
            page.route("**/events", lambda route: route.fulfill(status=503, body=""))
        page.goto("/admin/users/new")
        fill_user(page, username=f"lin_{streams}", email=f"lin.{streams}@example.com")
        page.get_by_role("button", name="Create").click()
        status = page.locator("[data-status-text]")
        expect(status).to_have_text("PENDING")  # no worker takes it
        task_id = page.locator("[data-task]").get_attribute("data-task")
        assert task_id
        with taskhub.connect(data_dir=str(data_dir), bus="inline") as worker:
            worker.container.service().run(UUID(task_id))  # a worker, at last
        expect(status).to_have_text("DONE")  # without a reload: the page's script saw it
        page.context.close()
