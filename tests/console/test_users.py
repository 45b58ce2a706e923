"""The users pages: browsed straight from the store, changed only through submitted tasks."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from flask.testing import FlaskClient

from taskhub.testing import HeldBus
from tests.console.conftest import csrf_token
from tests.http.apps import task_total

FIELD_ERROR = re.compile(r'data-field-error="(\w+)">([^<]+)<')


def create(admin: FlaskClient, **fields: Any) -> str:
    """Post the create form; the page it redirects to (``?task=``)."""
    form = {"email": f"{fields.get('username')}@example.com", "is_active": "y", **fields}
    posted = admin.post("/admin/users/new", data={**form, "csrf_token": csrf_token(admin)})
    assert posted.status_code == 303, posted.text
    return str(posted.headers["Location"])


def user_id_of(admin: FlaskClient, username: str) -> str:
    listed = admin.get(f"/admin/users/?search={username}").text
    found = re.search(rf'href="/admin/users/([0-9a-f-]{{36}})/">{username}<', listed)
    assert found, listed
    return found.group(1)


def test_a_created_user_is_listed_found_by_search_and_shown(admin: FlaskClient) -> None:
    page = admin.get(create(admin, username="ada", first_name="Ada")).text
    assert 'data-status="DONE"' in page
    assert "Successfully created user ada" in page
    create(admin, username="grace")
    listed = admin.get("/admin/users/?search=ADA").text
    assert ">ada<" in listed
    assert ">grace<" not in listed
    assert "1 user matching" in listed
    detail = admin.get(f"/admin/users/{user_id_of(admin, 'ada')}/").text
    assert "ada@example.com" in detail
    assert "create_user" in detail


def test_reading_the_pages_adds_no_task(admin: FlaskClient) -> None:
    create(admin, username="ada")
    before = task_total(admin)
    admin.get("/admin/users/?search=a&sort=-username&page=1")
    admin.get(f"/admin/users/{user_id_of(admin, 'ada')}/")
    assert task_total(admin) == before


def test_the_table_pages_and_its_column_headers_sort_both_ways(admin: FlaskClient) -> None:
    for n in range(27):
        admin.post("/api/users/", json={"username": f"user{n:02}", "email": f"u{n}@example.com"})
    first = admin.get("/admin/users/?sort=username").text
    assert "27 users" in first
    assert "Page 1 of 2" in first
    assert re.findall(r'">(user\d\d)</a>', first)[:2] == ["user00", "user01"]
    assert 'aria-sort="ascending"' in first
    assert 'href="/admin/users/?sort=-username&amp;page=1"' in first  # click again: descending
    second = admin.get("/admin/users/?sort=username&page=2").text
    assert re.findall(r'">(user\d\d)</a>', second) == ["user25", "user26"]
    backwards = admin.get("/admin/users/?sort=-username").text
    assert re.findall(r'">(user\d\d)</a>', backwards)[0] == "user26"
    refused = admin.get("/admin/users/?sort=password")
    assert refused.status_code == 400
    assert "order" in refused.text


def test_a_create_refused_by_the_domain_shows_why_beside_each_field_and_makes_no_task(
    admin: FlaskClient,
) -> None:
    before = task_total(admin)
    form = {"username": "no spaces", "email": "nope", "csrf_token": csrf_token(admin)}
    answer = admin.post("/admin/users/new", data=form)
    assert answer.status_code == 422
    assert {field for field, _ in FIELD_ERROR.findall(answer.text)} == {"username", "email"}
    assert 'value="no spaces"' in answer.text  # what was typed stays
    assert task_total(admin) == before


def test_a_failed_create_shows_its_sentence_beside_the_field_it_concerns(
    admin: FlaskClient,
) -> None:
    create(admin, username="ada")
    taken = admin.get(create(admin, username="ada", email="other@example.com")).text
    assert 'data-status="FAILED"' in taken
    assert FIELD_ERROR.findall(taken) == [
        ("username", "The username &#39;ada&#39; is already taken.")
    ]
    email = admin.get(create(admin, username="bob", email="ada@example.com")).text
    assert [field for field, _ in FIELD_ERROR.findall(email)] == ["email"]


def test_an_edit_sends_only_what_changed_and_a_replace_resets_what_is_left_blank(
    admin: FlaskClient,
) -> None:
    create(admin, username="ada", first_name="Ada", last_name="Byron")
    user_id = user_id_of(admin, "ada")
    shown = re.search(r'name="shown" type="hidden" value="([^"]+)"',
                      admin.get(f"/admin/users/{user_id}/edit").text)  # fmt: skip
    assert shown
    was = html.unescape(shown.group(1))
    form = {"username": "ada", "email": "ada@example.com", "first_name": "Ada",
            "last_name": "Lovelace", "is_active": "y", "shown": was}  # fmt: skip
    edited = admin.post(
        f"/admin/users/{user_id}/edit", data={**form, "csrf_token": csrf_token(admin)}
    )
    task_id = edited.headers["Location"].rpartition("task=")[2]
    task = admin.get(f"/admin/tasks/{task_id}.json").json
    assert (task["task_name"], task["input_data"]) == ("update_user", {"last_name": "Lovelace"})
    form = {"username": "ada", "email": "ada@example.com", "csrf_token": csrf_token(admin)}
    replaced = admin.post(f"/admin/users/{user_id}/replace", data=form)
    assert "Successfully updated user ada" in admin.get(replaced.headers["Location"]).text
    detail = admin.get(f"/admin/users/{user_id}/").text
    assert "Lovelace" not in detail
    assert "<dt>Active</dt><dd>no</dd>" in detail  # an unticked box is a value in a PUT


def test_a_delete_asks_first_then_deletes_through_a_task(admin: FlaskClient) -> None:
    create(admin, username="ada")
    user_id = user_id_of(admin, "ada")
    asked = admin.get(f"/admin/users/{user_id}/delete").text
    assert "Delete <strong>ada</strong>" in asked
    assert user_id_of(admin, "ada") == user_id  # asking deleted nothing
    deleted = admin.post(f"/admin/users/{user_id}/delete", data={"csrf_token": csrf_token(admin)})
    assert "Successfully deleted user ada" in admin.get(deleted.headers["Location"]).text
    assert admin.get(f"/admin/users/{user_id}/").status_code == 404


def test_a_task_still_on_its_way_is_followed_by_the_page_and_its_json(
    admin: FlaskClient, held_bus: HeldBus
) -> None:
    page = admin.get(create(admin, username="ada")).text
    panel = re.search(r'<section class="task pending"[^>]*>', page)
    assert panel, page
    attributes = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', panel.group(0)))
    assert attributes["data-status"] == "PENDING"
    polled = admin.get(attributes["data-poll"])
    assert (polled.json["status"], polled.headers["Cache-Control"]) == ("PENDING", "no-store")
    assert (
        json.loads(attributes["data-fields"].replace("&#34;", '"'))["username_taken"] == "username"
    )
    assert attributes["data-events"].endswith("/events")
    assert admin.get("/admin/tasks/7b0d2b8e-6d6b-4a53-8bd6-0a2d8f9ec1c5.json").status_code == 404
