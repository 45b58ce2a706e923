"""The tasks pages: the table (filters, pages, live rows), a task's page, cancel and retry."""

from __future__ import annotations

import html
import re
from uuid import UUID

from flask.testing import FlaskClient

from taskhub.testing import HeldBus, user_fields
from tests.console.conftest import csrf_token

ROW = re.compile(r'<tr( data-live-task[^>]*)?>\s*<td><a href="/admin/tasks/([0-9a-f-]{36})/">')


def submit(admin: FlaskClient, **fields: object) -> str:
    """A create submitted through the API; its task id."""
    answer = admin.post("/api/users/", json=user_fields(**fields))
    return str(answer.json["task_id"])


def listed(admin: FlaskClient, query: str = "") -> list[str]:
    page = admin.get(f"/admin/tasks/?{query}")
    assert page.status_code == 200, page.text
    return [task_id for _, task_id in ROW.findall(page.text)]


def test_the_table_lists_tasks_newest_first_filtered_by_status_operation_and_time(
    admin: FlaskClient,
) -> None:
    created = submit(admin)
    user_id = admin.get(f"/api/tasks/{created}/").json["related_id"]
    reading = admin.get(f"/api/users/{user_id}/").json["task_id"]
    missing = admin.get(f"/api/users/{UUID(int=1)}/").json["task_id"]
    assert listed(admin) == [missing, reading, created]
    assert listed(admin, "status=FAILED") == [missing]
    assert listed(admin, "operation=CREATE") == [created]
    assert listed(admin, "status=DONE&operation=READ") == [reading]
    assert listed(admin, "within=hour") == [missing, reading, created]
    at = admin.get(f"/api/tasks/{reading}/").json["created_at"].removesuffix("Z")
    assert listed(admin, f"after={at}") == [missing, reading]
    assert listed(admin, f"before={at}") == [created]
    assert listed(admin, "before=2000-01-01T00:00") == []


def test_a_filter_it_cannot_read_is_named_and_left_out(admin: FlaskClient) -> None:
    submit(admin)
    for query, name in (("status=LOST", "status"), ("after=soon", "after"),
                        ("within=year", "within"), ("after=0001-01-01T00:00%2B05:00", "after"),
                        ("before=9999-12-31T23:59:59-05:00", "before")):  # fmt: skip
        page = admin.get(f"/admin/tasks/?{query}")
        assert page.status_code == 400
        assert f"{name}: " in page.text
        assert len(ROW.findall(page.text)) == 1


def test_the_table_pages_keeping_its_filters(admin: FlaskClient) -> None:
    for _ in range(27):
        submit(admin)
    first = admin.get("/admin/tasks/?status=DONE").text
    assert "27 tasks" in first
    older = re.search(r'href="(/admin/tasks/\?status=DONE&amp;cursor=[^"]+)" rel="next"', first)
    assert older, "an Older link keeping the filter"
    second = admin.get(html.unescape(older[1])).text
    assert len(ROW.findall(second)) == 2
    assert 'rel="next"' not in second  # the last page
    assert 'href="/admin/tasks/?status=DONE" rel="first"' in second
    assert set(listed(admin, "status=DONE")).isdisjoint(id for _, id in ROW.findall(second))


def test_rows_still_on_their_way_are_followed_live_and_finished_ones_are_not(
    admin: FlaskClient, held_bus: HeldBus
) -> None:
    waiting = submit(admin)
    admin.post(f"/admin/tasks/{waiting}/cancel", data={"csrf_token": csrf_token(admin)})
    pending = submit(admin)
    rows = dict((task_id, live) for live, task_id in ROW.findall(admin.get("/admin/tasks/").text))
    assert not rows[waiting]
    assert f'data-events="/admin/tasks/{pending}/events"' in rows[pending]
    assert f'data-poll="/admin/tasks/{pending}.json"' in rows[pending]
    assert 'data-status="PENDING"' in rows[pending]


