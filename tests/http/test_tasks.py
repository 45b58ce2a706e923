"""``/api/tasks/``: the list (a JSON array, paged by cursor: its next page in the Link header),
the detail and the status."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from taskhub.application.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from taskhub.testing import user_fields

SEED_FIELDS = [
    "id", "status", "task_name", "created_at", "updated_at", "input_data", "result", "progress",
    "related_table", "related_id", "operation",
]  # fmt: skip


def submitted(client: FlaskClient, count: int) -> list[str]:
    """Submit ``count`` creates; their task ids, oldest first."""
    return [client.post("/api/users/", json=user_fields()).json["task_id"] for _ in range(count)]


def next_link(response: TestResponse) -> str | None:
    """The URL of the Link header's ``rel="next"``, if the response has one."""
    found = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
    return found[1] if found else None


def followed(client: FlaskClient, url: str) -> list[list[str]]:
    """The ids on each page, from ``url`` through its next links to the last page."""
    pages: list[list[str]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append([task["id"] for task in response.json])
        url = next_link(response) or ""
    return pages


def test_the_list_is_a_json_array_newest_first_paged_by_next_links(client: FlaskClient) -> None:
    ids = submitted(client, 5)
    newest_first = list(reversed(ids))
    assert followed(client, "/api/tasks/?page_size=2") == [
        newest_first[0:2], newest_first[2:4], newest_first[4:5],
    ]  # fmt: skip
    assert followed(client, "/api/tasks/?page_size=5") == [newest_first]  # no empty last page


def test_a_count_is_given_only_when_asked_for(client: FlaskClient) -> None:
    submitted(client, 3)
    assert "X-Total-Count" not in client.get("/api/tasks/?page_size=1").headers
    counted = client.get("/api/tasks/?page_size=1&count=true")
    assert counted.headers["X-Total-Count"] == "3"
    assert len(counted.json) == 1


def test_tasks_submitted_while_paging_neither_repeat_nor_shift_an_item(
    client: FlaskClient,
) -> None:
    older = list(reversed(submitted(client, 4)))
    first = client.get("/api/tasks/?page_size=2")
    submitted(client, 3)  # newer than every listed task: before the first page, not in the next
    rest = followed(client, next_link(first) or "")
    assert [task["id"] for task in first.json] == older[:2]
    assert rest == [older[2:4]]


def test_the_next_link_keeps_the_filters(client: FlaskClient) -> None:
    submitted(client, 3)
    first = client.get("/api/tasks/?status=DONE&operation=CREATE&page_size=1")
    link = next_link(first) or ""
    assert {"status=DONE", "operation=CREATE", "page_size=1"} <= set(link.split("?")[1].split("&"))
    assert sum(len(page) for page in followed(client, link)) == 2


@pytest.mark.parametrize("cursor", ["garbage", "", "Zm9vfGJhcg", "MjAyNi0wMS0wMXx4"])
def test_a_cursor_the_list_did_not_give_is_refused_naming_it(
    client: FlaskClient, cursor: str
) -> None:
    refused = client.get(f"/api/tasks/?cursor={cursor}")
    assert (refused.status_code, refused.json["code"]) == (422, "invalid_query")
    assert list(refused.json["errors"]) == ["cursor"]


def test_a_page_number_is_refused_naming_it(client: FlaskClient) -> None:
    refused = client.get("/api/tasks/?page=2")
    assert (refused.status_code, list(refused.json["errors"])) == (422, ["page"])


def test_the_page_size_has_a_default_and_a_hard_maximum(client: FlaskClient) -> None:
    submitted(client, DEFAULT_PAGE_SIZE + 1)
    assert len(client.get("/api/tasks/").json) == DEFAULT_PAGE_SIZE
    assert len(client.get(f"/api/tasks/?page_size={MAX_PAGE_SIZE}").json) == DEFAULT_PAGE_SIZE + 1
    refused = client.get(f"/api/tasks/?page_size={MAX_PAGE_SIZE + 1}")
    assert (refused.status_code, refused.json["code"]) == (422, "invalid_query")
    assert list(refused.json["errors"]) == ["page_size"]


def test_the_list_filters_by_status_operation_task_name_and_related_id(
    client: FlaskClient,
) -> None:
    created = client.get(client.post("/api/users/", json=user_fields()).json["status_endpoint"])
    user_id = created.json["related_id"]
    client.patch(f"/api/users/{user_id}/", json={"first_name": "Ada"})
    missing = client.get(f"/api/users/{uuid4()}/").json["task_id"]

    def names(query: str) -> list[str]:
        return [task["task_name"] for task in client.get(f"/api/tasks/?{query}").json]

    assert names("status=FAILED") == ["get_user"]
    assert names("operation=UPDATE") == ["update_user"]
    assert names("task_name=create_user") == ["create_user"]
    assert names(f"related_id={user_id}") == ["update_user", "create_user"]
    assert names("status=DONE&operation=CREATE") == ["create_user"]
    assert client.get("/api/tasks/?status=FAILED").json[0]["id"] == missing


def test_the_list_filters_by_when_tasks_were_submitted(client: FlaskClient) -> None:
    first, second = submitted(client, 2)
    at = client.get(f"/api/tasks/{second}/").json["created_at"]

    def ids(query: str) -> list[str]:
        answer = client.get(f"/api/tasks/?{query}")
        assert answer.status_code == 200, answer.json
        return [task["id"] for task in answer.json]

    assert ids(f"created_after={at}") == [second]
    assert ids(f"created_before={at}") == [first]
    assert ids(f"created_after={at.removesuffix('Z')}") == [second]  # no zone: UTC
    for query in (
        "created_after=yesterday",
        "created_after=0001-01-01T00:00:00%2B05:00",
        "created_before=9999-12-31T23:59:59-05:00",
    ):  # UTC beyond any store's years
        refused = client.get(f"/api/tasks/?{query}")
        assert (refused.status_code, refused.json["errors"].keys()) == (422, {query.split("=")[0]})


@pytest.mark.parametrize(
    "query", ["status=LOST", "operation=MERGE", "task_name=drop_users", "related_id=12345-abcde"]
)
def test_an_unknown_filter_value_is_refused_naming_it(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/tasks/?{query}")
    assert response.status_code == 422
    assert list(response.json["errors"]) == [query.split("=")[0]]
    assert response.json["code"] == "invalid_query"


@pytest.mark.parametrize("suffix", ["", "status/"])
def test_detail_and_status_show_the_task_in_the_seeds_shape(
    client: FlaskClient, suffix: str
) -> None:
    task_id = submitted(client, 1)[0]
    task = client.get(f"/api/tasks/{task_id}/{suffix}").json
    assert list(task)[: len(SEED_FIELDS)] == SEED_FIELDS
    assert (task["id"], task["status"], task["progress"]) == (task_id, "DONE", 100)
    assert (task["related_table"], task["operation"]) == ("user", "CREATE")
    assert task["created_at"].endswith("Z")
    assert task["updated_at"] >= task["created_at"]


@pytest.mark.parametrize("suffix", ["", "status/"])
def test_an_unknown_task_is_a_404_problem(client: FlaskClient, suffix: str) -> None:
    task_id = uuid4()
    response = client.get(f"/api/tasks/{task_id}/{suffix}")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert response.json["code"] == "task_not_found"
    assert str(task_id) in response.json["detail"]
    assert client.get(f"/api/tasks/12345-abcde/{suffix}").status_code == 404


def test_an_unchanged_status_answers_304_without_a_body(client: FlaskClient) -> None:
    status_endpoint = client.post("/api/users/", json=user_fields()).json["status_endpoint"]
    first = client.get(status_endpoint)
    again = client.get(status_endpoint, headers={"If-None-Match": first.headers["ETag"]})
    other = client.get(status_endpoint, headers={"If-None-Match": '"something-else"'})
    assert first.headers["ETag"].startswith('"')
    assert (again.status_code, again.data, again.headers["ETag"]) == (
        304,
        b"",
        first.headers["ETag"],
    )
    assert (other.status_code, other.json) == (200, first.json)


@pytest.mark.parametrize(
    "query", ["page_size=0", f"page_size={MAX_PAGE_SIZE + 1}", "cursor=x", "count=maybe"]
)
def test_both_lists_word_a_paging_limit_alike(client: FlaskClient, query: str) -> None:
    users, tasks = (client.get(f"/api/{what}/?{query}") for what in ("users", "tasks"))
    assert (users.status_code, tasks.status_code) == (422, 422)
    assert users.json["errors"] == tasks.json["errors"]
