"""The OpenAPI document and the interactive docs page, which needs no internet access."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

OPERATIONS = {
    ("/api/users/", "get"), ("/api/users/", "post"), ("/api/users/{user_id}/", "get"),
    ("/api/users/{user_id}/", "put"), ("/api/users/{user_id}/", "patch"),
    ("/api/users/{user_id}/", "delete"), ("/api/tasks/", "get"), ("/api/tasks/{task_id}/", "get"),
    ("/api/tasks/{task_id}/status/", "get"), ("/api/tasks/{task_id}/cancel/", "post"),
    ("/api/tasks/{task_id}/retry/", "post"), ("/api/tasks/{task_id}/events", "get"),
    ("/healthz", "get"), ("/readyz", "get"),
}  # fmt: skip


def test_the_openapi_document_describes_every_operation(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    assert document["openapi"] == "3.0.3"
    assert "refused with 422 `invalid_query`" in document["info"]["description"]
    found = {(path, method) for path, item in document["paths"].items() for method in item}
    assert found - {(path, "parameters") for path in document["paths"]} == OPERATIONS
    post = document["paths"]["/api/users/"]["post"]
    assert post["summary"] == "Create a user, as a task"
    assert {"202", "200", "409", "422"} <= set(post["responses"])
    problem = document["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_event_stream_is_documented_as_one(client: FlaskClient) -> None:
    stream = client.get("/api/openapi.json").json["paths"]["/api/tasks/{task_id}/events"]["get"]
    assert list(stream["responses"]["200"]["content"]) == ["text/event-stream"]
    assert {"200", "204", "404", "503"} <= set(stream["responses"])
    assert [p["name"] for p in stream["parameters"] if p["in"] == "header"] == ["Last-Event-ID"]


def test_each_operation_documents_every_parameter_it_reads(client: FlaskClient) -> None:
    """The query parameters documented are exactly those accepted (``test_queries``)."""
    document = client.get("/api/openapi.json").json

    def named(path: str, method: str, location: str) -> list[str]:
        item = document["paths"][path]
        found = [*item.get("parameters", []), *item[method].get("parameters", [])]
        return [p["name"] for p in found if p.get("in") == location]

    pages = ["cursor", "page_size", "count"]
    filters = ["status", "operation", "task_name", "related_id", "created_after", "created_before"]
    queries = {("/api/users/", "get"): pages, ("/api/tasks/", "get"): [*pages, *filters]}
    for path, method in OPERATIONS:
        assert named(path, method, "query") == queries.get((path, method), []), (path, method)
        if path.startswith("/api/users/") or path.endswith("/retry/"):  # the submissions
            assert {"Idempotency-Key", "Prefer"} <= set(named(path, method, "header"))


def test_the_docs_page_loads_only_assets_this_app_serves(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 3
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//"))
        loaded = client.get(f"/api/{asset}")
        assert (loaded.status_code, len(loaded.data) > 1000) == (200, True), asset
    assert '"validatorUrl": null' in page.text