def test_a_tasks_page_shows_its_input_and_result_as_escaped_json_and_its_timings(
    admin: FlaskClient,
) -> None:
    task_id = submit(admin, first_name="<b>Ada</b>")
    page = admin.get(f"/admin/tasks/{task_id}/").text
    assert "&#34;first_name&#34;: &#34;&lt;b&gt;Ada&lt;/b&gt;&#34;" in page  # escaped
    result = re.search(r'data-json="result"><code>(.*?)</code>', page, re.DOTALL)
    assert result
    assert "\n  &#34;success&#34;: true,\n" in result.group(1)  # indented
    assert "<dt>Submit to finish</dt><dd>0." in page  # seconds, on the inline bus
    user_id = admin.get(f"/api/tasks/{task_id}/").json["related_id"]
    assert f'href="/admin/users/{user_id}/"' in page
    assert "Cancel this task" not in page
    assert "Retry as a new task" not in page


def test_a_pending_task_is_cancelled_from_its_page(admin: FlaskClient, held_bus: HeldBus) -> None:
    task_id = submit(admin)
    page = admin.get(f"/admin/tasks/{task_id}/").text
    assert "Cancel this task" in page
    assert "data-reload" in page
    answer = admin.post(f"/admin/tasks/{task_id}/cancel", data={"csrf_token": csrf_token(admin)})
    assert (answer.status_code, answer.headers["Location"]) == (303, f"/admin/tasks/{task_id}/")
    shown = admin.get(answer.headers["Location"]).text
    assert "Cancelled: nothing of its work was saved." in shown
    assert admin.get(f"/api/tasks/{task_id}/").json["status"] == "CANCELLED"
    assert "Cancel this task" not in shown
    assert "Retry as a new task" in shown


def test_a_refused_cancel_or_retry_is_a_banner_not_an_error_page(admin: FlaskClient) -> None:
    done = submit(admin)
    token = csrf_token(admin)
    for action, said in (("cancel", "nothing to cancel"), ("retry", "can be retried")):
        answer = admin.post(f"/admin/tasks/{done}/{action}", data={"csrf_token": token})
        assert answer.headers["Location"] == f"/admin/tasks/{done}/"
        banner = re.search(r'class="alert" role="alert" data-flash="error">([^<]+)<',
                           admin.get(answer.headers["Location"]).text)  # fmt: skip
        assert banner, action
        assert said in banner.group(1)
    assert admin.post(f"/admin/tasks/{UUID(int=7)}/retry",
                      data={"csrf_token": token}).status_code == 404  # fmt: skip


def test_a_failed_task_is_retried_once_and_the_new_task_shown(admin: FlaskClient) -> None:
    failed = admin.get(f"/api/users/{UUID(int=1)}/").json["task_id"]
    assert "Retry as a new task" in admin.get(f"/admin/tasks/{failed}/").text
    answer = admin.post(f"/admin/tasks/{failed}/retry", data={"csrf_token": csrf_token(admin)})
    again = answer.headers["Location"].split("/")[-2]
    assert again != failed
    page = admin.get(answer.headers["Location"]).text
    assert "Retried: this is the new task." in page
    assert f'<dt>Retry of</dt><dd><a href="/admin/tasks/{failed}/">' in page
    original = admin.get(f"/admin/tasks/{failed}/").text
    assert f'<dt>Retried by</dt><dd><a href="/admin/tasks/{again}/">' in original
    assert "Retry as a new task" not in original  # a second retry would be refused


def test_a_second_press_of_retry_goes_to_the_task_that_retries_it(admin: FlaskClient) -> None:
    failed = admin.get(f"/api/users/{UUID(int=1)}/").json["task_id"]
    token = csrf_token(admin)
    first = admin.post(f"/admin/tasks/{failed}/retry", data={"csrf_token": token})
    second = admin.post(f"/admin/tasks/{failed}/retry", data={"csrf_token": token})
    assert second.headers["Location"] == first.headers["Location"] != f"/admin/tasks/{failed}/"
    assert "It was retried already" in admin.get(second.headers["Location"]).text


def test_a_cursor_edited_by_hand_shows_the_first_page(admin: FlaskClient) -> None:
    submit(admin)
    page = admin.get("/admin/tasks/?status=DONE&cursor=edited")
    assert page.status_code == 200
    assert "1 task, newest first" in page.text
    assert len(ROW.findall(page.text)) == 1
