"""The console's operating pages in headless Chromium against the README's gunicorn: cancel a
PENDING task from the tasks table, retry it and follow the new task live until a worker has run
it, retry a FAILED task, the overview's chart and counts (checked against the API), and an API
token made, used over HTTP and revoked. Screenshots of the tasks table, a task's page and the
overview at 1280x800 and 390x844 go to ``artefacts()``."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

from playwright.sync_api import Browser, Page, expect

import taskhub
from taskhub.domain.task import TaskStatus
from tests.browser.conftest import DESKTOP, PHONE, artefacts, signed_in_page
from tests.e2e.server import Server

UUID_PATH = re.compile(r"/admin/tasks/([0-9a-f-]{36})/$")


def fits(page: Page, viewport: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width} px wide"


def create_over_api(server: Server, username: str) -> str:
    fields = {"username": username, "email": f"{username}@example.com"}
    answer = server.request("POST", "/api/users/", fields)
    assert answer.status == 202, answer.body
    return str(answer.body["task_id"])


def task_id_of(page: Page) -> str:
    found = UUID_PATH.search(page.url)
    assert found, page.url
    return found.group(1)


def test_a_pending_task_is_cancelled_from_the_table_then_retried_and_followed_live(
    browser: Browser, stalled_server: tuple[Server, Path]
) -> None:
    server, data_dir = stalled_server
    task_id = create_over_api(server, "cancel_me")
    page = signed_in_page(browser, server, DESKTOP)
    page.get_by_role("link", name="Tasks", exact=True).click()
    page.get_by_label("Status").select_option("PENDING")
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f'tr[data-live-task]:has(a[href="/admin/tasks/{task_id}/"])')
    expect(row.locator("[data-status-text]")).to_have_text("PENDING")
    page.screenshot(path=artefacts() / "console-tasks.png", full_page=True)
    row.get_by_role("link", name="create_user").click()
    page.get_by_role("button", name="Cancel this task").click()
    expect(page.locator("[data-flash]")).to_have_text("Cancelled: nothing of its work was saved.")
    expect(page.locator("[data-status-text]")).to_have_text("CANCELLED")
    assert server.request("GET", f"/api/tasks/{task_id}/").body["status"] == "CANCELLED"

    page.get_by_role("button", name="Retry as a new task").click()
    expect(page.locator("[data-flash]")).to_have_text("Retried: this is the new task.")
    again = task_id_of(page)
    assert again != task_id
    expect(page.get_by_role("link", name=task_id)).to_be_visible()  # "Retry of"
    expect(page.locator("[data-status-text]")).to_have_text("PENDING")
    with taskhub.connect(data_dir=str(data_dir), bus="inline") as worker:
        worker.container.service().run(UUID(again))
    expect(page.locator("[data-status-text]")).to_have_text("DONE")  # live, then reloaded
    expect(page.locator('[data-json="result"]')).to_contain_text('"success": true')
    page.screenshot(path=artefacts() / "console-task.png", full_page=True)
    page.context.close()


def test_a_failed_task_is_retried_from_its_page(browser: Browser, server: Server) -> None:
    failed = server.request("GET", f"/api/users/{UUID(int=1)}/").body["task_id"]
    page = signed_in_page(browser, server, DESKTOP)
    page.goto(f"/admin/tasks/{failed}/")
    expect(page.locator("[data-status-text]")).to_have_text("FAILED")
    page.get_by_role("button", name="Retry as a new task").click()
    expect(page).not_to_have_url(re.compile(failed))
    expect(page.locator("[data-status-text]")).to_have_text("FAILED")  # still no such user
    expect(page.locator('[data-json="result"]')).to_contain_text('"code": "user_not_found"')
    again = task_id_of(page)
    page.goto(f"/admin/tasks/{failed}/")
    expect(page.get_by_role("link", name=again)).to_be_visible()  # "Retried by"
    expect(page.get_by_role("button", name="Retry as a new task")).to_have_count(0)
    page.context.close()


def test_the_overview_draws_its_chart_and_its_counts_match_the_api(
    browser: Browser, server: Server
) -> None:
    for n in range(3):
        create_over_api(server, f"overview_{n}")
    server.request("GET", f"/api/users/{UUID(int=2)}/")  # one more FAILED
    page = signed_in_page(browser, server, DESKTOP)  # the console opens on it
    chart = page.locator('svg[data-chart="finished"]')
    expect(chart).to_be_visible()
    expect(chart.locator("rect.done").first).to_be_visible()
    expect(chart.locator("rect.failed").first).to_be_visible()
    assert chart.bounding_box()["width"] > 600  # type: ignore[index]
    for status in TaskStatus:
        listed = server.request("GET", f"/api/tasks/?status={status}&page_size=1&count=true")
        total = int(listed.headers["X-Total-Count"])
        assert page.locator(f'[data-count="{status}"]').inner_text() == str(total), status
    drawn = sum(int(n) for n in chart.locator("rect").evaluate_all(
        "rects => rects.map(rect => rect.getAttribute('data-count'))"))  # fmt: skip
    assert drawn >= 4
    expect(page.locator('tr[data-worker^="web@"]').first).to_be_visible()  # gunicorn's workers
    page.screenshot(path=artefacts() / "console-overview.png", full_page=True)
    page.context.close()


def test_the_operating_pages_hold_up_at_a_phones_width(browser: Browser, server: Server) -> None:
    task_id = create_over_api(server, "phone")
    page = signed_in_page(browser, server, PHONE)
    for path, shot in (("/admin/overview/", "console-overview-phone"),
                       ("/admin/tasks/", "console-tasks-phone"),
                       (f"/admin/tasks/{task_id}/", "console-task-phone"),
                       ("/admin/tokens/", None)):  # fmt: skip
        page.goto(path)
        fits(page, PHONE)
        if shot:
            page.screenshot(path=artefacts() / f"{shot}.png", full_page=True)
    page.context.close()


def test_a_token_made_in_the_console_works_until_it_is_revoked(
    browser: Browser, guarded_server: Server
) -> None:
    server = guarded_server
    assert server.request("GET", "/api/tasks/").status == 401
    page = signed_in_page(browser, server, DESKTOP)
    page.get_by_role("link", name="Tokens", exact=True).click()
    page.get_by_label("Name").fill("browser-test")
    page.get_by_role("button", name="Make a token").click()
    secret = page.locator("[data-secret]").inner_text()
    assert secret.startswith("thk_")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert server.request("GET", "/api/tasks/", headers=bearer).status == 200
    page.get_by_role("link", name="Done").click()
    expect(page.locator("body")).not_to_contain_text(secret)
    page.get_by_role("button", name="Revoke browser-test").click()
    expect(page.locator("[data-flash]")).to_contain_text("Revoked browser-test")
    refused = server.request("GET", "/api/tasks/", headers=bearer)
    assert (refused.status, refused.body["code"]) == (401, "invalid_token")
    page.context.close()
