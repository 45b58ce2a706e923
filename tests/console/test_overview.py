"""The overview page: counts by status as tiles, the finished-per-minute chart drawn by the
server as SVG with its figures as a table too, the backlog, and the processes seen lately."""

from __future__ import annotations

import re
from dataclasses import replace
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from taskhub.application.ports import StatusCounts
from taskhub.application.presence import Presence
from taskhub.bootstrap import Container
from taskhub.domain.task import TaskStatus
from taskhub.entrypoints.console.overview import page
from taskhub.testing import HeldBus, user_fields
from tests.console.conftest import csrf_token


def figures(page: str, attribute: str) -> dict[str, str]:
    return dict(re.findall(rf'{attribute}="(\w+)">([^<]+)<', page))


def test_the_console_opens_on_the_overview(admin: FlaskClient) -> None:
    assert admin.get("/admin/").headers["Location"] == "/admin/overview/"
    page = admin.get("/admin/overview/").text
    assert '<a href="/admin/overview/" aria-current="page">Overview</a>' in page


def test_counts_chart_and_table_agree_with_what_was_done(admin: FlaskClient) -> None:
    for _ in range(3):
        admin.post("/api/users/", json=user_fields())
    admin.get(f"/api/users/{UUID(int=1)}/")  # FAILED user_not_found
    page = admin.get("/admin/overview/").text
    assert figures(page, "data-count") == {
        "PENDING": "0", "PROCESSING": "0", "DONE": "3", "FAILED": "1", "CANCELLED": "0"
    }  # fmt: skip
    svg = re.search(r'<svg [^>]*role="img"[^>]*data-chart="finished">(.*?)</svg>', page, re.S)
    assert svg, page
    drawn = re.findall(r'data-status="(\w+)" data-count="(\d+)"', svg.group(1))
    assert sorted(drawn) == [("DONE", "3"), ("FAILED", "1")]  # one minute, stacked
    assert "3 DONE, 1 FAILED, 0 CANCELLED; at most 4 in one minute." in svg.group(1)
    assert '<title id="chart-title">' in svg.group(1)
    table = re.search(r"<caption>Tasks finished each minute.*?</table>", page, re.S)
    assert table
    assert re.findall(r"<td>(\d+)</td>", table.group(0)) == ["3", "1", "0"]


def test_the_backlog_shows_what_waits_and_for_how_long(
    admin: FlaskClient, held_bus: HeldBus
) -> None:
    assert figures(admin.get("/admin/overview/").text, "data-backlog")["oldest"] == "—"
    admin.post("/api/users/", json=user_fields())
    backlog = figures(admin.get("/admin/overview/").text, "data-backlog")
    assert (backlog["pending"], backlog["processing"]) == ("1", "0")
    assert backlog["oldest"].endswith(" s")


def test_processes_that_noted_themselves_are_listed(
    admin: FlaskClient, container: Container
) -> None:
    assert "None: no worker" in admin.get("/admin/overview/").text
    Presence(container.unit_of_work, container.clock(), "worker").note()
    page = admin.get("/admin/overview/").text
    row = re.search(r'<tr data-worker="worker@[^"]+">(.*?)</tr>', page, re.S)
    assert row, page
    assert "<td>worker</td>" in row.group(1)
    assert row.group(1).rstrip().endswith("s ago</td>")
    assert csrf_token(admin, "/admin/overview/")  # the sign-out form, on this page too


def test_an_estimated_count_is_shown_as_one(app: Flask, admin: FlaskClient) -> None:
    """A store may estimate a large status (PostgreSQL does: ``count_by_status``); the tile
    says so rather than pass it off as a count."""
    admin.post("/api/users/", json=user_fields())
    with app.test_request_context("/admin/overview/"):
        seen = app.extensions["taskhub"].container.service().overview()
        counts = StatusCounts({TaskStatus.DONE: 1_234_567, TaskStatus.FAILED: 2}, {TaskStatus.DONE})
        shown = page(replace(seen, counts=counts))
    assert re.search(
        r'data-count="DONE" data-estimated title="An estimate[^"]*">≈ 1,234,567<', shown
    )
    assert figures(shown, "data-count") == {
        "PENDING": "0", "PROCESSING": "0", "FAILED": "2", "CANCELLED": "0"
    }  # fmt: skip
